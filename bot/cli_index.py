"""`wikibot index`, `wikibot sync` and `wikibot status`: the indexing side of the CLI.

Sources run one after another; each gets a progress bar on a terminal and a summary line;
failed documents are listed with their reason; a failing source is reported and the others
still run (exit 1 at the end if any failed).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.app import Components
from bot.config import Settings
from bot.errors import SourceError
from bot.index_runs import describe_last_run, record_run
from bot.locks import run_locked
from bot.redis_health import RedisUnavailableError
from bot.shared_state import build_shared_state
from connectors.base import Connector
from connectors.folder import FolderConnector
from indexing.lock import IndexLock
from indexing.pipeline import ProgressCallback
from indexing.sync import SourceResult, combined


def add_parsers(sub: Any) -> None:
    index = sub.add_parser("index", help="index folders or the configured sources (incremental)")
    index.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="folders of Markdown, HTML, text and PDF files; none: the configured sources",
    )
    index.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="NAME",
        help="only this configured source (repeatable)",
    )
    index.add_argument(
        "--full",
        action="store_true",
        help="rebuild into a new collection; the old one serves until it is done",
    )
    sync = sub.add_parser(
        "sync", help="apply what changed in the configured sources since their last run"
    )
    sync.add_argument("--source", action="append", default=[], metavar="NAME")
    sub.add_parser("status", help="what is indexed, and each source's last run")


def index_command(components: Components, args: argparse.Namespace) -> int:
    if args.paths and args.source:
        raise SourceError("give folders or --source names, not both")
    if args.paths:
        connectors: list[Connector] = []
        for path in args.paths:
            if not path.is_dir():
                raise SourceError(f"not a folder: {path}")
            connectors.append(FolderConnector(path, limits=components.settings.folder_limits))
    else:
        connectors = _configured(components, args.source)
    return _run(components, connectors, "rebuild" if args.full else "index", "wikibot index")


def sync_command(components: Components, args: argparse.Namespace) -> int:
    return _run(components, _configured(components, args.source), "sync", "wikibot sync")


def _configured(components: Components, names: list[str]) -> list[Connector]:
    connectors = components.sources.connectors(names)
    if not connectors:
        raise SourceError(
            "no sources to index: give folders (`wikibot index PATH`), or configure "
            "WIKIBOT_SOURCES_FILE (see README: Sources)"
        )
    return connectors


def _run(components: Components, connectors: list[Connector], mode: str, by: str) -> int:
    settings: Settings = components.settings
    bars: list[Any] = []

    def bar_for(group: list[Connector]) -> ProgressCallback | None:
        if not sys.stderr.isatty():
            return None
        from tqdm import tqdm

        listings = [getattr(c, "files", None) for c in group]
        total = sum(len(f()) for f in listings if f) if all(listings) else None
        name = "+".join(c.name for c in group)
        bar = tqdm(total=total, unit="doc", desc=name, file=sys.stderr)
        bars.append(bar)

        def update(read: int, chunks: int) -> None:
            bar.update(read - bar.n)
            bar.set_postfix(chunks=chunks)

        return update

    by_name = {c.name: c for c in connectors}

    def run() -> list[SourceResult]:
        # the file lock comes before opening the store, so a second run hears who holds it
        with IndexLock(settings.index_lock_path):
            syncer = components.source_sync(caller_holds_lock=True)
            try:
                if mode == "rebuild":
                    return syncer.rebuild(connectors, progress=bar_for(connectors))
                return syncer.run(
                    connectors,
                    mode="sync" if mode == "sync" else "index",
                    progress=lambda name: bar_for([by_name[name]]),
                )
            finally:
                for bar in bars:
                    bar.close()

    # with Redis (replicas, CronJobs) one reindex at a time everywhere, not just this host
    results = asyncio.run(_with_reindex_lock(settings, run, by)) if settings.redis.url else run()
    failed_sources = [r for r in results if not r.ok]
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
    error = "; ".join(r.line() for r in failed_sources)
    record_run(
        settings.data_dir,
        by=f"{getpass.getuser()} ({by})",
        summary=None if len(failed_sources) == len(results) else total,
        error=error,
    )
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


async def _with_reindex_lock(
    settings: Settings, run: Callable[[], list[SourceResult]], by: str
) -> list[SourceResult]:
    state = build_shared_state(settings.redis, settings.limits)
    holder = f"{getpass.getuser()}@{socket.gethostname()} ({by})"
    try:
        return await run_locked(
            state.reindex_lock, holder, run, extend_every_s=settings.redis.reindex_lock_ttl_s / 3
        )
    except RedisUnavailableError:
        raise SourceError(
            "cannot take the reindex lock: Redis is unavailable (REDIS_URL); not indexing"
        ) from None
    finally:
        await state.close()


def status_command(components: Components, args: argparse.Namespace) -> int:
    store = components.store
    collection = store.current_collection()
    if collection is None:
        print("nothing indexed yet: run `wikibot index PATH` (or `wikibot index` with sources)")
        return 0
    print(f"index {store.alias} -> collection {collection}: {store.count()} chunks")
    for name, count in sorted(store.sources().items()):
        print(f"  source {name}: {count} chunks")
    print(describe_last_run(components.settings.data_dir))
    for state in components.sync_states.all():
        print(state.describe())
    return 0
