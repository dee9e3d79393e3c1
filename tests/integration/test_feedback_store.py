"""Issue 27 (finding 12) at the store, on real Redis and in-process: one vote per person per
answer (a later click replaces the earlier one and only changes reach the question log), at
most MAX_VOTERS_PER_ANSWER people per answer, comments cut with a note; votes written to the
old list by earlier versions are still read."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.config import LimitSettings, RedisSettings
from bot.state.feedback import LEGACY_FEEDBACK_KEY, FeedbackStore
from bot.state.shared import SharedState, build_shared_state
from bot.state.vote_rules import MAX_REASON_CHARS, MAX_VOTERS_PER_ANSWER, may_rate


@pytest.fixture(params=["redis", "in-process"])
async def state(request: pytest.FixtureRequest, redis_server: Any) -> AsyncIterator[SharedState]:
    url = redis_server.url if request.param == "redis" else None
    shared = build_shared_state(RedisSettings(url=url), LimitSettings())
    yield shared
    await shared.close()


async def _votes_of(store: FeedbackStore, answer: str) -> list[tuple[str, str]]:
    return [(v["user"], v["vote"]) for v in await store.votes() if v["feedback_id"] == answer]


async def test_one_vote_per_person_and_a_bounded_number_of_people(state: SharedState) -> None:
    store = state.feedback
    answer = await store.remember({"question": "q", "asked_by": "U0", "conversation": "C1"})
    other = await store.remember({"question": "r", "asked_by": "U0", "conversation": "C1"})
    for i in range(300):  # 300 clicks by one person
        assert await store.vote(answer, "UBOB", "up" if i % 2 else "down") is not None
    assert await _votes_of(store, answer) == [("UBOB", "up")]
    logged = [e for e in await state.question_log.entries() if e["kind"] == "vote"]
    assert len(logged) == 300  # every click changed the vote: each change is logged
    await store.vote(answer, "UBOB", "up")  # the same vote again: not logged again
    assert len([e for e in await state.question_log.entries() if e["kind"] == "vote"]) == 300

    for i in range(MAX_VOTERS_PER_ANSWER + 50):
        await store.vote(answer, f"U{i:04d}", "down")
    voters = {user for user, _ in await _votes_of(store, answer)}
    assert len(voters) == MAX_VOTERS_PER_ANSWER and "UBOB" in voters
    await store.vote(answer, "UBOB", "down")  # someone already counted may still change
    assert ("UBOB", "down") in await _votes_of(store, answer)
    await store.vote(other, "U9999", "up")  # the bound is per answer
    assert await _votes_of(store, other) == [("U9999", "up")]


async def test_a_long_comment_is_cut_with_a_note(state: SharedState) -> None:
    store = state.feedback
    answer = await store.remember({"question": "q", "asked_by": "U0"})
    await store.vote(answer, "U0", "down", "é" * 20_000)
    (vote,) = await store.votes()
    assert vote["reason"].startswith("é" * MAX_REASON_CHARS + " [cut")
    assert "é" * (MAX_REASON_CHARS + 1) not in vote["reason"] and "20,000" in vote["reason"]
    (logged,) = [e for e in await state.question_log.entries() if e["kind"] == "vote"]
    assert logged["reason"] == vote["reason"]


async def test_votes_of_earlier_versions_are_still_read(redis_server: Any) -> None:
    state = build_shared_state(RedisSettings(url=redis_server.url), LimitSettings())
    client = Redis.from_url(redis_server.url, decode_responses=True)
    try:
        old = {"feedback_id": "a1", "user": "U1", "vote": "down", "voted_at": 1.0}
        await client.rpush(LEGACY_FEEDBACK_KEY, json.dumps(old), json.dumps({**old, "voted_at": 2}))
        await client.set("wikibot:answer:a1", json.dumps({"question": "q", "asked_by": "U0"}))
        assert [(v["user"], v["voted_at"]) for v in await state.feedback.votes()] == [("U1", 2)]
        await state.feedback.vote("a1", "U1", "up")  # a new vote replaces the old ones
        assert [(v["user"], v["vote"]) for v in await state.feedback.votes()] == [("U1", "up")]
    finally:
        await client.aclose()
        await state.close()


async def test_who_may_rate() -> None:
    members = {("C1", "UBOB")}

    async def is_member(channel: str, user: str) -> bool:
        return (channel, user) in members

    channel = {"asked_by": "UALICE", "conversation": "C1", "in_dm": False}
    dm = {**channel, "conversation": "DALICE", "in_dm": True}
    old_record = {"asked_by": "UALICE"}  # remembered before records said where
    assert await may_rate(channel, "UALICE", is_member)
    assert await may_rate(channel, "UBOB", is_member)
    assert not await may_rate(channel, "UMALLORY", is_member)
    assert not await may_rate(channel, "", is_member)
    members.add(("DALICE", "UBOB"))
    assert await may_rate(dm, "UALICE", is_member) and not await may_rate(dm, "UBOB", is_member)
    assert not await may_rate(old_record, "UBOB", is_member)
