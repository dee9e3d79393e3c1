"""Redis stops mid-run: the bot keeps answering (single-turn), reports degraded, refuses
the reindex lock, and recovers without a restart when Redis returns."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.config import LimitSettings, RedisSettings
from bot.models import Answer, ChatEvent, Citation
from bot.pipeline import QuestionPipeline
from bot.state.health import RedisUnavailableError
from bot.state.memory import ConversationKey
from bot.state.shared import build_shared_state


class EchoEngine:
    """Stands in for the answer engine: this test is about shared state, not answers."""

    def __init__(self) -> None:
        self.calls = 0

    def ask(self, question: str, history: list[Any] | None = None, **_: Any) -> Answer:
        self.calls += 1
        citation = Citation(n=1, title="Vacation", source="vacation.md", doc_id="h:vacation.md")
        return Answer(
            question=question, text=f"answer to {question} [1]", answered=True, citations=[citation]
        )


def _event(text: str, event_id: str) -> ChatEvent:
    return ChatEvent(
        platform="slack",
        workspace="T1",
        channel="D1",
        user="U1",
        text=text,
        event_id=event_id,
        is_dm=True,
    )


async def test_outage_degrades_and_recovers_without_restart(
    redis_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    state = build_shared_state(
        RedisSettings(url=redis_server.url, socket_timeout_s=0.2, retry_interval_s=0.1),
        LimitSettings(user_per_window=50),
    )
    engine = EchoEngine()
    pipeline = QuestionPipeline(engine=engine, state=state)
    try:
        first = await pipeline.handle(_event("How many vacation days?", "E1"))
        assert first is not None and first.history == []
        second = await pipeline.handle(_event("Do they roll over?", "E2"))
        assert second is not None and [t.question for t in second.history] == [
            "How many vacation days?"
        ]
        assert await state.readiness() == {"redis": "ok"}

        redis_server.stop()
        caplog.set_level(logging.WARNING)
        for i in range(3):
            reply = await pipeline.handle(_event(f"question {i} during the outage", f"O{i}"))
            assert reply is not None and reply.kind == "answer"
            assert reply.history == []  # single-turn while Redis is down
        assert sum("Redis unavailable" in r.getMessage() for r in caplog.records) == 1
        assert await state.readiness() == {"redis": "degraded"}
        # per-process dedupe still drops a retry of the same delivery
        assert await pipeline.handle(_event("question 0 during the outage", "O0")) is None
        with pytest.raises(RedisUnavailableError):
            await state.reindex_lock.acquire("admin")  # coordination never fails open

        redis_server.start()  # same port, empty data
        await asyncio.sleep(0.15)
        assert await state.readiness() == {"redis": "ok"}
        await pipeline.handle(_event("back again?", "R1"))
        after = await pipeline.handle(_event("and now?", "R2"))
        assert after is not None and [t.question for t in after.history] == ["back again?"]
        assert any("Redis is back" in r.getMessage() for r in caplog.records)
        assert engine.calls == 7
    finally:
        await state.close()


async def test_over_the_limit_nothing_else_is_done(redis_server: Any) -> None:
    state = build_shared_state(
        RedisSettings(url=redis_server.url), LimitSettings(user_per_window=2)
    )
    engine = EchoEngine()
    pipeline = QuestionPipeline(engine=engine, state=state)
    try:
        kinds = [
            (await pipeline.handle(_event(f"q{i}", f"L{i}"))).kind  # type: ignore[union-attr]
            for i in range(3)
        ]
        assert kinds == ["answer", "answer", "rate_limited"]
        assert engine.calls == 2
        history = await state.memory.history(ConversationKey.of(_event("", "")))
        assert [t.question for t in history] == ["q0", "q1"]
    finally:
        await state.close()


async def test_without_redis_url_state_is_in_process(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    state = build_shared_state(RedisSettings(), LimitSettings(user_per_window=1))
    assert await state.readiness() == {"redis": "in-process"}
    assert any("REDIS_URL is not set" in r.getMessage() for r in caplog.records)
    pipeline = QuestionPipeline(engine=EchoEngine(), state=state)
    assert (await pipeline.handle(_event("a", "1"))).kind == "answer"  # type: ignore[union-attr]
    assert (await pipeline.handle(_event("b", "2"))).kind == "rate_limited"  # type: ignore[union-attr]
    assert await pipeline.handle(_event("a", "1")) is None


async def test_feedback_survives_an_outage_and_votes_are_written_after(redis_server: Any) -> None:
    """The load test found this: an answer's feedback record went straight to Redis, so during
    an outage the answer itself was never delivered."""
    state = build_shared_state(
        RedisSettings(url=redis_server.url, socket_timeout_s=0.2, retry_interval_s=0.1),
        LimitSettings(),
    )
    try:
        before = await state.feedback.remember({"question": "before the outage"})
        redis_server.stop()
        during = await state.feedback.remember({"question": "during the outage"})  # no raise
        assert await state.feedback.vote(during, "U1", "up") is not None  # kept in-process
        assert await state.feedback.vote(before, "U2", "down") is not None  # queued
        redis_server.start()  # same port, empty data
        await state.feedback.remember({"question": "x"})  # Redis is back
        await asyncio.sleep(0.15)
        after = await state.feedback.remember({"question": "after"})
        await state.feedback.vote(after, "U3", "up")
        votes = await state.feedback.votes()
        assert [(v["user"], v["vote"]) for v in votes] == [
            ("U1", "up"),
            ("U2", "down"),
            ("U3", "up"),
        ]
        assert votes[0]["question"] == "during the outage" and votes[2]["question"] == "after"
    finally:
        await state.close()
