"""The durable question log: every answered (or declined) question and every vote, for
feedback triage, the content-gap report, evaluation candidates and fine-tuning data.

Redis stream ``wikibot:log`` (one JSON field per entry), trimmed on every write to the last
WIKIBOT_LOG__MAX_ENTRIES entries and WIKIBOT_LOG__RETENTION_DAYS days. Personal HR answers
are never logged. Users are stored only as a salted hash (WIKIBOT_LOG__USER_SALT).

Entries are ``model_dump()`` of the typed models in bot/state/log_entries.py
(AnswerEntry, VoteEntry); readers get them back as dicts.
"""

from __future__ import annotations

import json
import time
from collections import deque
from typing import Any, Protocol

from redis.asyncio import Redis

from bot.state.health import RedisHealth, RedisUnavailableError

LOG_KEY = "wikibot:log"


class QuestionLog(Protocol):
    async def append(self, entry: dict[str, Any]) -> None: ...

    async def entries(self) -> list[dict[str, Any]]: ...


class InProcessQuestionLog:
    """Without Redis: the last entries of this process only."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self.items: deque[dict[str, Any]] = deque(maxlen=max_entries)

    async def append(self, entry: dict[str, Any]) -> None:
        self.items.append(entry)

    async def entries(self) -> list[dict[str, Any]]:
        return list(self.items)


class RedisQuestionLog:
    def __init__(
        self,
        client: Redis,
        health: RedisHealth,
        *,
        max_entries: int = 100_000,
        retention_days: int = 180,
    ) -> None:
        self.client, self.health = client, health
        self.max_entries = max_entries
        self.retention_s = retention_days * 86400
        self.fallback = InProcessQuestionLog(10_000)  # while Redis is down (not exported)

    async def append(self, entry: dict[str, Any]) -> None:
        oldest = f"{int((time.time() - self.retention_s) * 1000)}-0"

        async def write() -> None:  # one round trip: append, trim by count and by age
            pipe = self.client.pipeline(transaction=False)
            pipe.xadd(
                LOG_KEY, {"json": json.dumps(entry)}, maxlen=self.max_entries, approximate=True
            )
            pipe.xtrim(LOG_KEY, minid=oldest, approximate=True)
            await pipe.execute()

        try:
            await self.health.run(write)
        except RedisUnavailableError:
            await self.fallback.append(entry)

    async def entries(self) -> list[dict[str, Any]]:
        rows = await self.health.run(lambda: self.client.xrange(LOG_KEY))
        return [json.loads(fields["json"]) for _, fields in rows or [] if fields]
