"""50 concurrent questions in Slack assistant-pane threads, answered by an LLM (the stub
OpenAI-compatible server, writing at a steady pace) and streamed natively
(chat.startStream -> appendStream -> stopStream) to a local stand-in for the Slack Web API.

    python -m bench.slack_streaming [--mentions 50]

Reports: every thread answered by exactly one stream (none lost, none doubled); time to first
streamed text (chat.startStream seen by the stand-in) p50/p95; final answer (chat.stopStream)
p50/p95; appendStream calls per answer. Indexes the demo handbook first.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import DEMO_QUESTIONS, REPO, burst_main, percentile, signed_slack_event
from bot.app import build_app
from bot.config import load_settings
from bot.serve.web import build_web_app
from connectors.folder import FolderConnector
from tests.support.indexing import index_now
from tests.support.redis_server import RedisServer
from tests.support.slack_api import SlackAPIStub
from tests.support.stub_llm import running_stub
from tests.support.web_site import start_site

SECRET = "bench-secret"
REPLY = (
    "Everyone gets 25 days of paid vacation per year, and unused days can be carried over "
    "into the first quarter of the next year [1]."
)


async def run(questions: int, workdir: Path) -> dict[str, float]:
    redis = RedisServer(workdir)
    redis.start()
    api = SlackAPIStub()
    await api.start()
    with running_stub() as llm:
        llm.behaviour = lambda messages: REPLY
        llm.token_gap_s = 0.03  # ~33 pieces of 4 characters: about 1 s of writing
        settings = load_settings(
            data_dir=workdir / "data",
            slack={"bot_token": "xoxb-b", "signing_secret": SECRET, "api_url": api.url + "/api/"},
            redis={"url": redis.url},
            limits={"user_per_window": 10**6, "workspace_per_window": 10**6},
            llm={"base_url": llm.url, "model": "stub"},
            server={"answer_threads": 64},  # waiting on the LLM, not the CPU
        )
        components = build_app(settings)
        index_now(components, [FolderConnector(REPO / "demo" / "handbook")])
        runner, base = await start_site(build_web_app(components))
        try:
            result = await _burst(api, base, questions)
        finally:
            await runner.cleanup()
            components.store.client.close()
    await api.stop()
    redis.stop()
    return result


async def _burst(api: SlackAPIStub, base: str, questions: int) -> dict[str, float]:
    sent_at: dict[str, float] = {}
    async with aiohttp.ClientSession() as session:

        async def post(event: dict[str, Any], event_id: str) -> None:
            body, headers = signed_slack_event(SECRET, event, event_id)
            async with session.post(f"{base}/slack/events", data=body, headers=headers) as r:
                await r.read()
                assert r.status == 200

        async def ask(i: int) -> None:
            thread = f"1700000000.{i:06d}"
            started = {"user_id": f"U{i}", "channel_id": f"D{i}", "thread_ts": thread}
            await post({"type": "assistant_thread_started", "assistant_thread": started}, f"S{i}")
            message = {
                "type": "message",
                "channel_type": "im",
                "channel": f"D{i}",
                "user": f"U{i}",
                "text": DEMO_QUESTIONS[i % 5],
                "ts": f"1700000001.{i:06d}",
                "thread_ts": thread,
            }
            sent_at[thread] = time.perf_counter()
            await post(message, f"M{i}")

        await ask(10**5)  # warm-up: model and index loaded
        await api.wait_for("chat.stopStream", 1, timeout=180)
        api.calls.clear()
        api.received_at.clear()
        sent_at.clear()
        await asyncio.gather(*(ask(i) for i in range(questions)))
        deadline = time.monotonic() + 600
        while len(api.of("chat.stopStream")) < questions:
            assert time.monotonic() < deadline, "not every question was answered in 10 minutes"
            await asyncio.sleep(0.05)
        await asyncio.sleep(2)  # any duplicate answer would arrive now
    first: list[float] = []
    final: list[float] = []
    stopped: dict[str, int] = {}
    for (method, params), at in zip(api.calls, api.received_at, strict=True):
        if method == "chat.startStream":
            first.append(at - sent_at[params["thread_ts"]])
        elif method == "chat.stopStream":
            thread = api.streams[params["ts"]]["thread_ts"]
            stopped[thread] = stopped.get(thread, 0) + 1
            final.append(at - sent_at[thread])
    complete = sum(1 for s in api.streams.values() if s["stopped"] and s["text"] == REPLY)
    return {
        "questions": questions,
        "threads_answered": len(stopped),
        "answered_exactly_once": sum(1 for n in stopped.values() if n == 1),
        "streams_with_the_whole_answer": complete,
        "first_text_p50_ms": percentile(first, 50) * 1000,
        "first_text_p95_ms": percentile(first, 95) * 1000,
        "final_p50_ms": percentile(final, 50) * 1000,
        "final_p95_ms": percentile(final, 95) * 1000,
        "appends_per_answer": len(api.of("chat.appendStream")) / max(1, len(stopped)),
    }


if __name__ == "__main__":
    burst_main(run)
