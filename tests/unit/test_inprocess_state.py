"""The in-process implementations used without REDIS_URL (and as fallbacks)."""

import asyncio

import pytest

from bot.models import Turn
from bot.state.dedupe import InProcessDeduplicator
from bot.state.locks import InProcessReindexLock, LockHeldError
from bot.state.memory import REDACTED, ConversationKey, InProcessMemory
from bot.state.ratelimit import InProcessRateLimiter

CHANNEL = ConversationKey("slack", "T1", "C1", "1.1")
DM = ConversationKey("slack", "T1", "dm", "", dm_user="U1")


async def test_memory_trims_expires_redacts_and_forgets() -> None:
    memory = InProcessMemory(turns=2, ttl_s=0.2)
    for i in range(3):
        await memory.append(CHANNEL, Turn(user="U1", question=f"q{i}", answer="a"))
    assert [t.question for t in await memory.history(CHANNEL)] == ["q1", "q2"]
    personal = Turn(user="U1", question="my balance?", answer="You have 12 days", personal=True)
    await memory.append(DM, personal)
    await memory.append(CHANNEL, personal)
    assert (await memory.history(DM))[-1].answer == "You have 12 days"
    assert (await memory.history(CHANNEL))[-1].answer == REDACTED
    await memory.append(CHANNEL, Turn(user="U2", question="other", answer="b"))
    assert await memory.forget_user("slack", "T1", "U1") == 2  # one in the channel, one DM
    assert [t.question for t in await memory.history(CHANNEL)] == ["other"]
    await asyncio.sleep(0.25)
    assert await memory.history(CHANNEL) == []


async def test_limiter_dedupe_and_lock() -> None:
    limiter = InProcessRateLimiter(user_limit=2, workspace_limit=10, window_s=60)
    decisions = [await limiter.check("T", "U") for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert 59 < decisions[-1].retry_after_s <= 60
    assert (await limiter.check("T", "U", exempt=True)).allowed

    dedupe = InProcessDeduplicator(ttl_s=600)
    assert await dedupe.first_time("e") and not await dedupe.first_time("e")

    lock = InProcessReindexLock(ttl_s=60)
    held = await lock.acquire("alice")
    with pytest.raises(LockHeldError, match="started by alice"):
        await lock.acquire("bob")
    assert await lock.release(held) and not await lock.release(held)
