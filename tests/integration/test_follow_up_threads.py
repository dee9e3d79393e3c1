"""Threads as staff write them: a question, a real follow-up, then an unrelated new question,
each answered from its own context (follow-ups decided by evidence, no LLM). Through the
real `wikibot chat` process on the demo handbook, and through signed Slack events over HTTP
(the Slack Web API stand-in records what the bot sent) on the demo handbook and on two of
the shared handbooks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_app
from bot.config import load_settings
from bot.serve.web import build_web_app
from connectors.folder import FolderConnector
from tests.support.commands import DEMO, wikibot_command
from tests.support.indexing import index_now
from tests.support.slack_api import SlackAPIStub
from tests.support.slack_bot import ADMIN, SECRET, Bot, mention
from tests.support.web_site import start_site

pytestmark = pytest.mark.slow

# (question, what the answer must show, what it must not show)
Step = tuple[str, list[str], list[str]]

DEMO_VACATION: list[Step] = [
    ("How many vacation days do I get per year?", ["25 days", "vacation.md"], []),
    ("and for part-timers?", ["Part-time employees", "vacation.md"], []),
    ("does it roll over?", ["carry over up to 5", "vacation.md"], ["learning"]),
    ("is there a company gym?", ["wellness.md"], ["vacation.md", "carry over"]),
]
DEMO_LEAVE: list[Step] = [
    ("How long is parental leave for the secondary caregiver?", ["parental-leave.md"], []),
    ("what about bereavement leave?", ["5 paid days", "other-leave.md"], ["parental-leave.md"]),
    ("is there a company gym?", ["wellness.md"], ["bereavement", "other-leave.md"]),
]
CORPUS_THREADS: dict[str, list[Step]] = {
    "clef-handbook": [
        ("How many vacation days do I get per year?", ["Vacation and Sick Leave"], []),
        ("how much notice do I need to give for it?", ["Vacation and Sick Leave"], []),
        ("Who do I report harassment to?", ["Complaint Policy"], ["Vacation and Sick Leave"]),
    ],
    "gitlab-people": [
        (
            "im the non-birthing parent, do i get parental leave too?",
            ["general-and-entity-benefits"],
            [],
        ),
        ("can it be split up?", ["up to three segments"], []),
        (
            "how much notice do i need to give my manager before taking a week of PTO?",
            ["double the amount of notice"],
            ["segments"],
        ),
    ],
}


def _check(step: Step, shown: str) -> None:
    """What the answer quotes and cites (its "see also" pages, the closest ones it does not
    cite, may name the previous question's page)."""
    question, wanted, unwanted = step
    for text in wanted:
        assert text in shown, (question, text, shown)
    for text in unwanted:
        assert text not in shown, (question, text, shown)


def test_a_terminal_chat_thread(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIKIBOT_", "OPENAI_"))}
    env.pop("REDIS_URL", None)
    env["WIKIBOT_DATA_DIR"] = str(tmp_path / "data")
    run = {"env": env, "capture_output": True, "text": True, "timeout": 600}
    assert subprocess.run([*wikibot_command(), "index", str(DEMO)], **run).returncode == 0  # type: ignore[call-overload]
    lines = "".join(f"{question}\n" for question, _, _ in DEMO_VACATION) + "exit\n"
    chat = subprocess.run([*wikibot_command(), "chat"], input=lines, **run)  # type: ignore[call-overload]
    assert chat.returncode == 0, chat.stderr
    replies = chat.stdout.split("\nwikibot> ")[1:]
    assert len(replies) == len(DEMO_VACATION), chat.stdout
    for step, reply in zip(DEMO_VACATION, replies, strict=True):
        _check(step, reply.split("\nSee also:")[0])


@asynccontextmanager
async def _slack_bot(data: Path, source: Path, embedder, redis_url: str) -> AsyncIterator[Bot]:  # type: ignore[no-untyped-def]
    api = SlackAPIStub()
    await api.start()
    settings = load_settings(
        data_dir=data,
        sources=[source],
        slack={
            "bot_token": "xoxb-test",
            "signing_secret": SECRET,
            "api_url": api.url + "/api/",
            "admins": [ADMIN],
        },
        redis={"url": redis_url},
    )
    components = build_app(settings, embedder=embedder)
    index_now(components, [FolderConnector(source)])
    runner, url = await start_site(build_web_app(components))
    bot = Bot(url, api, components)
    try:
        yield bot
    finally:
        await bot.session.close()
        await runner.cleanup()
        components.store.client.close()
        await api.stop()


def _see_also(block: dict[str, Any]) -> bool:
    elements = block.get("elements") or [{}]
    return block["type"] == "context" and str(elements[0].get("text", "")).startswith("See also")


async def _thread(bot: Bot, steps: list[Step]) -> None:
    """Each step a signed mention in one Slack thread; each final answer checked."""
    root = "1700000100.000100"
    for n, step in enumerate(steps, 1):
        ts = root if n == 1 else f"17000001{n:02d}.000100"
        extra = {} if n == 1 else {"thread_ts": root}
        assert await bot.event(mention(step[0], ts=ts, **extra), f"Ev-thread-{n}") == 200
        finals: list[str] = []
        while len(finals) < n:  # a final answer carries the feedback buttons
            await bot.api.wait_for("chat.update", len(finals) + 1, timeout=300)
            finals = [
                json.dumps([b for b in u["blocks"] if not _see_also(b)], ensure_ascii=False)
                for u in bot.api.of("chat.update")
                if "context_actions" in json.dumps(u.get("blocks", []))
            ]
        assert all(p["thread_ts"] == root for p in bot.api.of("chat.postMessage"))
        _check(step, finals[-1])


@pytest.mark.parametrize("steps", [DEMO_VACATION, DEMO_LEAVE], ids=["vacation", "leave"])
async def test_a_slack_thread_on_the_demo_handbook(
    steps: list[Step],
    indexed_template: Path,
    tmp_path: Path,
    clean_env: Path,
    embedder,
    redis_server,
) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    shutil.copytree(indexed_template, data)
    async with _slack_bot(data, DEMO, embedder, redis_server.url) as bot:
        await _thread(bot, steps)


@pytest.mark.parametrize("corpus", sorted(CORPUS_THREADS))
async def test_a_slack_thread_on_a_shared_handbook(
    corpus: str, corpora: Path, tmp_path: Path, clean_env: Path, embedder, redis_server
) -> None:  # type: ignore[no-untyped-def]
    async with _slack_bot(tmp_path / "data", corpora / corpus, embedder, redis_server.url) as bot:
        await _thread(bot, CORPUS_THREADS[corpus])
