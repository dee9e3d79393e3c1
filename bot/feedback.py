"""👍/👎 on answers: what was asked, answered and cited is kept when the answer is posted
(keyed by a feedback id carried in the buttons), and a click appends one vote record.

Redis: ``wikibot:answer:<id>`` (JSON, 30 days) and the list ``wikibot:feedback``. Without
Redis, in-process lists (lost on restart; logged at start-up like the other state).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Literal, Protocol

from redis.asyncio import Redis

from bot.models import Answer

ANSWER_TTL_S = 30 * 24 * 3600
FEEDBACK_KEY = "wikibot:feedback"


def answer_record(answer: Answer, *, platform: str, workspace: str, user: str) -> dict[str, Any]:
    return {
        "platform": platform,
        "workspace": workspace,
        "asked_by": user,
        "question": answer.question,
        "answer": answer.text,
        "answered": answer.answered,
        "cited_doc_ids": [c.doc_id for c in answer.citations],
        "writer": answer.writer,
        "at": time.time(),
    }


def vote_record(
    answer: dict[str, Any], feedback_id: str, user: str, vote: Literal["up", "down"]
) -> dict[str, Any]:
    """What one click stores: the answer's record plus who voted how, and when."""
    return {
        **answer,
        "feedback_id": feedback_id,
        "user": user,
        "vote": vote,
        "voted_at": time.time(),
    }


class FeedbackStore(Protocol):
    async def remember(self, record: dict[str, Any]) -> str: ...

    async def vote(
        self, feedback_id: str, user: str, vote: Literal["up", "down"]
    ) -> dict[str, Any] | None: ...

    async def votes(self) -> list[dict[str, Any]]: ...


class InProcessFeedbackStore:
    def __init__(self) -> None:
        self.answers: dict[str, dict[str, Any]] = {}
        self.records: list[dict[str, Any]] = []

    async def remember(self, record: dict[str, Any]) -> str:
        feedback_id = uuid.uuid4().hex
        self.answers[feedback_id] = record
        return feedback_id

    async def vote(
        self, feedback_id: str, user: str, vote: Literal["up", "down"]
    ) -> dict[str, Any] | None:
        answer = self.answers.get(feedback_id)
        if answer is None:
            return None
        record = vote_record(answer, feedback_id, user, vote)
        self.records.append(record)
        return record

    async def votes(self) -> list[dict[str, Any]]:
        return list(self.records)


class RedisFeedbackStore:
    def __init__(self, client: Redis) -> None:
        self.client = client

    async def remember(self, record: dict[str, Any]) -> str:
        feedback_id = uuid.uuid4().hex
        await self.client.set(f"wikibot:answer:{feedback_id}", json.dumps(record), ex=ANSWER_TTL_S)
        return feedback_id

    async def vote(
        self, feedback_id: str, user: str, vote: Literal["up", "down"]
    ) -> dict[str, Any] | None:
        raw = await self.client.get(f"wikibot:answer:{feedback_id}")
        if raw is None:
            return None
        record = vote_record(json.loads(raw), feedback_id, user, vote)
        await self.client.rpush(FEEDBACK_KEY, json.dumps(record))
        return record

    async def votes(self) -> list[dict[str, Any]]:
        return [json.loads(raw) for raw in await self.client.lrange(FEEDBACK_KEY, 0, -1)]
