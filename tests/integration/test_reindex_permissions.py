"""Issue 16, finding 1, reproduced exactly over real HTTP: the index holds public documents
only; serve answers once (the embedded store caches "all public"); a document restricted to
`execs` is added; `/wikibot reindex` runs and, while it is still running (held open after the
restricted chunks are written), 84 questions about that document arrive from a public channel
and from a non-member's DM. None may show its text. Then a member sees it in a DM (so the
document really was indexed, and the test could fail)."""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_app
from bot.config import load_settings
from bot.serve.web import build_web_app
from tests.support.commands import DEMO
from tests.support.slack_api import SlackAPIStub
from tests.support.slack_bot import ADMIN, SECRET, Bot, mention
from tests.support.web_site import start_site

CANARY = "CANARY-falcon-51c2"
RESTRICTED = f"""---
title: Project Falcon
access: [execs]
---
# Project Falcon

## Merger plan

The merger with Falcon Holdings closes in March. The codename is {CANARY}.
Every employee keeps their vacation days and salary after the merger closes.
"""
QUESTIONS = [
    "What is Project Falcon?",
    "When does the merger close?",
    "What is the codename of the merger?",
    "Tell me about the Falcon merger plan",
    "Do I keep my vacation days after the merger?",
    "What happens to salaries after the merger?",
    "Which company are we merging with?",
]


class GatedEmbedder:
    """The real embedder; index batches after the first wait for ``release`` (queries and
    answer sentences are never held), so the reindex stays in progress while we ask."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.batches = 0
        self.holding = threading.Event()
        self.release = threading.Event()

    def embed_batch(self, texts: list[str]) -> list[list[float]]:
        self.batches += 1
        if self.batches > 1:
            self.holding.set()
            self.release.wait(120)
        return self.inner.embed_batch(texts)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture
async def served(
    indexed_template: Path, tmp_path: Path, clean_env: Path, embedder, redis_server
) -> AsyncIterator[tuple[Bot, Path, GatedEmbedder]]:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "handbook"  # the same folder name as the indexed demo source
    shutil.copytree(DEMO, corpus)
    data = tmp_path / "bot-data"
    shutil.copytree(indexed_template, data)
    (tmp_path / "groups.yaml").write_text("execs: [slack:UEXEC]\n")
    api = SlackAPIStub()
    await api.start()
    settings = load_settings(
        data_dir=data,
        sources=[corpus],
        groups_file=tmp_path / "groups.yaml",
        limits={"user_per_window": 10**6, "workspace_per_window": 10**6},
        slack={
            "bot_token": "xoxb-test",
            "signing_secret": SECRET,
            "api_url": api.url + "/api/",
            "admins": [ADMIN],
            "progress_interval_s": 0.2,
        },
        redis={"url": redis_server.url},
    )
    gated = GatedEmbedder(embedder)
    components = build_app(settings, embedder=gated)
    runner, url = await start_site(build_web_app(components))
    yield Bot(url, api, components), corpus, gated
    gated.release.set()
    await asyncio.sleep(0.5)
    await runner.cleanup()
    components.store.client.close()
    await api.stop()


def dm(text: str, user: str, ts: str) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": f"D{user}",
        "user": user,
        "text": text,
        "ts": ts,
    }


async def test_no_restricted_text_while_a_reindex_writes_it(
    served: tuple[Bot, Path, GatedEmbedder],
) -> None:
    bot, corpus, gated = served
    await bot.event(mention("How many vacation days do I get per year?"), "Ewarm")
    await bot.api.wait_for("chat.update")  # the store now caches "all public"
    assert bot.components.store.all_public()

    (corpus / "a-falcon.md").write_text(RESTRICTED)  # sorts first: in the first batch
    for i in range(40):  # a second batch, which the gate holds open
        (corpus / f"z-note-{i:02d}.md").write_text(f"# Note {i}\n\nOffice note number {i}.\n")
    assert await bot.command("reindex", ADMIN, "r1") == 200
    assert await asyncio.to_thread(gated.holding.wait, 120), "the reindex never got going"

    asked = 0
    for round_ in range(6):
        for i, question in enumerate(QUESTIONS):
            ts = f"17000{round_:02d}{i:02d}.000100"
            await bot.event(mention(question, ts=ts), f"Ech{round_}-{i}")
            await bot.event(dm(question, "UALICE", ts), f"Edm{round_}-{i}")
            asked += 2
    assert asked >= 84
    updates = await bot.api.wait_for("chat.update", 1 + asked, timeout=240)
    assert gated.release.is_set() is False  # every answer came while the reindex ran
    sent = json.dumps([params for _, params in bot.api.calls])
    assert CANARY not in sent
    assert "Project Falcon" not in json.dumps(updates)  # not even its title is cited

    gated.release.set()
    deadline = asyncio.get_running_loop().time() + 120
    while not any(p["text"].startswith("Reindex finished") for p in bot.api.of("response_url")):
        assert asyncio.get_running_loop().time() < deadline, bot.api.of("response_url")
        await asyncio.sleep(0.2)
    await bot.event(dm("What is the codename of the merger?", "UEXEC", "1800000000.1"), "Eexec")
    deadline = asyncio.get_running_loop().time() + 60
    while not (member := [u for u in bot.api.of("chat.update") if u["channel"] == "DUEXEC"]):
        assert asyncio.get_running_loop().time() < deadline, "the member got no answer"
        await asyncio.sleep(0.1)
    assert CANARY in json.dumps(member[-1])  # indexed, and restricted to members
