"""`serve` in operation: /healthz, /readyz with each dependency up or down, refusal of unsafe
settings, and a graceful SIGTERM that lets an answer in flight finish."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.app import build_app
from bot.config import load_settings
from bot.serve.web import build_web_app
from tests.support.commands import clean_command_env as _env
from tests.support.commands import wikibot_command
from tests.support.redis_server import free_port
from tests.support.slack_api import BOT_USER, SlackAPIStub
from tests.support.stub_llm import running_stub
from tests.support.web_site import start_site


async def _get(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


async def _serve(settings: Any, embedder: Any) -> AsyncIterator[str]:
    components = build_app(settings, embedder=embedder)
    runner, url = await start_site(build_web_app(components))
    try:
        yield url
    finally:
        await runner.cleanup()


async def test_readyz_healthy_then_degraded_when_redis_goes_down(
    indexed_template: Path, tmp_path: Path, clean_env: Path, embedder, redis_server
) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data-copy"
    shutil.copytree(indexed_template, data)
    with running_stub() as llm:
        settings = load_settings(
            data_dir=data,
            redis={"url": redis_server.url},
            llm={"model": "stub", "base_url": llm.url},
        )
        async for url in _serve(settings, embedder):
            assert await _get(f"{url}/healthz") == (200, {"status": "ok"})
            status, body = await _get(f"{url}/readyz")
            assert status == 200, body
            assert body == {"status": "ok", "checks": {"qdrant": "ok", "redis": "ok", "llm": "ok"}}
            redis_server.stop()
            status, body = await _get(f"{url}/readyz")
            assert status == 200 and body["status"] == "degraded"  # still answering
            assert body["checks"]["redis"] == "degraded"


async def test_readyz_not_ready_without_qdrant_or_without_an_index(
    tmp_path: Path, clean_env: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    closed = f"http://127.0.0.1:{free_port()}"
    settings = load_settings(data_dir=tmp_path / "d1", qdrant={"url": closed})
    async for url in _serve(settings, embedder):
        status, body = await _get(f"{url}/readyz")
        assert status == 503 and body["status"] == "not ready"
        assert body["checks"]["qdrant"].startswith("unreachable")
        assert (await _get(f"{url}/healthz"))[0] == 200  # alive, just not ready
    settings = load_settings(data_dir=tmp_path / "d2")
    async for url in _serve(settings, embedder):
        status, body = await _get(f"{url}/readyz")
        assert status == 503 and body["checks"]["qdrant"].startswith("no index yet")


def test_unsafe_production_settings_refuse_to_start(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-secret-token-value",
        WIKIBOT_SERVER__REPLICAS="3",
        WIKIBOT_SERVER__PRODUCTION="true",
        WIKIBOT_TEAMS_DEV_MODE="1",
    )
    done = subprocess.run(
        [*wikibot_command(), "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    err = done.stderr
    assert "refusing to start" in err
    assert "SLACK_BOT_TOKEN is set without SLACK_SIGNING_SECRET" in err
    assert "WIKIBOT_SERVER__REPLICAS=3 with the embedded Qdrant" in err
    assert "WIKIBOT_SERVER__REPLICAS=3 without REDIS_URL" in err
    assert "WIKIBOT_TEAMS_DEV_MODE=1 accepts unauthenticated" in err
    assert "xoxb-secret-token-value" not in err + done.stdout


@pytest.mark.slow
async def test_sigterm_lets_the_answer_in_flight_finish(
    indexed_template: Path, tmp_path: Path
) -> None:
    shutil.copytree(indexed_template, tmp_path / "data")
    api = SlackAPIStub()
    await api.start()
    port = free_port()
    with running_stub() as llm:
        llm.delay_s = 4.0  # the answer is still being written when SIGTERM arrives
        llm.behaviour = lambda messages: "Everyone gets 25 vacation days a year [1]."
        env = _env(
            tmp_path,
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_SIGNING_SECRET="sig-secret",
            SLACK_API_URL=api.url + "/api/",
            WIKIBOT_LLM__MODEL="stub",
            OPENAI_BASE_URL=llm.url,
            WIKIBOT_SERVER__SHUTDOWN_GRACE_S="20",
            WIKIBOT_LOG_LEVEL="INFO",
        )
        process = subprocess.Popen(
            [*wikibot_command(), "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            line = await asyncio.to_thread(process.stdout.readline)  # ready to serve
            assert "wikibot serving on" in line, line
            body = json.dumps(
                {
                    "type": "event_callback",
                    "team_id": "T1",
                    "event_id": "Esigterm",
                    "event": {
                        "type": "app_mention",
                        "user": "UALICE",
                        "text": f"<@{BOT_USER}> How many vacation days do I get?",
                        "ts": "1700000000.000100",
                        "channel": "CGENERAL",
                    },
                }
            )
            ts = str(int(time.time()))
            headers = {
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": SignatureVerifier("sig-secret").generate_signature(
                    timestamp=ts, body=body
                ),
                "Content-Type": "application/json",
            }
            base = f"http://127.0.0.1:{port}"
            async with aiohttp.ClientSession() as session:
                async with session.post(f"{base}/slack/events", data=body, headers=headers) as r:
                    assert r.status == 200
                await api.wait_for("chat.postMessage")  # the placeholder: answer under way
                await asyncio.sleep(0.5)
                process.send_signal(signal.SIGTERM)
                await asyncio.sleep(0.5)
            with pytest.raises(aiohttp.ClientConnectionError):  # no new connections
                async with aiohttp.ClientSession() as fresh, fresh.get(f"{base}/healthz"):
                    pass
            code = await asyncio.to_thread(process.wait, 30)
            stderr = process.stderr.read() if process.stderr else ""
            assert code == 0, stderr
            (stream,) = api.streams.values()  # streamed natively, and finished
            assert stream["stopped"] and "25 vacation days" in stream["text"]
            assert "Sources" in json.dumps(stream["blocks"])  # delivered whole
            assert "all answers finished" in stderr
            logs = [json.loads(x) for x in stderr.splitlines() if x.startswith("{")]
            assert logs and all({"ts", "level", "logger", "message"} <= set(x) for x in logs)
            assert "How many vacation days" not in stderr  # no message bodies in the logs
            assert "xoxb-test" not in stderr and "sig-secret" not in stderr
        finally:
            if process.poll() is None:
                process.kill()
            await api.stop()
