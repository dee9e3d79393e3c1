"""50 concurrent Teams channel @mentions against `serve` (the aiohttp app on a real port),
real Redis, the extractive writer, a local stand-in for the Bot Connector service.

    python -m bench.teams_concurrency [--mentions 50]

Reports: every mention answered exactly once (one answer card replying to it); HTTP
response p99; typing indicator p95; end-to-end (activity posted -> answer card received)
p50/p95 (target p95 < 3 s). Dev mode (no JWT: token checks are not what is measured).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import aiohttp

from bench.common import DEMO_QUESTIONS, REPO, burst_main, percentile
from bot.app import build_app
from bot.config import load_settings
from bot.serve.web import build_web_app
from connectors.folder import FolderConnector
from tests.support.indexing import index_now
from tests.support.redis_server import RedisServer
from tests.support.teams_connector import ConnectorStub
from tests.support.web_site import start_site

QUESTIONS = DEMO_QUESTIONS[:5]


def mention(i: int, service_url: str) -> dict:
    return {
        "type": "message",
        "id": f"act{i}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:u{i}", "name": f"user {i}", "aadObjectId": f"aad-{i}"},
        "recipient": {"id": "28:bot", "name": "wikibot"},
        "conversation": {
            "id": f"19:general@thread.tacv2;messageid={i}",
            "conversationType": "channel",
        },
        "channelData": {"tenant": {"id": "t1"}},
        "text": f"<at>wikibot</at> {QUESTIONS[i % len(QUESTIONS)]}",
        "entities": [
            {"type": "mention", "text": "<at>wikibot</at>", "mentioned": {"id": "28:bot"}}
        ],
    }


async def run(mentions: int, workdir: Path) -> dict[str, float]:
    redis = RedisServer(workdir)
    redis.start()
    connector = ConnectorStub()
    await connector.start()
    settings = load_settings(
        data_dir=workdir / "data",
        teams={"dev_mode": True},
        redis={"url": redis.url},
        limits={"user_per_window": 10**6, "workspace_per_window": 10**6},
    )
    components = build_app(settings)
    index_now(components, [FolderConnector(REPO / "demo" / "handbook")])
    runner, base = await start_site(build_web_app(components))
    sent_at: dict[str, float] = {}
    responses: list[float] = []
    async with aiohttp.ClientSession() as session:

        async def post(i: int) -> None:
            sent_at[f"act{i}"] = time.perf_counter()
            async with session.post(
                f"{base}/api/messages", json=mention(i, connector.url)
            ) as response:
                await response.read()
                assert response.status == 201, response.status
            responses.append(time.perf_counter() - sent_at[f"act{i}"])

        await post(10**5)  # warm-up: model and index loaded
        await connector.wait_for_answers(1, timeout=120)
        connector.sent.clear()
        responses.clear()
        await asyncio.gather(*(post(i) for i in range(mentions)))
        await connector.wait_for_answers(mentions, timeout=600)
        await asyncio.sleep(2)  # any duplicate answer would arrive now
    answers = Counter(s["reply_to"] for s in connector.answers())
    typing = [s["at"] - sent_at[s["reply_to"]] for s in connector.of_type("typing")]
    ends = [s["at"] - sent_at[s["reply_to"]] for s in connector.answers()]
    await runner.cleanup()
    components.store.client.close()
    await connector.stop()
    redis.stop()
    return {
        "mentions": mentions,
        "answered": len(answers),
        "answered_exactly_once": sum(1 for n in answers.values() if n == 1),
        "http_response_p99_ms": percentile(responses, 99) * 1000,
        "typing_p95_ms": percentile(typing, 95) * 1000,
        "end_to_end_p50_ms": percentile(ends, 50) * 1000,
        "end_to_end_p95_ms": percentile(ends, 95) * 1000,
    }


if __name__ == "__main__":
    burst_main(run)
