"""Rate limits per user and per workspace: a sliding window log, checked atomically.

In Redis both windows are checked and recorded by one Lua script (Redis's own clock, no
read-then-write race between replicas). Keys share a hash tag per workspace, so the script
also runs on Redis Cluster. When Redis is down, a per-process limiter with the same rules
takes over until it returns.
"""

from __future__ import annotations

import math
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

from bot import messages
from bot.state.health import RedisHealth, RedisUnavailableError

_SLIDING_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[3])
local limits = {tonumber(ARGV[1]), tonumber(ARGV[2])}
local retry = 0
for i = 1, 2 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if redis.call('ZCARD', KEYS[i]) >= limits[i] then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    local wait = tonumber(oldest[2]) + window - now
    if wait > retry then retry = wait end
  end
end
if retry > 0 then return {0, retry} end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[i], window)
end
return {1, 0}
"""


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after_s: float = 0.0

    def message(self) -> str:
        seconds = max(1, math.ceil(self.retry_after_s))
        return messages.rate_limited(seconds)


class RateLimiter(Protocol):
    async def check(self, workspace: str, user: str, *, exempt: bool = False) -> RateDecision: ...


class InProcessRateLimiter:
    """The same sliding window in this process's memory (embedded default, Redis outages)."""

    def __init__(self, *, user_limit: int, workspace_limit: int, window_s: float) -> None:
        self.limits = (user_limit, workspace_limit)
        self.window_s = window_s
        self._log: dict[str, deque[float]] = {}

    async def check(self, workspace: str, user: str, *, exempt: bool = False) -> RateDecision:
        if exempt:
            return RateDecision(True)
        now = time.monotonic()
        logs = [
            self._log.setdefault(k, deque()) for k in (f"u:{workspace}:{user}", f"w:{workspace}")
        ]
        retry = 0.0
        for log, limit in zip(logs, self.limits, strict=True):
            while log and log[0] <= now - self.window_s:
                log.popleft()
            if len(log) >= limit:
                retry = max(retry, log[0] + self.window_s - now)
        if retry > 0:
            return RateDecision(False, retry)
        for log in logs:
            log.append(now)
        return RateDecision(True)


class RedisRateLimiter:
    def __init__(
        self,
        client: Redis,
        health: RedisHealth,
        *,
        user_limit: int,
        workspace_limit: int,
        window_s: float,
    ) -> None:
        self.client, self.health = client, health
        self.user_limit, self.workspace_limit = user_limit, workspace_limit
        self.window_ms = int(window_s * 1000)
        self.script = client.register_script(_SLIDING_WINDOW)
        self.fallback = InProcessRateLimiter(
            user_limit=user_limit, workspace_limit=workspace_limit, window_s=window_s
        )

    async def check(self, workspace: str, user: str, *, exempt: bool = False) -> RateDecision:
        if exempt:
            return RateDecision(True)
        keys = [f"wikibot:rl:{{{workspace}}}:u:{user}", f"wikibot:rl:{{{workspace}}}:ws"]
        args: list[int | str] = [
            self.user_limit,
            self.workspace_limit,
            self.window_ms,
            uuid.uuid4().hex,
        ]
        try:
            allowed, retry_ms = await self.health.run(lambda: self.script(keys=keys, args=args))
        except RedisUnavailableError:
            return await self.fallback.check(workspace, user)
        return RateDecision(bool(allowed), int(retry_ms) / 1000)
