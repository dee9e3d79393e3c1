"""Memory, rate limits, dedupe and the reindex lock against a real redis-server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.models import ChatEvent, Turn
from bot.state.dedupe import RedisDeduplicator
from bot.state.health import RedisHealth
from bot.state.locks import LockHeldError, RedisReindexLock
from bot.state.memory import REDACTED, ConversationKey, RedisMemory
from bot.state.ratelimit import RedisRateLimiter


@pytest.fixture
async def clients(redis_server: Any) -> AsyncIterator[list[Redis]]:
    """Four separate connections, as if four replicas."""
    made = [
        Redis.from_url(redis_server.url, decode_responses=True, socket_timeout=1) for _ in range(4)
    ]
    yield made
    for client in made:
        await client.aclose()


def _limiter(client: Redis, n: int, workspace_n: int = 1000) -> RedisRateLimiter:
    return RedisRateLimiter(
        client, RedisHealth(client), user_limit=n, workspace_limit=workspace_n, window_s=60
    )


async def test_exactly_n_of_3n_concurrent_requests_pass_across_3_replicas(
    clients: list[Redis],
) -> None:
    n = 7
    replicas = [_limiter(c, n) for c in clients[:3]]
    decisions = await asyncio.gather(*(replicas[i % 3].check("T1", "U1") for i in range(3 * n)))
    assert sum(d.allowed for d in decisions) == n
    denied = [d for d in decisions if not d.allowed]
    assert all(0 < d.retry_after_s <= 60 for d in denied)
    assert "try again in" in denied[0].message()
    # another user is unaffected; admins are exempt
    assert (await replicas[0].check("T1", "U2")).allowed
    assert (await replicas[1].check("T1", "U1", exempt=True)).allowed


async def test_workspace_limit_applies_across_users(clients: list[Redis]) -> None:
    limiter = _limiter(clients[0], n=100, workspace_n=3)
    results = [(await limiter.check("T9", f"U{i}")).allowed for i in range(5)]
    assert results == [True, True, True, False, False]
    assert (await limiter.check("T10", "U0")).allowed  # other workspace


async def test_same_event_delivered_4_times_concurrently_is_processed_once(
    clients: list[Redis],
) -> None:
    dedupers = [RedisDeduplicator(c, RedisHealth(c), ttl_s=600) for c in clients]
    firsts = await asyncio.gather(*(d.first_time("Ev123") for d in dedupers))
    assert sorted(firsts) == [False, False, False, True]
    assert 590 <= await clients[0].ttl("wikibot:evt:Ev123") <= 600
    assert await dedupers[0].first_time("Ev124")


def _event(**overrides: Any) -> ChatEvent:
    base = {
        "platform": "slack",
        "workspace": "T1",
        "channel": "C1",
        "thread": "111.1",
        "user": "U1",
        "text": "q",
    }
    return ChatEvent(**{**base, **overrides})


async def test_memory_trims_to_n_turns_and_expires(clients: list[Redis]) -> None:
    client = clients[0]
    memory = RedisMemory(client, RedisHealth(client), turns=3, ttl_s=1)
    key = ConversationKey.of(_event())
    for i in range(5):
        await memory.append(key, Turn(user="U1", question=f"q{i}", answer=f"a{i}"))
    assert [t.question for t in await memory.history(key)] == ["q2", "q3", "q4"]
    await asyncio.sleep(1.3)
    assert await memory.history(key) == []


async def test_personal_answers_stay_in_the_users_dm(clients: list[Redis]) -> None:
    client = clients[0]
    memory = RedisMemory(client, RedisHealth(client), turns=10, ttl_s=60)
    dm = ConversationKey.of(_event(is_dm=True, channel="D1", thread="5.5"))
    other_thread = ConversationKey.of(_event(is_dm=True, channel="D1", thread="9.9"))
    assert dm != other_thread and dm.dm_user == other_thread.dm_user == "U1"  # a DM thread
    assert dm.redis_key() != other_thread.redis_key()  # is a conversation of its own
    channel = ConversationKey.of(_event())
    personal = Turn(
        user="U1",
        question="How many vacation days do I have?",
        answer="You have 17.5 vacation days (HR system, as of 2026-11-20).",
        cited_doc_ids=["hr:U1"],
        personal=True,
    )
    await memory.append(dm, personal)
    await memory.append(channel, personal)
    assert (await memory.history(dm))[0].answer.startswith("You have 17.5")
    shared = await memory.history(channel)
    assert shared[0].answer == REDACTED and shared[0].cited_doc_ids == []
    raw = await client.lrange(channel.redis_key(), 0, -1)
    assert all("17.5" not in item for item in raw)


async def test_forget_removes_only_that_users_turns(clients: list[Redis]) -> None:
    client = clients[0]
    memory = RedisMemory(client, RedisHealth(client), turns=10, ttl_s=60)
    channel = ConversationKey.of(_event())
    dm = ConversationKey.of(_event(is_dm=True))
    await memory.append(channel, Turn(user="U1", question="mine", answer="a"))
    await memory.append(channel, Turn(user="U2", question="theirs", answer="b"))
    await memory.append(dm, Turn(user="U1", question="private", answer="c"))
    assert await memory.forget_user("slack", "T1", "U1") == 2
    assert [t.question for t in await memory.history(channel)] == ["theirs"]
    assert await memory.history(dm) == []


async def test_reindex_lock_says_who_holds_it_and_only_the_holder_releases(
    clients: list[Redis],
) -> None:
    a = RedisReindexLock(clients[0], RedisHealth(clients[0]), ttl_s=1)
    b = RedisReindexLock(clients[1], RedisHealth(clients[1]), ttl_s=1)
    held = await a.acquire("alice (U1)")
    with pytest.raises(LockHeldError, match=r"already running, started by alice \(U1\) at 20"):
        await b.acquire("bob (U2)")
    fake = type(held)(held.name, "not-the-token", "bob")
    assert not await b.release(fake)
    assert await a.extend(held)
    assert await a.release(held)
    second = await b.acquire("bob (U2)")
    await asyncio.sleep(1.3)  # holder died: the lock expires
    third = await a.acquire("alice (U1)")
    assert not await b.release(second)  # expired tokens cannot delete the new holder's lock
    assert await a.release(third)


async def test_holding_the_lock_extends_a_long_run_and_always_releases(
    clients: list[Redis],
) -> None:
    from bot.state.locks import holding

    lock = RedisReindexLock(clients[0], RedisHealth(clients[0]), ttl_s=1)
    other = RedisReindexLock(clients[1], RedisHealth(clients[1]), ttl_s=1)

    async def slow_work() -> str:
        async with holding(lock, "alice", extend_every_s=0.3):
            await asyncio.to_thread(time.sleep, 2.5)  # longer than the TTL: extensions keep it
        return "done"

    async def contender() -> str:
        await asyncio.sleep(2.0)
        try:
            await other.acquire("bob")
        except LockHeldError as exc:
            return str(exc)
        return "acquired"

    result, seen = await asyncio.gather(slow_work(), contender())
    assert result == "done" and "started by alice" in seen

    with pytest.raises(ValueError):
        async with holding(lock, "alice", extend_every_s=0.3):
            raise ValueError("boom")
    assert await clients[0].get("wikibot:lock:reindex") is None


async def test_a_retry_racing_the_first_delivery_is_dropped_and_the_first_answered(
    clients: list[Redis],
) -> None:
    """Seen in CI under load: a retry's SET NX landed before the first delivery's, and both
    were taken for duplicates (nothing answered). The first delivery's SET is held back here."""
    client = clients[0]
    dedupe = RedisDeduplicator(client, RedisHealth(client))
    real_set = client.set
    calls = 0

    async def first_set_is_slow(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            await asyncio.sleep(0.3)
        return await real_set(*args, **kwargs)

    client.set = first_set_is_slow  # type: ignore[method-assign]
    first, retry = await asyncio.gather(dedupe.first_time("E1"), dedupe.first_time("E1"))
    assert (first, retry) == (True, False)
    other_replica = RedisDeduplicator(clients[1], RedisHealth(clients[1]))
    assert not await other_replica.first_time("E1")  # Redis has it for the other replicas
