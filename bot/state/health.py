"""Tracks whether Redis is reachable, so Redis-backed parts can degrade and recover.

Every Redis-backed implementation runs its commands through :meth:`RedisHealth.run`:
on a connection error or timeout it logs one warning per outage, marks Redis down and
tells the caller to use its fallback. While down, Redis is retried at most once per
``retry_interval_s`` (so a dead server costs no timeout per question), and the first
success ends the outage with an info line: no restart needed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.errors import DependencyError

logger = logging.getLogger(__name__)

T = TypeVar("T")

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError, TimeoutError)


class RedisUnavailableError(DependencyError):
    """Redis is down; the caller falls back (or, for locks and access control, refuses)."""

    service = "Redis (conversation memory and shared state)"


class RedisHealth:
    def __init__(self, client: Redis, *, retry_interval_s: float = 1.0) -> None:
        self.client = client
        self.retry_interval_s = retry_interval_s
        self.down_since: float | None = None
        self._last_attempt = 0.0

    @property
    def degraded(self) -> bool:
        return self.down_since is not None

    async def run(self, command: Callable[[], Awaitable[T]]) -> T:
        """Run a Redis command; raise RedisUnavailableError when Redis is (still) down."""
        now = time.monotonic()
        if self.down_since is not None and now - self._last_attempt < self.retry_interval_s:
            raise RedisUnavailableError("Redis is unavailable")
        self._last_attempt = now
        try:
            result = await command()
        except OUTAGE_ERRORS as exc:
            if self.down_since is None:
                self.down_since = now
                logger.warning(
                    "Redis unavailable (%s); degrading: single-turn memory, per-process "
                    "rate limits and dedupe until it returns",
                    type(exc).__name__,
                )
            raise RedisUnavailableError("Redis is unavailable") from exc
        if self.down_since is not None:
            logger.warning(
                "Redis is back after %.1f s; shared state restored", now - self.down_since
            )
            self.down_since = None
        return result

    async def check(self) -> dict[str, str]:
        """For /readyz: {"redis": "ok" | "degraded"}."""
        try:
            await self.run(self.client.ping)
        except RedisUnavailableError:
            return {"redis": "degraded"}
        return {"redis": "ok"}
