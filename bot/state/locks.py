"""The reindex lock: one reindex at a time across replicas.

Taken with ``SET NX EX`` (so it expires if its holder dies), released and extended only by
its holder (compare-and-delete / compare-and-expire in Lua, by a random token). When Redis
is down the lock cannot be taken and the reindex is refused: coordination never fails open.

Not ``redis.asyncio.lock.Lock``: that lock stores a bare token, and a refused admin must be
told who holds the lock and since when ("started by <@U1> (Slack) at 10:02"), which needs
the holder in the value; the Lua compare-and-delete/extend here is the same algorithm.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

from bot.errors import LockHeldError
from bot.state.health import RedisHealth, RedisUnavailableError

__all__ = ["HeldLock", "LockHeldError", "ReindexLock", "holding"]

logger = logging.getLogger(__name__)

_RELEASE = """
local value = redis.call('GET', KEYS[1])
if value and cjson.decode(value)['token'] == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
_EXTEND = """
local value = redis.call('GET', KEYS[1])
if value and cjson.decode(value)['token'] == ARGV[1] then
  return redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


@dataclass(frozen=True)
class HeldLock:
    name: str
    token: str
    holder: str


def _held_message(raw: str | bytes | None) -> str:
    try:
        info = json.loads(raw or "{}")
        started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(info["started_at"]))
        return f"a reindex is already running, started by {info['holder']} at {started}"
    except (ValueError, KeyError, TypeError):
        return "a reindex is already running"


class ReindexLock(Protocol):
    async def acquire(self, holder: str) -> HeldLock: ...

    async def release(self, lock: HeldLock) -> bool: ...

    async def extend(self, lock: HeldLock) -> bool: ...


class InProcessReindexLock:
    def __init__(self, *, ttl_s: int = 1800, name: str = "reindex") -> None:
        self.ttl_s, self.name = ttl_s, name
        self._value: tuple[float, str] | None = None  # expiry, json

    async def acquire(self, holder: str) -> HeldLock:
        now = time.time()
        if self._value and self._value[0] > now:
            raise LockHeldError(_held_message(self._value[1]))
        token = uuid.uuid4().hex
        info = {"holder": holder, "started_at": now, "token": token}
        self._value = (now + self.ttl_s, json.dumps(info))
        return HeldLock(self.name, token, holder)

    async def release(self, lock: HeldLock) -> bool:
        if self._value and json.loads(self._value[1])["token"] == lock.token:
            self._value = None
            return True
        return False

    async def extend(self, lock: HeldLock) -> bool:
        if self._value and json.loads(self._value[1])["token"] == lock.token:
            self._value = (time.time() + self.ttl_s, self._value[1])
            return True
        return False


class RedisReindexLock:
    def __init__(
        self, client: Redis, health: RedisHealth, *, ttl_s: int = 1800, name: str = "reindex"
    ) -> None:
        self.client, self.health, self.ttl_s = client, health, ttl_s
        self.name = name
        self.key = f"wikibot:lock:{name}"
        self._release = client.register_script(_RELEASE)
        self._extend = client.register_script(_EXTEND)

    async def acquire(self, holder: str) -> HeldLock:
        """Raises LockHeldError (someone has it) or RedisUnavailableError (cannot know)."""
        token = uuid.uuid4().hex
        value = json.dumps({"holder": holder, "started_at": time.time(), "token": token})
        taken = await self.health.run(
            lambda: self.client.set(self.key, value, nx=True, ex=self.ttl_s)
        )
        if not taken:
            raise LockHeldError(
                _held_message(await self.health.run(lambda: self.client.get(self.key)))
            )
        return HeldLock(self.name, token, holder)

    async def release(self, lock: HeldLock) -> bool:
        return bool(
            await self.health.run(lambda: self._release(keys=[self.key], args=[lock.token]))
        )

    async def extend(self, lock: HeldLock) -> bool:
        result = await self.health.run(
            lambda: self._extend(keys=[self.key], args=[lock.token, self.ttl_s])
        )
        return bool(result)


@asynccontextmanager
async def holding(
    lock: ReindexLock, holder: str, *, extend_every_s: float
) -> AsyncIterator[HeldLock]:
    """Hold ``lock`` for the body, extending it every ``extend_every_s`` so a long reindex
    keeps it, and releasing it however the body ends. Raises LockHeldError or
    RedisUnavailableError when it cannot be taken."""
    held = await lock.acquire(holder)

    async def keep() -> None:
        while True:
            await asyncio.sleep(extend_every_s)
            try:
                if not await lock.extend(held):
                    logger.warning("the reindex lock was lost (expired?); the run continues")
            except Exception as exc:  # upkeep must not break the run
                logger.warning("could not extend the reindex lock: %s", type(exc).__name__)

    keeper = asyncio.ensure_future(keep())
    try:
        yield held
    finally:
        keeper.cancel()
        try:
            await lock.release(held)
        except RedisUnavailableError:
            logger.warning("could not release the reindex lock (Redis down); it will expire")
