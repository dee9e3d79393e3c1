"""A version number per shared conversation, bumped by every membership event.

An answer that may use restricted documents in a channel reads the versions of its
conversation before it reads the members, and again before it posts: a join, a leave or a
conversion delivered in between (to any replica, when Redis is configured) changes the
number, so the answer is recomputed for the new members instead of being posted for the old
ones (bot/conversation_access.py). A version that cannot be read (Redis down) raises, and the
caller answers from public documents only.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from typing import Protocol

from redis.asyncio import Redis

from bot.state.health import RedisHealth, RedisUnavailableError

logger = logging.getLogger(__name__)
VERSION_TTL_S = 7 * 86400  # an idle conversation's counter may go; a missing one reads 0
UNRECORDED_S = 300.0  # after a bump Redis refused, this replica answers there public only


class MembershipVersions(Protocol):
    async def read(self, keys: tuple[str, ...]) -> tuple[int, ...]:
        """The current version of each key (0 if never bumped); raises if unknown."""
        ...

    async def bump(self, key: str) -> None:
        """A membership event for ``key`` (never raises: the fresh member read still holds)."""
        ...


class InProcessMembershipVersions:
    """One process: a dict of counters."""

    def __init__(self) -> None:
        self.versions: defaultdict[str, int] = defaultdict(int)

    async def read(self, keys: tuple[str, ...]) -> tuple[int, ...]:
        return tuple(self.versions.get(key, 0) for key in keys)

    async def bump(self, key: str) -> None:
        self.versions[key] += 1


class RedisMembershipVersions:
    """Shared by every replica: INCR on an event, MGET before and after an answer."""

    def __init__(self, redis: Redis, health: RedisHealth) -> None:
        self.redis, self.health = redis, health
        self.unrecorded: dict[str, float] = {}  # key -> until when: an event Redis missed

    @staticmethod
    def _key(key: str) -> str:
        return f"wikibot:members_version:{key}"

    async def read(self, keys: tuple[str, ...]) -> tuple[int, ...]:
        now = time.monotonic()
        if any(self.unrecorded.get(key, 0.0) > now for key in keys):
            raise RedisUnavailableError("a membership change here was not recorded in Redis")
        if not keys:
            return ()
        names = [self._key(k) for k in keys]
        values = await self.health.run(lambda: self.redis.mget(names))
        return tuple(int(v) if v is not None else 0 for v in values)

    async def bump(self, key: str) -> None:
        async def write() -> None:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.incr(self._key(key))
                pipe.expire(self._key(key), VERSION_TTL_S)
                await pipe.execute()

        try:
            await self.health.run(write)
        except Exception as exc:  # this replica answers public only there for a while
            self.unrecorded[key] = time.monotonic() + UNRECORDED_S
            logger.warning("could not record a membership change in Redis: %s", exc)
