"""The durable question log: every answered (or declined) question and every vote, for
feedback triage, the content-gap report, evaluation candidates and fine-tuning data.

Redis stream ``wikibot:log`` (one JSON field per entry), trimmed on every write to the last
WIKIBOT_LOG__MAX_ENTRIES entries and WIKIBOT_LOG__RETENTION_DAYS days. Personal HR answers
are never logged. Users are stored only as a salted hash (WIKIBOT_LOG__USER_SALT).

Entry kinds::

    {"kind": "answer", "id", "ts", "platform", "user", "question", "standalone", "answer",
     "answered", "writer", "model", "latency_ms", "retrieved": [{"chunk_id", "doc_id",
     "source", "title", "score"}], "cited_chunk_ids", "cited_doc_ids"}
    {"kind": "vote", "id" (the answer's), "ts", "platform", "user", "vote", "reason"}
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import deque
from typing import Any, Protocol

from redis.asyncio import Redis

from bot.models import Answer
from bot.state.health import RedisHealth, RedisUnavailableError

LOG_KEY = "wikibot:log"


def hash_user(platform: str, user: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}\x00{platform}\x00{user}".encode()).hexdigest()[:16]


def answer_entry(
    answer: Answer, *, answer_id: str, platform: str, user_hash: str, model: str
) -> dict[str, Any]:
    cited_docs = {c.doc_id for c in answer.citations}
    return {
        "kind": "answer",
        "id": answer_id,
        "ts": time.time(),
        "platform": platform,
        "user": user_hash,
        "question": answer.question,
        "standalone": answer.standalone_question,
        "answer": answer.text,
        "answered": answer.answered,
        "answerable_p": answer.answerable_p,
        "writer": answer.writer,
        "model": model if answer.writer == "llm" else "extractive",
        "latency_ms": round(answer.timings_ms.get("total", 0.0), 1),
        "retrieved": [
            {
                "chunk_id": c.chunk_id,
                "doc_id": c.doc_id,
                "source": c.source,
                "title": c.title,
                "updated_at": c.updated_at,
                "score": round(c.score, 4),
            }
            for c in answer.retrieved
        ],
        "cited_doc_ids": sorted(cited_docs),
        "cited_chunk_ids": [c.chunk_id for c in answer.retrieved if c.doc_id in cited_docs],
    }


def vote_entry(
    answer_id: str, *, platform: str, user_hash: str, vote: str, reason: str = ""
) -> dict[str, Any]:
    return {
        "kind": "vote",
        "id": answer_id,
        "ts": time.time(),
        "platform": platform,
        "user": user_hash,
        "vote": vote,
        "reason": reason,
    }


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
