"""What `wikibot serve` checks and says at start-up: real processes, the Slack stand-in."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from tests.support.commands import clean_command_env, wikibot_command
from tests.support.redis_server import free_port
from tests.support.slack_api import SlackAPIStub

pytestmark = pytest.mark.slow


def _start(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*wikibot_command(), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def _lines_until(process: subprocess.Popen[str], marker: str, count: int = 8) -> str:
    assert process.stdout is not None
    seen = ""
    for _ in range(count):
        line = await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), 60)
        seen += line
        if marker in line:
            break
    return seen


def _stop(process: subprocess.Popen[str]) -> str:
    process.terminate()
    process.wait(30)
    return process.stderr.read() if process.stderr else ""


async def test_a_bot_token_slack_refuses_is_a_one_line_refusal(tmp_path: Path) -> None:
    api = SlackAPIStub()
    await api.start()
    api.refused_tokens.add("xoxb-bogus")
    try:
        env = clean_command_env(
            tmp_path,
            SLACK_BOT_TOKEN="xoxb-bogus",
            SLACK_SIGNING_SECRET="sig-secret",
            SLACK_API_URL=api.url + "/api/",
        )
        done = await asyncio.to_thread(
            subprocess.run,
            [*wikibot_command(), "serve", "--port", str(free_port())],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        await api.stop()
    assert done.returncode != 0
    assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in done.stderr
    assert "Traceback" not in done.stderr and "xoxb-bogus" not in done.stderr + done.stdout
    assert [name for name, _ in api.calls] == ["auth.test"]


async def test_serve_says_what_is_live(tmp_path: Path) -> None:
    api = SlackAPIStub()
    await api.start()
    port = free_port()
    env = clean_command_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-good",
        SLACK_SIGNING_SECRET="sig-secret",
        SLACK_API_URL=api.url + "/api/",
    )
    process = _start(env, port)
    try:
        said = await _lines_until(process, "answers:")
        assert "Slack: on as @wikibot in Acme, HTTP events at POST /slack/events" in said
        assert "Teams: off" in said and "answers: extractive" in said
    finally:
        _stop(process)
        await api.stop()

    process = _start(clean_command_env(tmp_path), port)
    try:
        said = await _lines_until(process, "no chat surface")
        assert "Slack: off" in said and "no chat surface is live" in said
        url = f"http://127.0.0.1:{port}/slack/events"
        async with aiohttp.ClientSession() as session, session.post(url, data="{}") as r:
            assert r.status == 503
            assert "press Retry" in (await r.json())["error"]
    finally:
        _stop(process)


async def test_before_install_the_signed_url_check_passes(tmp_path: Path) -> None:
    port = free_port()
    process = _start(clean_command_env(tmp_path, SLACK_SIGNING_SECRET="sig-secret"), port)
    try:
        said = await _lines_until(process, "Slack:")
        assert "waiting for SLACK_BOT_TOKEN" in said
        body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "t"})
        ts = str(int(time.time()))
        signature = SignatureVerifier("sig-secret").generate_signature(timestamp=ts, body=body)
        headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}
        url = f"http://127.0.0.1:{port}/slack/events"
        async with aiohttp.ClientSession() as session:
            async with session.post(url, data=body, headers=headers) as r:
                assert r.status == 200 and (await r.json()) == {"challenge": "c-123"}
            async with session.post(url, data=body) as unsigned:
                assert unsigned.status == 401
    finally:
        _stop(process)


async def test_socket_mode_with_slack_unreachable_is_one_line_per_attempt(tmp_path: Path) -> None:
    port, closed = free_port(), free_port()
    env = clean_command_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-good",
        SLACK_APP_TOKEN="xapp-good",
        SLACK_API_URL=f"http://127.0.0.1:{closed}/api/",
    )
    process = _start(env, port)
    try:
        said = await _lines_until(process, "answers:")
        assert "Slack: on (tokens not checked), Socket Mode" in said
        health = f"http://127.0.0.1:{port}/healthz"  # serving while Slack is away
        async with aiohttp.ClientSession() as session, session.get(health) as r:
            assert r.status == 200
        await asyncio.sleep(2)
    finally:
        stderr = _stop(process)
    assert "Slack is not reachable" in stderr
    assert "Slack Socket Mode: Failed to connect" in stderr
    assert "Traceback" not in stderr
    assert "xapp-good" not in stderr and "xoxb-good" not in stderr
