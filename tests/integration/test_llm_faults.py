"""Issue 16, findings 4 and 5: whatever an OpenAI-compatible server does (hangs after the
headers, trickles bytes without ever finishing an event, streams past max_tokens, answers
with something that is not JSON), every call ends within its deadlines and the answer falls
back to the extractive one with its sources; a stuck call frees its answer slot, and
SIGTERM ends `serve` within its grace period even while calls are stuck."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import subprocess
import time
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.answer.generative import FALLBACK_NOTE
from bot.answer.llm import LLMError
from bot.answer.openai_client import OpenAIChatClient, estimated_tokens
from bot.app import build_app
from bot.config import LLMSettings, load_settings
from tests.support.commands import clean_command_env as _env
from tests.support.commands import wikibot_command
from tests.support.redis_server import free_port
from tests.support.slack_api import BOT_USER, SlackAPIStub
from tests.support.stub_llm import running_stub

FAST = {"timeout_s": 1.0, "first_token_timeout_s": 1.5, "total_timeout_s": 3.0}
MESSAGES = [{"role": "user", "content": "hello"}]


@pytest.mark.parametrize("stream", [True, False])
@pytest.mark.parametrize("fault", ["hang", "trickle", "not-json"])
def test_every_fault_ends_within_the_deadline(fault: str, stream: bool) -> None:
    with running_stub() as stub:
        stub.fault = lambda messages: fault
        client = OpenAIChatClient(
            LLMSettings(model="stub", base_url=stub.url, max_retries=2, **FAST)  # type: ignore[arg-type]
        )
        started = time.monotonic()
        with pytest.raises(LLMError):
            client.complete(MESSAGES, on_token=(lambda t: None) if stream else None)
        elapsed = time.monotonic() - started
    # the total deadline covers retries too: without it a trickle never ends
    assert elapsed < FAST["total_timeout_s"] + 2.0, elapsed


def test_a_stream_past_max_tokens_is_cut_at_the_cap() -> None:
    with running_stub() as stub:
        stub.fault = lambda messages: "endless"
        client = OpenAIChatClient(LLMSettings(model="stub", base_url=stub.url, **FAST))  # type: ignore[arg-type]
        tokens: list[str] = []
        text = client.complete(MESSAGES, on_token=tokens.append, max_tokens=32)
    assert text == "".join(tokens) and 0 < len(tokens) <= 32  # stopped, not read forever
    assert estimated_tokens(len(tokens), len(text)) == 32


def test_a_non_json_reply_falls_back_to_the_extractive_answer(
    indexed_template: Path, tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    shutil.copytree(indexed_template, tmp_path / "data")
    with running_stub() as stub:
        stub.fault = lambda messages: "not-json"
        llm = LLMSettings(model="stub", base_url=stub.url, max_retries=0, **FAST)  # type: ignore[arg-type]
        parts = build_app(load_settings(data_dir=tmp_path / "data", llm=llm), embedder=embedder)
        for on_token in (None, lambda t: None):
            answer = parts.engine.ask(
                "How many vacation days do I get per year?", on_token=on_token
            )
            assert answer.writer == "extractive-fallback" and answer.answered
            assert answer.text.startswith(FALLBACK_NOTE)
            assert "time-off/vacation.md" in [c.source for c in answer.citations]
        parts.store.client.close()


@pytest.mark.slow
def test_ask_json_survives_a_non_json_llm(indexed_template: Path, tmp_path: Path) -> None:
    shutil.copytree(indexed_template, tmp_path / "data")
    with running_stub() as stub:
        stub.fault = lambda messages: "not-json"
        env = _env(
            tmp_path, WIKIBOT_LLM__MODEL="stub", OPENAI_BASE_URL=stub.url, OPENAI_API_KEY="k"
        )
        done = subprocess.run(
            [*wikibot_command(), "ask", "How many vacation days do I get per year?", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["writer"] == "extractive-fallback" and out["citations"]


def _mention(text: str, n: int) -> str:
    event = {
        "type": "app_mention",
        "user": "UALICE",
        "text": f"<@{BOT_USER}> {text}",
        "ts": f"17000000{n:02d}.000100",
        "channel": "CGENERAL",
    }
    return json.dumps(
        {"type": "event_callback", "team_id": "T1", "event_id": f"Estuck{n}", "event": event}
    )


async def _post(session: aiohttp.ClientSession, base: str, body: str) -> int:
    ts = str(int(time.time()))
    signature = SignatureVerifier("sig-secret").generate_signature(timestamp=ts, body=body)
    headers = {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
        "Content-Type": "application/json",
    }
    async with session.post(f"{base}/slack/events", data=body, headers=headers) as response:
        return response.status


@pytest.mark.slow
async def test_stuck_llm_calls_free_their_slots_and_sigterm_ends_serve(
    indexed_template: Path, tmp_path: Path
) -> None:
    shutil.copytree(indexed_template, tmp_path / "data")
    api = SlackAPIStub()
    await api.start()
    port = free_port()
    with running_stub() as stub:
        stub.fault = lambda m: "trickle" if "stuck" in json.dumps(m) else None
        stub.behaviour = lambda messages: "Everyone gets 25 vacation days a year [1]."
        env = _env(
            tmp_path,
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_SIGNING_SECRET="sig-secret",
            SLACK_API_URL=api.url + "/api/",
            WIKIBOT_LLM__MODEL="stub",
            OPENAI_BASE_URL=stub.url,
            WIKIBOT_LLM__TOTAL_TIMEOUT_S="4",
            WIKIBOT_LLM__FIRST_TOKEN_TIMEOUT_S="3",
            WIKIBOT_LLM__TIMEOUT_S="2",
            WIKIBOT_SERVER__ANSWER_THREADS="2",
            WIKIBOT_SERVER__SHUTDOWN_GRACE_S="2",
            WIKIBOT_LIMITS__USER_PER_WINDOW="1000",
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
            line = await asyncio.to_thread(process.stdout.readline)
            assert "wikibot serving on" in line, line
            base = f"http://127.0.0.1:{port}"
            stuck = "How many vacation days do I get per year? (stuck)"
            async with aiohttp.ClientSession() as session:
                for n in range(5):  # more stuck answers than answer threads
                    assert await _post(session, base, _mention(stuck, n)) == 200
                healthy = "How many vacation days do I get per year?"
                assert await _post(session, base, _mention(healthy, 10)) == 200
                deadline = time.monotonic() + 45
                while not any("25 vacation days" in shown for shown in api.delivered()):
                    assert time.monotonic() < deadline, "the healthy question was never answered"
                    await asyncio.sleep(0.2)
                # every stuck answer ended as the extractive fallback, with its sources
                while sum(FALLBACK_NOTE in json.dumps(u) for u in api.of("chat.update")) < 5:
                    assert time.monotonic() < deadline, "a stuck answer never ended"
                    await asyncio.sleep(0.2)
                for n in range(20, 24):  # stuck again, then SIGTERM
                    assert await _post(session, base, _mention(stuck, n)) == 200
                await api.wait_for("chat.postMessage", 10, timeout=30)
            process.send_signal(signal.SIGTERM)
            started = time.monotonic()
            code = await asyncio.to_thread(process.wait, 30)
            assert code == 0 and time.monotonic() - started < 10  # grace 2 s, not the calls
        finally:
            if process.poll() is None:
                process.kill()
            await api.stop()
