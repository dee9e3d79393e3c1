"""👍/👎 on answers: what was asked, answered and cited is kept when the answer is posted
(keyed by a feedback id carried in the buttons, with where it was posted), and a click
stores that person's vote on that answer, replacing their earlier one
(bot/state/vote_rules.py: who may vote, how many, how long a comment).

Redis: ``wikibot:answer:<id>`` (JSON, 30 days), the hash ``wikibot:votes`` (one field per
answer and person) and ``wikibot:voters`` (people per answer); votes written by earlier
versions to the list ``wikibot:feedback`` are still read. Without Redis, in-process (lost
on restart; logged at start-up like the other state).
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any, Literal, Protocol

from redis.asyncio import Redis

from bot.models import Answer
from bot.state.health import RedisHealth, RedisUnavailableError
from bot.state.log_entries import AnswerEntry, VoteEntry, hash_user
from bot.state.question_log import InProcessQuestionLog, QuestionLog
from bot.state.vote_rules import MAX_VOTERS_PER_ANSWER, changed, vote_record

logger = logging.getLogger(__name__)

ANSWER_TTL_S = 30 * 24 * 3600
VOTES_KEY, VOTERS_KEY = "wikibot:votes", "wikibot:voters"
FULL = "an answer has %d voters already: a further voter's vote is not stored"
LEGACY_FEEDBACK_KEY = "wikibot:feedback"  # a list, one entry per click (before issue 27)
# one vote per person per answer, at most ARGV[4] people per answer; returns {stored, old}
STORE_VOTE = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
if not old then
  if tonumber(redis.call('HGET', KEYS[2], ARGV[3]) or '0') >= tonumber(ARGV[4]) then
    return {0, false}
  end
  redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return {1, old}
"""


class _Logging:
    """Feeds the question log: answers when they are remembered, votes when they change."""

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

    async def log_vote(self, record: dict[str, Any]) -> None:
        if record.get("personal"):
            return
        platform = record.get("platform", "")
        entry = VoteEntry(
            id=record["feedback_id"],
            platform=platform,
            user=hash_user(platform, record["user"], self.salt),
            vote=record["vote"],
            reason=str(record.get("reason", "")),
        )
        await self.log.append(entry.model_dump())


class FeedbackStore(Protocol):
    async def remember(self, record: dict[str, Any], answer: Answer | None = None) -> str:
        """Keep ``record`` (an AnswerRecord's dump) for the buttons; log ``answer``."""
        ...

    async def answer(self, feedback_id: str) -> dict[str, Any] | None:
        """The answer's record (None: unknown or expired); raises RedisUnavailableError
        when it cannot be read."""
        ...

    async def vote(
        self, feedback_id: str, user: str, vote: Literal["up", "down"], reason: str = ""
    ) -> dict[str, Any] | None:
        """Store ``user``'s vote on the answer (None: unknown answer), replacing theirs."""
        ...

    async def votes(self) -> list[dict[str, Any]]:
        """Every stored vote, one per person per answer, oldest first."""
        ...


class InProcessFeedbackStore(_Logging):
    def __init__(self, log: QuestionLog | None = None, *, salt: str = "", model: str = "") -> None:
        super().__init__(log or InProcessQuestionLog(), salt=salt, model=model)
        self.answers: dict[str, dict[str, Any]] = {}
        self.stored: dict[tuple[str, str], dict[str, Any]] = {}  # (answer, person) -> vote
        self.voters: dict[str, int] = {}

    async def remember(self, record: dict[str, Any], answer: Answer | None = None) -> str:
        feedback_id = uuid.uuid4().hex
        await self.log_answer(record, answer, feedback_id)
        self.answers[feedback_id] = dict(record)
        return feedback_id

    async def answer(self, feedback_id: str) -> dict[str, Any] | None:
        return self.answers.get(feedback_id)

    async def vote(
        self, feedback_id: str, user: str, vote: Literal["up", "down"], reason: str = ""
    ) -> dict[str, Any] | None:
        answer = self.answers.get(feedback_id)
        if answer is None:
            return None
        record = vote_record(answer, feedback_id, user, vote, reason)
        key = (feedback_id, user)
        old = self.stored.get(key)
        if old is None:
            if self.voters.get(feedback_id, 0) >= MAX_VOTERS_PER_ANSWER:
                logger.info(FULL, MAX_VOTERS_PER_ANSWER)
                return record
            self.voters[feedback_id] = self.voters.get(feedback_id, 0) + 1
        self.stored[key] = record
        if changed(old, record):
            await self.log_vote(record)
        return record

    async def votes(self) -> list[dict[str, Any]]:
        return sorted(self.stored.values(), key=lambda r: float(r.get("voted_at") or 0))


class RedisFeedbackStore(_Logging):
    """Redis-backed; while Redis is down (see bot/state/health.py) answers are remembered in
    this process so their buttons still work, and votes wait in this process (one per person
    per answer) until the first vote after the outage writes them to Redis: an outage never
    loses a vote (unless the process dies)."""

    def __init__(
        self, client: Redis, health: RedisHealth, log: QuestionLog, *, salt: str, model: str
    ) -> None:
        super().__init__(log, salt=salt, model=model)
        self.client, self.health = client, health
        self.local = InProcessFeedbackStore(log, salt=salt, model=model)
        self.pending: dict[tuple[str, str], dict[str, Any]] = {}  # votes waiting for Redis

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

    async def answer(self, feedback_id: str) -> dict[str, Any] | None:
        local = self.local.answers.get(feedback_id)
        if local is not None:
            return local
        raw = await self.health.run(lambda: self.client.get(f"wikibot:answer:{feedback_id}"))
        return json.loads(raw) if raw else None

    async def vote(
        self, feedback_id: str, user: str, vote: Literal["up", "down"], reason: str = ""
    ) -> dict[str, Any] | None:
        try:
            answer = await self.answer(feedback_id)
        except RedisUnavailableError:
            record = vote_record({"answer_pending": True}, feedback_id, user, vote, reason)
            self.pending[(feedback_id, user)] = record
            logger.warning("Redis is down: a feedback vote is queued in this process")
            return record
        if answer is None:
            return None
        record = vote_record(answer, feedback_id, user, vote, reason)
        try:
            for late in await self._complete():
                await self._store(late)
            self.pending.clear()
            await self._store(record)
        except RedisUnavailableError:
            self.pending[(feedback_id, user)] = record
        return record

    async def _complete(self) -> list[dict[str, Any]]:
        """Queued votes get their answer's record, now that Redis answers again."""
        done = []
        for vote in self.pending.values():
            if vote.pop("answer_pending", False):
                vote = {**(await self.answer(vote["feedback_id"]) or {}), **vote}
            done.append(vote)
        return done

    async def _store(self, record: dict[str, Any]) -> None:
        field = f"{record['feedback_id']}:{record['user']}"
        stored, old = await self.health.run(
            lambda: self.client.eval(
                STORE_VOTE,
                2,
                VOTES_KEY,
                VOTERS_KEY,
                field,
                json.dumps(record),
                record["feedback_id"],
                str(MAX_VOTERS_PER_ANSWER),
            )
        )
        if not stored:
            logger.info(FULL, MAX_VOTERS_PER_ANSWER)
            return
        if changed(json.loads(old) if old else None, record):
            await self.log_vote(record)

    async def votes(self) -> list[dict[str, Any]]:
        legacy = await self.health.run(lambda: self.client.lrange(LEGACY_FEEDBACK_KEY, 0, -1))
        current = await self.health.run(lambda: self.client.hvals(VOTES_KEY))
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        for raw in [*legacy, *current]:  # the hash is newer than the list
            vote = json.loads(raw)
            latest[(vote.get("feedback_id", ""), vote.get("user", ""))] = vote
        return sorted(latest.values(), key=lambda r: float(r.get("voted_at") or 0))
