"""50 concurrent @mentions against `serve` (the aiohttp app on a real port), real Redis,
the extractive writer, a local stand-in for the Slack Web API.

    python -m bench.slack_concurrency [--mentions 50]
    python -m bench.slack_concurrency --streaming [--mentions 50]   # bench/slack_streaming.py

Reports: every mention answered exactly once; ack latency (HTTP response to the signed
event) p50/p99 (target p99 < 300 ms); placeholder (chat.postMessage seen by the stand-in)
p95 (< 1 s); final answer (chat.update) p95 (< 3 s). Indexes the demo handbook first.
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
from tests.support.web_site import start_site

SECRET = "bench-secret"
QUESTIONS = DEMO_QUESTIONS[:5]


async def run(mentions: int, workdir: Path) -> dict[str, float]:
    redis = RedisServer(workdir)
    redis.start()
    api = SlackAPIStub()
    await api.start()
    settings = load_settings(
        data_dir=workdir / "data",
        slack={"bot_token": "xoxb-bench", "signing_secret": SECRET, "api_url": api.url + "/api/"},
        redis={"url": redis.url},
        limits={"user_per_window": 10**6, "workspace_per_window": 10**6},
    )
    components = build_app(settings)
    index_now(components, [FolderConnector(REPO / "demo" / "handbook")])
    app = build_web_app(components)
    runner, base = await start_site(app)
    sent_at: dict[str, float] = {}
    acks: list[float] = []
    async with aiohttp.ClientSession() as session:

        async def mention(i: int) -> None:
            ts = f"1700000000.{i:06d}"
            event = {
                "type": "app_mention",
                "user": f"U{i}",
                "channel": "C1",
                "ts": ts,
                "text": f"<@UBOT> {QUESTIONS[i % len(QUESTIONS)]}",
            }
            body, headers = signed_slack_event(SECRET, event, f"Ev{i}")
            sent_at[ts] = time.perf_counter()
            async with session.post(f"{base}/slack/events", data=body, headers=headers) as response:
                await response.read()
                assert response.status == 200
            acks.append(time.perf_counter() - sent_at[ts])

        # warm-up question (model and index loaded), then the burst
        await mention(10**5)
        await api.wait_for("chat.update", 1, timeout=120)
        api.calls.clear()
        api.received_at.clear()
        acks.clear()
        await asyncio.gather(*(mention(i) for i in range(mentions)))
        deadline = time.monotonic() + 600
        while len([c for c in api.of("chat.update") if _is_final(c)]) < mentions:
            assert time.monotonic() < deadline, "not every mention was answered in 10 minutes"
            await asyncio.sleep(0.05)
        await asyncio.sleep(2)  # any duplicate answer would arrive now
    placeholders: list[float] = []
    finals: list[float] = []
    answered: dict[str, int] = {}
    for (method, params), at in zip(api.calls, api.received_at, strict=True):
        if method == "chat.postMessage":
            placeholders.append(at - sent_at[params["thread_ts"]])
        elif method == "chat.update" and _is_final(params):  # not a streaming update
            question_ts = api.posted[params["ts"]]["thread_ts"]
            answered[question_ts] = answered.get(question_ts, 0) + 1
            finals.append(at - sent_at[question_ts])
    await runner.cleanup()
    components.store.client.close()
    await api.stop()
    redis.stop()
    return {
        "mentions": mentions,
        "answered_threads": len(answered),
        "answered_exactly_once": sum(1 for n in answered.values() if n == 1),
        "placeholders": len(placeholders),
        "ack_p50_ms": percentile(acks, 50) * 1000,
        "ack_p99_ms": percentile(acks, 99) * 1000,
        "placeholder_p95_ms": percentile(placeholders, 95) * 1000,
        "final_p95_ms": percentile(finals, 95) * 1000,
    }


def _is_final(update: dict[str, Any]) -> bool:
    """The finished answer carries the feedback buttons; streaming updates do not."""
    return any(
        block.get("type") in ("actions", "context_actions") for block in update.get("blocks") or []
    )


if __name__ == "__main__":
    import sys

    if "--streaming" in sys.argv:  # assistant-pane threads, LLM answers streamed natively
        from bench.slack_streaming import run as run_streaming

        sys.argv.remove("--streaming")
        burst_main(run_streaming)
    else:
        burst_main(run)
