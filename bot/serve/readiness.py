"""What GET /readyz reports: one entry per dependency, and whether to take traffic.

* Qdrant: reachable and the index's collection present -> "ok"; otherwise not ready (503):
  without an index there is nothing to answer from.
* Redis: "ok", "degraded" (down: answering on per-process state, still ready) or
  "in-process" (no REDIS_URL).
* LLM (when configured): its ``/models`` answers -> "ok"; otherwise "degraded" (answers fall
  back to quoting the sources, so still ready).
* Draining (shutdown under way) -> not ready, so the load balancer stops sending.
* The first sync of an empty index under way -> not ready, "indexing, N of M documents".
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aiohttp

from bot.config import LLMSettings
from bot.index_admin.progress import Progress
from bot.state.shared import SharedState
from indexing.store import QdrantIndexStore

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 2.0


class FirstSync:
    """The first sync of a fresh `serve` (bot/serve/background_sync.py), as /readyz tells
    it: not ready while it runs, with how far it has got."""

    def __init__(self) -> None:
        self.running = False
        self.latest: dict[str, Progress] = {}

    def update(self, progress: Progress) -> None:  # from the indexing thread
        self.latest[progress.source] = progress

    def describe(self) -> str:
        seen = list(self.latest.values())
        read = sum(p.read for p in seen)
        totals = [p.total for p in seen]
        if not seen or None in totals:
            return f"indexing, {read} documents so far"
        return f"indexing, {read} of {sum(t or 0 for t in totals)} documents"


class Readiness:
    def __init__(
        self,
        *,
        store: Any,  # () -> QdrantIndexStore, built lazily (opening it loads nothing else)
        state: SharedState,
        llm: LLMSettings,
        llm_cache_s: float = 15.0,
    ) -> None:
        self._store = store
        self.state = state
        self.llm = llm
        self.llm_cache_s = llm_cache_s
        self._llm_checked: tuple[float, str] | None = None
        self.draining = False
        self.first_sync = FirstSync()

    async def report(self) -> tuple[int, dict[str, Any]]:
        checks: dict[str, str] = {}
        checks["qdrant"] = await self._qdrant()
        checks.update(await self.state.readiness())
        if self.llm.enabled:
            checks["llm"] = await self._llm()
        if self.draining:
            return 503, {"status": "draining", "checks": checks}
        if self.first_sync.running:
            checks["qdrant"] = self.first_sync.describe()
            return 503, {"status": "indexing", "checks": checks}
        if checks["qdrant"] != "ok":
            return 503, {"status": "not ready", "checks": checks}
        degraded = any(v == "degraded" or v.startswith("degraded") for v in checks.values())
        return 200, {"status": "degraded" if degraded else "ok", "checks": checks}

    async def _qdrant(self) -> str:
        def look() -> str:
            store: QdrantIndexStore = self._store()
            collection = store.current_collection()
            return "ok" if collection else "no index yet (run `wikibot index`)"

        try:
            return await asyncio.wait_for(asyncio.to_thread(look), CHECK_TIMEOUT_S)
        except TimeoutError:
            return "unreachable: timed out"
        except Exception as exc:
            return f"unreachable: {type(exc).__name__}"

    async def _llm(self) -> str:
        now = time.monotonic()
        if self._llm_checked and now - self._llm_checked[0] < self.llm_cache_s:
            return self._llm_checked[1]
        base = (self.llm.base_url or "https://api.openai.com/v1").rstrip("/")
        headers = {}
        if self.llm.api_key:
            headers["Authorization"] = f"Bearer {self.llm.api_key.get_secret_value()}"
        try:
            timeout = aiohttp.ClientTimeout(total=CHECK_TIMEOUT_S)
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.get(f"{base}/models", headers=headers) as response,
            ):
                result = "ok" if response.status < 500 else f"degraded: HTTP {response.status}"
        except Exception as exc:
            result = f"degraded: {type(exc).__name__}"
        self._llm_checked = (now, result)
        return result
