"""Syncs inside `serve`: the first one at start when sources are configured and the index
is empty (so a fresh `serve` answers without any CLI call; /readyz says "indexing, N of M
documents" meanwhile), then one every WIKIBOT_SYNC_INTERVAL_S (off by default: the Helm
chart runs `wikibot sync` as a CronJob instead).

Each round is an ordinary reindex run (bot/index_admin/reindex.py): it takes the shared
reindex lock, so replicas, CronJobs and `/wikibot reindex` never run together; a round that
finds it taken is skipped.
"""

from __future__ import annotations

import asyncio
import logging
import socket

from bot.app import App
from bot.index_admin.progress import ProgressListener
from bot.index_admin.reindex import ReindexRequest
from bot.serve.readiness import FirstSync
from bot.state.health import RedisUnavailableError
from bot.state.locks import LockHeldError

logger = logging.getLogger(__name__)


async def sync_forever(app: App, interval_s: float, first: FirstSync | None = None) -> None:
    """The first sync at once when the index is empty (``first`` reports its progress),
    then a round every ``interval_s`` (0: none)."""
    if first is not None and await _nothing_indexed(app):
        first.running = True
        try:
            await _round(app, first.update)
        finally:
            first.running = False
    if not interval_s:
        return
    while True:
        await asyncio.sleep(interval_s)
        await _round(app, None)


async def _nothing_indexed(app: App) -> bool:
    def look() -> bool:
        if not app.sources.indexed:
            return False  # nothing configured: `wikibot index PATH` it is
        store = app.store
        return store.current_collection() is None or store.count() == 0

    try:
        return await asyncio.to_thread(look)
    except Exception as exc:  # a bad sources file, an index held elsewhere: said, not fatal
        logger.warning("no first sync: %s", exc)
        return False


async def _round(app: App, on_progress: ProgressListener | None) -> None:
    try:
        await sync_once(app, on_progress=on_progress)
    except asyncio.CancelledError:
        raise
    except LockHeldError as exc:
        logger.info("background sync skipped: %s", exc)
    except RedisUnavailableError:
        logger.warning("background sync skipped: the reindex lock is unavailable")
    except Exception:
        logger.exception("background sync failed; the index keeps serving")


async def sync_once(app: App, *, on_progress: ProgressListener | None = None) -> None:
    connectors = await asyncio.to_thread(app.sources.connectors)
    if not connectors:
        return
    by = f"background sync on {socket.gethostname()}"
    outcome = await app.reindexer.run(
        ReindexRequest(connectors, "sync", by), on_progress=on_progress
    )
    for result in outcome.results:
        log = logger.info if result.ok else logger.warning
        log("background sync: %s", result.line())
