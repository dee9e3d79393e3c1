"""bot/streaming.py: pushes paced, never two at once, and stop() never cuts a push that is
already on the wire (cut off, a chat.update could land after the final answer, or a native
stream be started that nobody stops)."""

from __future__ import annotations

import asyncio
import itertools
import time

from bot.answer.llm import WRITING_STARTED
from bot.streaming import ThrottledText


async def test_pushes_are_paced_and_only_grow() -> None:
    pushed: list[tuple[float, str]] = []

    async def push(text: str) -> None:
        pushed.append((time.monotonic(), text))

    stream = ThrottledText(push, interval_s=0.1)
    for i in range(20):
        stream.on_token(WRITING_STARTED if i == 0 else f"t{i} ")
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.15)
    await stream.stop()
    texts = [t for _, t in pushed]
    assert 2 <= len(texts) <= 6, texts
    assert all(b.startswith(a) for a, b in itertools.pairwise(texts))
    assert texts[-1].startswith("t1 ") and not texts[-1].startswith(" ")  # the marker is no text
    gaps = [b - a for (a, _), (b, _) in itertools.pairwise(pushed)]
    assert all(g >= 0.09 for g in gaps), gaps


async def test_stop_waits_for_a_push_on_the_wire_and_drops_a_waiting_one() -> None:
    finished: list[str] = []

    async def slow_push(text: str) -> None:
        await asyncio.sleep(0.3)
        finished.append(text)

    stream = ThrottledText(slow_push, interval_s=0.05)
    stream.on_token("hello")
    await asyncio.sleep(0.12)  # the push has started and is waiting on the "network"
    assert stream.pushing
    await stream.stop()
    assert finished == ["hello"]  # completed, not cancelled half-way

    waiting = ThrottledText(slow_push, interval_s=5)
    waiting.on_token("never")
    await asyncio.sleep(0.05)
    await waiting.stop()  # still waiting its turn: dropped
    await asyncio.sleep(0.05)
    assert finished == ["hello"]
