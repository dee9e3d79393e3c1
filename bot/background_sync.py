"""Optional background `sync` inside `serve` (WIKIBOT_SYNC_INTERVAL_S; off by default, the
Helm chart runs `wikibot sync` as a CronJob instead).

Each round takes the shared reindex lock (so replicas, CronJobs and `/wikibot reindex` never
run together; a round that finds it taken is skipped) and runs the sync in a thread.
"""

from __future__ import annotations

import asyncio
import logging
import socket

from bot.app import Components
from bot.locks import LockHeldError, run_locked
from bot.redis_health import RedisUnavailableError
from bot.shared_state import SharedState

logger = logging.getLogger(__name__)


async def sync_forever(components: Components, state: SharedState, interval_s: float) -> None:
    holder = f"background sync on {socket.gethostname()}"
    while True:
        await asyncio.sleep(interval_s)
        try:
            await sync_once(components, state, holder)
        except asyncio.CancelledError:
            raise
        except LockHeldError as exc:
            logger.info("background sync skipped: %s", exc)
        except RedisUnavailableError:
            logger.warning("background sync skipped: the reindex lock is unavailable")
        except Exception:
            logger.exception("background sync failed; the index keeps serving")


async def sync_once(components: Components, state: SharedState, holder: str) -> None:
    def work() -> None:
        connectors = components.sources.connectors()
        if not connectors:
            return
        results = components.source_sync().run(connectors, mode="sync")
        for result in results:
            log = logger.info if result.ok else logger.warning
            log("background sync: %s", result.line())

    ttl = components.settings.redis.reindex_lock_ttl_s
    await run_locked(state.reindex_lock, holder, work, extend_every_s=ttl / 3)
