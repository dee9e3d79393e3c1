"""`wikibot index`, `wikibot sync` and `wikibot status`: the indexing side of the CLI.

Sources run one after another; each gets a progress bar on a terminal and a summary line;
failed documents are listed with their reason; a failing source is reported and the others
still run (exit 1 at the end if any failed).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from typing import Any

from bot.app import App
from bot.errors import SourceError
from bot.reindex import Mode, Progress, ReindexOutcome, ReindexRequest, index_status
from bot.source_admin import folder_names, plan_removal, remove_source, source_rows
from bot.state.health import RedisUnavailableError
from connectors.base import Connector
from connectors.folder import SUPPORTED_SUFFIXES, FolderConnector
from indexing.summary import combined


def index_command(app: App, args: argparse.Namespace) -> int:
    if args.paths and args.source:
        raise SourceError("give folders or --source names, not both")
    if not args.paths and (args.name or args.base_url):
        raise SourceError("--name and --base-url go with a folder: `wikibot index PATH --name N`")
    if args.base_url and not args.base_url.startswith(("http://", "https://")):
        raise SourceError(f"--base-url: expected http(s)://... (got {args.base_url!r})")
    if args.paths:
        for path in args.paths:
            if not path.is_dir():
                raise SourceError(f"not a folder: {path}")
        connectors: list[Connector] = []
        for path, name in folder_names(app, args.paths, args.name):
            folder = FolderConnector(
                path,
                name=name,
                base_url=args.base_url,
                url_style=args.url_style,
                limits=app.settings.folder_limits,
            )
            _warn_if_empty(folder)
            connectors.append(folder)
    else:
        connectors = _configured(app, args.source)
    return _run(app, connectors, "rebuild" if args.full else "index", "wikibot index")


def _warn_if_empty(folder: FolderConnector) -> None:
    if folder.files():
        return
    kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
    print(
        f"warning: {folder.root} holds no documents to index (looked for {kinds}, hidden "
        "files and folders excluded); a source with no documents indexes nothing",
        file=sys.stderr,
    )


def sync_command(app: App, args: argparse.Namespace) -> int:
    return _run(app, _configured(app, args.source), "sync", "wikibot sync")


def _configured(app: App, names: list[str]) -> list[Connector]:
    connectors = app.sources.connectors(names)
    if not connectors:
        raise SourceError(
            "no sources to index: give folders (`wikibot index PATH`), or configure "
            "WIKIBOT_SOURCES_FILE (see README: Sources)"
        )
    return connectors


class _Bars:
    """One progress bar per source on a terminal (nothing when stderr is not one)."""

    def __init__(self) -> None:
        self.bars: dict[str, Any] = {}
        self.enabled = sys.stderr.isatty()

    def update(self, progress: Progress) -> None:
        from tqdm import tqdm

        bar = self.bars.get(progress.source)
        if bar is None:
            bar = tqdm(total=progress.total, unit="doc", desc=progress.source, file=sys.stderr)
            self.bars[progress.source] = bar
        bar.update(progress.read - bar.n)
        bar.set_postfix(chunks=progress.chunks)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def _run(app: App, connectors: list[Connector], mode: Mode, by: str) -> int:
    bars = _Bars()
    request = ReindexRequest(connectors, mode, f"{getpass.getuser()} ({by})")

    async def run() -> ReindexOutcome:
        try:
            return await app.reindexer.run(
                request, on_progress=bars.update if bars.enabled else None
            )
        except RedisUnavailableError:
            raise SourceError(
                "cannot take the reindex lock: Redis is unavailable (REDIS_URL); not indexing"
            ) from None
        finally:
            bars.close()
            await app.close()

    outcome = asyncio.run(run())
    results, failed_sources = outcome.results, outcome.failed
    for result in results:
        print(result.line())
        if result.summary is None:
            continue
        for failed in result.summary.errors:
            print(f"  failed: {failed.source}: {failed.reason}", file=sys.stderr)
        empty = result.summary.empty
        if empty:
            print(
                f"  skipped {len(empty)} empty document(s) (e.g. {empty[0].source}: "
                f"{empty[0].reason})",
                file=sys.stderr,
            )
    total = combined(results)
    if len(results) > 1:
        print(("rebuilt " if total.full else "total: ") + total.line())
    if failed_sources:
        names = ", ".join(r.name for r in failed_sources)
        print(
            f"wikibot: {len(failed_sources)} of {len(results)} source(s) failed ({names}); "
            "their previous chunks keep serving",
            file=sys.stderr,
        )
        return 1
    return 0


def status_command(app: App, args: argparse.Namespace) -> int:
    print("\n".join(index_status(app.store, app.sync_states)))
    return 0


def sources_command(app: App, args: argparse.Namespace) -> int:
    rows = source_rows(app)
    if args.json:
        for row in rows:
            print(json.dumps(row.as_json(), ensure_ascii=False))
        return 0
    if not rows:
        print("no sources yet: `wikibot index PATH` indexes a folder (see README)")
        return 0
    table = [("NAME", "KIND", "DOCUMENTS", "CHUNKS", "LAST RUN", "LOCATION")] + [
        (r.name, r.kind, str(r.documents), str(r.chunks), r.last_run, r.location) for r in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(5)]
    for line in table:
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        print("  ".join([*cells, line[5]]))
    return 0


def remove_command(app: App, args: argparse.Namespace) -> int:
    removal = plan_removal(app, args.name)
    if not args.dry_run:
        by = f"{getpass.getuser()} (wikibot remove)"

        async def run() -> None:
            try:
                await remove_source(app, args.name, by)
            except RedisUnavailableError:
                raise SourceError(
                    "cannot take the reindex lock: Redis is unavailable (REDIS_URL); "
                    "nothing removed"
                ) from None
            finally:
                await app.close()

        asyncio.run(run())
    shown = removal.documents[:10]
    more = len(removal.documents) - len(shown)
    verb = "would remove" if args.dry_run else "removed"
    print(
        f"{verb} source {removal.name}: {len(removal.documents)} documents, "
        f"{removal.chunks} chunks"
    )
    for location in shown:
        print(f"  {location}")
    if more:
        print(f"  ... and {more} more")
    if removal.configured:
        print(
            f"note: {removal.name} is in the configured sources (WIKIBOT_SOURCES_FILE or "
            "WIKIBOT_SOURCES): the next `wikibot index` or sync brings it back; delete it "
            "there too",
            file=sys.stderr,
        )
    return 0
