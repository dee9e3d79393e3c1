"""`wikibot index|sync|status|sources|remove` as operations on a running wikibot's parts,
writing to an :class:`~bot.index_admin.output.Output`: the CLI runs them in its own process
(the index opened directly), `wikibot serve` runs them for the admin channel (the index it
holds). Either way an index run goes through the one Reindexer (bot/index_admin/reindex.py).

Sources run one after another; each gets a progress bar on a terminal and a summary line;
failed documents are listed with their reason; a failing source is reported and the others
still run (exit 1 at the end if any failed). None of these closes the app: its owner does.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json

from bot.errors import SourceError
from bot.index_admin.commands import AdminParts
from bot.index_admin.output import Output
from bot.index_admin.reindex import Mode, ReindexRequest, index_status
from bot.index_admin.source_admin import folder_names, plan_removal, remove_source, source_rows
from bot.state.health import RedisUnavailableError
from connectors.base import Connector
from connectors.folder import SUPPORTED_SUFFIXES, FolderConnector
from indexing.summary import combined


async def index_sources(app: AdminParts, args: argparse.Namespace, out: Output) -> int:
    if args.paths and args.source:
        raise SourceError("give folders or --source names, not both")
    if not args.paths and (args.name or args.base_url):
        raise SourceError("--name and --base-url go with a folder: `wikibot index PATH --name N`")
    if args.base_url and not args.base_url.startswith(("http://", "https://")):
        raise SourceError(f"--base-url: expected http(s)://... (got {args.base_url!r})")
    if args.paths:
        connectors = await asyncio.to_thread(_folders, app, args, out)
    else:
        connectors = await asyncio.to_thread(_configured, app, args.source)
    return await _run(app, connectors, "rebuild" if args.full else "index", "wikibot index", out)


def _folders(app: AdminParts, args: argparse.Namespace, out: Output) -> list[Connector]:
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
        if not folder.files():
            kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
            out.err(
                f"warning: {folder.root} holds no documents to index (looked for {kinds}, "
                "hidden files and folders excluded); a source with no documents indexes nothing"
            )
        connectors.append(folder)
    return connectors


async def sync_sources(app: AdminParts, args: argparse.Namespace, out: Output) -> int:
    connectors = await asyncio.to_thread(_configured, app, args.source)
    return await _run(app, connectors, "sync", "wikibot sync", out)


def _configured(app: AdminParts, names: list[str]) -> list[Connector]:
    connectors = app.sources.connectors(names)
    if not connectors:
        raise SourceError(
            "no sources to index: give folders (`wikibot index PATH`), or configure "
            "WIKIBOT_SOURCES_FILE (see README: Sources)"
        )
    return connectors


async def _run(
    app: AdminParts, connectors: list[Connector], mode: Mode, by: str, out: Output
) -> int:
    request = ReindexRequest(connectors, mode, f"{getpass.getuser()} ({by})")
    try:
        outcome = await app.reindexer.run(request, on_progress=out.progress)
    except RedisUnavailableError:
        raise SourceError(
            "cannot take the reindex lock: Redis is unavailable (REDIS_URL); not indexing"
        ) from None
    finally:
        out.end_progress()
    results, failed_sources = outcome.results, outcome.failed
    for result in results:
        out.out(result.line())
        if result.summary is None:
            continue
        for failed in result.summary.errors:
            out.err(f"  failed: {failed.source}: {failed.reason}")
        empty = result.summary.empty
        if empty:
            out.err(
                f"  skipped {len(empty)} empty document(s) (e.g. {empty[0].source}: "
                f"{empty[0].reason})"
            )
    total = combined(results)
    if len(results) > 1:
        out.out(("rebuilt " if total.full else "total: ") + total.line())
    if failed_sources:
        names = ", ".join(r.name for r in failed_sources)
        out.err(
            f"wikibot: {len(failed_sources)} of {len(results)} source(s) failed ({names}); "
            "their previous chunks keep serving"
        )
        return 1
    return 0


async def show_status(app: AdminParts, args: argparse.Namespace, out: Output) -> int:
    lines = await asyncio.to_thread(index_status, app.store, app.sync_states)
    out.out("\n".join(lines))
    return 0


async def list_sources(app: AdminParts, args: argparse.Namespace, out: Output) -> int:
    rows = await asyncio.to_thread(source_rows, app)
    if args.json:
        for row in rows:
            out.out(json.dumps(row.as_json(), ensure_ascii=False))
        return 0
    if not rows:
        out.out("no sources yet: `wikibot index PATH` indexes a folder (see README)")
        return 0
    table = [("NAME", "KIND", "DOCUMENTS", "CHUNKS", "LAST RUN", "LOCATION")] + [
        (r.name, r.kind, str(r.documents), str(r.chunks), r.last_run, r.location) for r in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(5)]
    for line in table:
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        out.out("  ".join([*cells, line[5]]))
    return 0


async def remove_named_source(app: AdminParts, args: argparse.Namespace, out: Output) -> int:
    removal = await asyncio.to_thread(plan_removal, app, args.name)
    if not args.dry_run:
        try:
            await remove_source(app, args.name, f"{getpass.getuser()} (wikibot remove)")
        except RedisUnavailableError:
            raise SourceError(
                "cannot take the reindex lock: Redis is unavailable (REDIS_URL); nothing removed"
            ) from None
    shown = removal.documents[:10]
    more = len(removal.documents) - len(shown)
    verb = "would remove" if args.dry_run else "removed"
    out.out(
        f"{verb} source {removal.name}: {len(removal.documents)} documents, "
        f"{removal.chunks} chunks"
    )
    for location in shown:
        out.out(f"  {location}")
    if more:
        out.out(f"  ... and {more} more")
    if removal.configured:
        out.err(
            f"note: {removal.name} is in the configured sources (WIKIBOT_SOURCES_FILE or "
            "WIKIBOT_SOURCES): the next `wikibot index` or sync brings it back; delete it "
            "there too"
        )
    return 0


OPERATIONS = {
    "index": index_sources,
    "sync": sync_sources,
    "status": show_status,
    "sources": list_sources,
    "remove": remove_named_source,
}
