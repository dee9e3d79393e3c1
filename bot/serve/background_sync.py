"""Optional background `sync` inside `serve` (WIKIBOT_SYNC_INTERVAL_S; off by default, the
Helm chart runs `wikibot sync` as a CronJob instead).

Each round is an ordinary reindex run (bot/reindex.py): it takes the shared reindex lock, so
replicas, CronJobs and `/wikibot reindex` never run together; a round that finds it taken
is skipped.
"""

from __future__ import annotations

import asyncio
import logging
import socket

from bot.app import App
from bot.reindex import ReindexRequest
from bot.state.health import RedisUnavailableError
from bot.state.locks import LockHeldError

logger = logging.getLogger(__name__)


async def sync_forever(app: App, interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            await sync_once(app)
        except asyncio.CancelledError:
            raise
        except LockHeldError as exc:
            logger.info("background sync skipped: %s", exc)
        except RedisUnavailableError:
            logger.warning("background sync skipped: the reindex lock is unavailable")
        except Exception:
            logger.exception("background sync failed; the index keeps serving")


async def sync_once(app: App) -> None:
    connectors = await asyncio.to_thread(app.sources.connectors)
    if not connectors:
        return
    by = f"background sync on {socket.gethostname()}"
    outcome = await app.reindexer.run(ReindexRequest(connectors, "sync", by))
    for result in outcome.results:
        log = logger.info if result.ok else logger.warning
        log("background sync: %s", result.line())
