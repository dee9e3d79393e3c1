"""Latency the shared state adds to each question, against a local redis-server.

    python -m bench.redis_overhead [--questions 2000]

Starts redis-server on a free port, then per simulated question runs what the pipeline
does around the answer: dedupe (SET NX EX), rate limit (Lua), memory read (LRANGE) and
memory write (RPUSH/LTRIM/EXPIRE/SADD transaction); reports p50/p95/p99 of the sum.
Target: under 2 ms p95.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from pathlib import Path

from bench.common import percentile
from bot.config import LimitSettings, RedisSettings
from bot.models import ChatEvent, Turn
from bot.state.memory import ConversationKey
from bot.state.shared import build_shared_state
from tests.support.redis_server import RedisServer


async def measure(url: str, questions: int) -> list[float]:
    state = build_shared_state(
        RedisSettings(url=url), LimitSettings(user_per_window=10**6, workspace_per_window=10**6)
    )
    answer = "From the indexed documents:\n> " + "A quoted policy sentence. " * 12 + "[1]"
    timings = []
    try:
        for i in range(questions):
            event = ChatEvent(
                platform="slack",
                workspace="T1",
                channel=f"C{i % 50}",
                thread=f"{i % 200}.1",
                user=f"U{i % 300}",
                text="question?",
                event_id=uuid.uuid4().hex,
            )
            key = ConversationKey.of(event)
            started = time.perf_counter()
            await state.dedupe.first_time(event.event_id)
            await state.limiter.check(event.workspace, event.user)
            await state.memory.history(key)
            await state.memory.append(
                key,
                Turn(user=event.user, question=event.text, answer=answer, cited_doc_ids=["a", "b"]),
            )
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        await state.close()
    return timings[100:]  # after warm-up


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        server = RedisServer(Path(workdir))
        server.start()
        try:
            timings = asyncio.run(measure(server.url, args.questions))
        finally:
            server.stop()
    print(f"{len(timings)} questions: dedupe + rate limit + memory read + memory write")
    for q in (50, 95, 99):
        print(f"  p{q}: {percentile(timings, q):.2f} ms")


if __name__ == "__main__":
    main()
