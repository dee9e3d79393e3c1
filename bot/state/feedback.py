"""👍/👎 on answers: what was asked, answered and cited is kept when the answer is posted
(keyed by a feedback id carried in the buttons), and a click appends one vote record.

Redis: ``wikibot:answer:<id>`` (JSON, 30 days) and the list ``wikibot:feedback``. Without
Redis, in-process lists (lost on restart; logged at start-up like the other state).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any, Literal, Protocol

from redis.asyncio import Redis

from bot.models import Answer
from bot.state.health import RedisHealth, RedisUnavailableError
from bot.state.log_entries import AnswerEntry, VoteEntry, hash_user
from bot.state.question_log import InProcessQuestionLog, QuestionLog

logger = logging.getLogger(__name__)

ANSWER_TTL_S = 30 * 24 * 3600
FEEDBACK_KEY = "wikibot:feedback"
MAX_REASON_CHARS = 1000


class _Logging:
    """Feeds the question log: answers when they are remembered, votes when cast."""

    def __init__(self, log: QuestionLog, *, salt: str, model: str) -> None:
        self.log, self.salt, self.model = log, salt, model

    async def log_answer(
        self, record: dict[str, Any], answer: Answer | None, answer_id: str
    ) -> None:
        if answer is None or record.get("personal"):
            return  # personal HR answers are never logged
        platform = record.get("platform", "")
        user = hash_user(platform, record.get("asked_by", ""), self.salt)
        entry = AnswerEntry.of(
            answer, answer_id=answer_id, platform=platform, user_hash=user, model=self.model
        )
        await self.log.append(entry.model_dump())

    async def log_vote(
        self, record: dict[str, Any], user: str, vote: Literal["up", "down"]
    ) -> None:
        if record.get("personal"):
            return
        platform = record.get("platform", "")
        entry = VoteEntry(
            id=record["feedback_id"],
            platform=platform,
            user=hash_user(platform, user, self.salt),
            vote=vote,
            reason=str(record.get("reason", ""))[:MAX_REASON_CHARS],
        )
        await self.log.append(entry.model_dump())


def vote_record(
    answer: dict[str, Any],
    feedback_id: str,
    user: str,
    vote: Literal["up", "down"],
    reason: str = "",
) -> dict[str, Any]:
    """What one click stores: the answer's record plus who voted how, and when; a 👎's
    comment ("what was wrong or missing") comes as the same person's vote again, with
    ``reason``: readers take each person's latest vote."""
    return {
        **answer,
        "feedback_id": feedback_id,
        "user": user,
        "vote": vote,
        "voted_at": time.time(),
        **({"reason": reason} if reason else {}),
    }


class FeedbackStore(Protocol):
    async def remember(self, record: dict[str, Any], answer: Answer | None = None) -> str:
        """Keep ``record`` (an AnswerRecord's dump) for the buttons; log ``answer``."""
        ...

    async def vote(
        self, feedback_id: str, user: str, vote: Literal["up", "down"], reason: str = ""
    ) -> dict[str, Any] | None: ...

    async def votes(self) -> list[dict[str, Any]]: ...


class InProcessFeedbackStore(_Logging):
    def __init__(self, log: QuestionLog | None = None, *, salt: str = "", model: str = "") -> None:
        super().__init__(log or InProcessQuestionLog(), salt=salt, model=model)
        self.answers: dict[str, dict[str, Any]] = {}
        self.records: list[dict[str, Any]] = []

    async def remember(self, record: dict[str, Any], answer: Answer | None = None) -> str:
        feedback_id = uuid.uuid4().hex
        await self.log_answer(record, answer, feedback_id)
        self.answers[feedback_id] = dict(record)
        return feedback_id

    async def vote(
        self, feedback_id: str, user: str, vote: Literal["up", "down"], reason: str = ""
    ) -> dict[str, Any] | None:
        answer = self.answers.get(feedback_id)
        if answer is None:
            return None
        record = vote_record(answer, feedback_id, user, vote, reason)
        self.records.append(record)
        await self.log_vote(record, user, vote)
        return record

    async def votes(self) -> list[dict[str, Any]]:
        return list(self.records)


class RedisFeedbackStore(_Logging):
    """Redis-backed; while Redis is down (see bot/state/health.py) answers are remembered in
    this process so their buttons still work, and votes wait in a queue that the first vote
    after the outage writes to Redis: an outage never loses a vote (unless the process dies)."""

    def __init__(
        self, client: Redis, health: RedisHealth, log: QuestionLog, *, salt: str, model: str
    ) -> None:
        super().__init__(log, salt=salt, model=model)
        self.client, self.health = client, health
        self.local = InProcessFeedbackStore(log, salt=salt, model=model)
        self.pending: list[dict[str, Any]] = []  # votes waiting for Redis

    async def remember(self, record: dict[str, Any], answer: Answer | None = None) -> str:
        feedback_id = uuid.uuid4().hex
        await self.log_answer(record, answer, feedback_id)
        data = json.dumps(record)
        try:
            await self.health.run(
                lambda: self.client.set(f"wikibot:answer:{feedback_id}", data, ex=ANSWER_TTL_S)
            )
        except RedisUnavailableError:
            self.local.answers[feedback_id] = record
        return feedback_id

    async def vote(
        self, feedback_id: str, user: str, vote: Literal["up", "down"], reason: str = ""
    ) -> dict[str, Any] | None:
        local = self.local.answers.get(feedback_id)
        try:
            raw: str | bytes | None = json.dumps(local) if local else None
            if raw is None:
                raw = await self.health.run(
                    lambda: self.client.get(f"wikibot:answer:{feedback_id}")
                )
        except RedisUnavailableError:
            record = vote_record({"answer_pending": True}, feedback_id, user, vote, reason)
            self.pending.append(record)
            logger.warning("Redis is down: a feedback vote is queued in this process")
            return record
        if raw is None:
            return None
        record = vote_record(json.loads(raw), feedback_id, user, vote, reason)
        await self.log_vote(record, user, vote)
        try:
            queued = await self._complete(self.pending)
            await self._write([*queued, record])
            self.pending.clear()
            for late in queued:
                await self.log_vote(late, late["user"], late["vote"])
        except RedisUnavailableError:
            self.pending.append(record)
        return record

    async def _complete(self, votes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Queued votes get their answer's record, now that Redis answers again."""
        done = []
        for vote in votes:
            if vote.pop("answer_pending", False):
                key = f"wikibot:answer:{vote['feedback_id']}"
                stored = await self.health.run(lambda key=key: self.client.get(key))  # type: ignore[misc]
                vote = {**(json.loads(stored) if stored else {}), **vote}
            done.append(vote)
        return done

    async def _write(self, records: list[dict[str, Any]]) -> None:
        await self.health.run(
            lambda: self.client.rpush(FEEDBACK_KEY, *(json.dumps(r) for r in records))
        )

    async def votes(self) -> list[dict[str, Any]]:
        raw = await self.health.run(lambda: self.client.lrange(FEEDBACK_KEY, 0, -1))
        return [json.loads(r) for r in raw]
