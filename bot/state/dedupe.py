"""Event dedupe: platforms retry deliveries; each event id is processed once.

Redis: ``SET key 1 NX EX ttl`` (atomic across replicas). Every event id is also written to
a per-process TTL cache, and both are checked: while Redis is down the cache keeps this
replica from answering a retry twice, and a retry that arrives on the other side of an
outage (first seen with Redis down and retried after it returned, or the reverse) is still
recognised by the replica that saw it first.
"""

from __future__ import annotations

import time
from typing import Protocol

from redis.asyncio import Redis

from bot.state.health import RedisHealth, RedisUnavailableError


class EventDeduplicator(Protocol):
    async def first_time(self, event_id: str) -> bool: ...


class InProcessDeduplicator:
    def __init__(self, *, ttl_s: float = 900) -> None:
        self.ttl_s = ttl_s
        self._seen: dict[str, float] = {}

    async def first_time(self, event_id: str) -> bool:
        now = time.monotonic()
        if len(self._seen) > 10_000:
            self._seen = {k: v for k, v in self._seen.items() if v > now}
        if self._seen.get(event_id, 0.0) > now:
            return False
        self._seen[event_id] = now + self.ttl_s
        return True


class RedisDeduplicator:
    def __init__(self, client: Redis, health: RedisHealth, *, ttl_s: int = 900) -> None:
        self.client, self.health, self.ttl_s = client, health, ttl_s
        self.fallback = InProcessDeduplicator(ttl_s=ttl_s)

    async def first_time(self, event_id: str) -> bool:
        key = f"wikibot:evt:{event_id}"
        if not await self.fallback.first_time(event_id):  # written through, always
            return False  # this replica has seen it: a duplicate whatever Redis says
        try:
            created = await self.health.run(
                lambda: self.client.set(key, "1", nx=True, ex=self.ttl_s)
            )
        except RedisUnavailableError:
            return True
        # only the delivery this replica saw first asks Redis: had the retries asked too,
        # a retry's SET could land before the first delivery's and both would be dropped
        return bool(created)
