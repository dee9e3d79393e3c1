"""Builds the state replicas share: conversation memory, rate limits, dedupe, the reindex
lock. Redis when ``REDIS_URL`` is set; in-process otherwise (single process only, said in
the log at start-up)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from redis.asyncio import Redis

from bot.config import LimitSettings, LogSettings, RedisSettings, redact_url
from bot.state.dedupe import EventDeduplicator, InProcessDeduplicator, RedisDeduplicator
from bot.state.feedback import FeedbackStore, InProcessFeedbackStore, RedisFeedbackStore
from bot.state.health import RedisHealth
from bot.state.locks import InProcessReindexLock, RedisReindexLock, ReindexLock
from bot.state.membership_versions import (
    InProcessMembershipVersions,
    MembershipVersions,
    RedisMembershipVersions,
)
from bot.state.memory import ConversationMemory, InProcessMemory, RedisMemory
from bot.state.question_file import FileQuestionLog
from bot.state.question_log import InProcessQuestionLog, QuestionLog, RedisQuestionLog
from bot.state.ratelimit import InProcessRateLimiter, RateLimiter, RedisRateLimiter

logger = logging.getLogger(__name__)


@dataclass
class SharedState:
    memory: ConversationMemory
    limiter: RateLimiter
    dedupe: EventDeduplicator
    reindex_lock: ReindexLock
    feedback: FeedbackStore
    question_log: QuestionLog
    membership_versions: MembershipVersions
    health: RedisHealth | None = None
    client: Redis | None = None

    async def readiness(self) -> dict[str, str]:
        """For /readyz: Redis "ok", "degraded" (answering without it), or "in-process"."""
        if self.health is None:
            return {"redis": "in-process"}
        return await self.health.check()

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()


def build_shared_state(
    redis: RedisSettings,
    limits: LimitSettings,
    log: LogSettings | None = None,
    *,
    log_file: Path | None = None,
) -> SharedState:
    """Redis state when REDIS_URL is set; otherwise in-process state, with the question log
    in ``log_file`` (a JSONL file in the data directory) when one is given."""
    log = log or LogSettings()
    salt, model = log.user_salt.get_secret_value(), log.model
    if not redis.url:
        question_log: QuestionLog = (
            FileQuestionLog(
                log_file, max_entries=log.max_entries, retention_days=log.retention_days
            )
            if log_file is not None
            else InProcessQuestionLog(log.max_entries)
        )
        logger.info(
            "REDIS_URL is not set: memory, rate limits, dedupe and the reindex lock are "
            "in-process (fine for one process; set REDIS_URL to run several replicas)"
        )
        return SharedState(
            memory=InProcessMemory(turns=redis.memory_turns, ttl_s=redis.memory_ttl_s),
            limiter=InProcessRateLimiter(
                user_limit=limits.user_per_window,
                workspace_limit=limits.workspace_per_window,
                window_s=limits.window_s,
            ),
            dedupe=InProcessDeduplicator(ttl_s=redis.dedupe_ttl_s),
            reindex_lock=InProcessReindexLock(ttl_s=redis.reindex_lock_ttl_s),
            feedback=InProcessFeedbackStore(question_log, salt=salt, model=model),
            question_log=question_log,
            membership_versions=InProcessMembershipVersions(),
        )
    client = Redis.from_url(
        redis.url,
        socket_timeout=redis.socket_timeout_s,
        socket_connect_timeout=redis.socket_timeout_s,
        decode_responses=True,
    )
    health = RedisHealth(client, retry_interval_s=redis.retry_interval_s)
    question_log = RedisQuestionLog(
        client, health, max_entries=log.max_entries, retention_days=log.retention_days
    )
    logger.info("shared state in Redis at %s", redact_url(redis.url))
    return SharedState(
        memory=RedisMemory(client, health, turns=redis.memory_turns, ttl_s=redis.memory_ttl_s),
        limiter=RedisRateLimiter(
            client,
            health,
            user_limit=limits.user_per_window,
            workspace_limit=limits.workspace_per_window,
            window_s=limits.window_s,
        ),
        dedupe=RedisDeduplicator(client, health, ttl_s=redis.dedupe_ttl_s),
        reindex_lock=RedisReindexLock(client, health, ttl_s=redis.reindex_lock_ttl_s),
        feedback=RedisFeedbackStore(client, health, question_log, salt=salt, model=model),
        question_log=question_log,
        membership_versions=RedisMembershipVersions(client, health),
        health=health,
        client=client,
    )
