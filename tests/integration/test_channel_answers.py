"""Answers that fit the channel, over real HTTP (signed Slack events into the app, the Slack
stand-in answering conversations.info/members and users.info): a restricted document is used
in a private channel or group chat only when every member may read it. 100+ questions: a
private channel of hr-only members gets it; the same questions with one outsider present, in a
public channel, and after an outsider joins (a member_joined_channel event) do not."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import build_app
from bot.serve.web import build_web_app
from connectors.folder import FolderConnector
from tests.support.indexing import index_now
from tests.support.restricted_handbook import (
    CANARY,
    QUESTIONS,
    restricted_handbook,
    slack_leak_settings,
)
from tests.support.slack_api import BOT_USER, SlackAPIStub
from tests.support.slack_bot import Bot, mention
from tests.support.web_site import start_site

pytestmark = pytest.mark.slow

@pytest.fixture
async def bot(tmp_path: Path, clean_env: Path, embedder, redis_server) -> AsyncIterator[Bot]:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "handbook"
    restricted_handbook(corpus)
    # hr-only by Slack id, and one member by e-mail (matched through users.info)
    (tmp_path / "groups.yaml").write_text("hr-only: [UHR1, slack:UHR2, hr3@acme.test]\n")
    api = SlackAPIStub()
    await api.start()
    api.emails = {"UHR3": "hr3@acme.test", "UOUT": "outsider@acme.test"}
    api.channels = {
        "GHR": {"is_private": True, "members": ["UHR1", "UHR2", "UHR3", BOT_USER]},
        "GMIXED": {"is_private": True, "members": ["UHR1", "UHR2", "UOUT", BOT_USER]},
        "CPUBLIC": {"is_private": False, "members": ["UHR1", "UHR2", BOT_USER]},
        "MPDM": {"is_mpim": True, "is_private": True, "members": ["UHR1", "UHR3", BOT_USER]},
    }
    settings = slack_leak_settings(  # channel answers are off by default
        tmp_path, corpus, api.url, redis_server.url, private_channels=True, group_chats=True
    )
    components = build_app(settings, embedder=embedder)
    index_now(components, [FolderConnector(corpus, name="handbook")])
    runner, url = await start_site(build_web_app(components))
    yield Bot(url, api, components)
    await runner.cleanup()
    components.store.client.close()
    await api.stop()


async def _ask_all(bot: Bot, channel: str, tag: str) -> str:
    """Every question in ``channel`` from a member; everything the bot sent there, as JSON."""
    before = len(bot.api.of("chat.update"))
    for i, question in enumerate(QUESTIONS):
        event = mention(question, ts=f"17{i:02d}{len(tag):02d}.{abs(hash(tag)) % 10**6:06d}",
                        channel=channel, user="UHR1")
        await bot.event(event, f"E{tag}-{i}")
    updates = await bot.api.wait_for("chat.update", before + len(QUESTIONS), timeout=240)
    return json.dumps([u for u in updates[before:] if u["channel"] == channel])


async def test_restricted_answers_only_where_every_member_may_read(bot: Bot) -> None:
    asked = 0
    for round_ in range(6):
        mixed = await _ask_all(bot, "GMIXED", f"mixed{round_}")
        public = await _ask_all(bot, "CPUBLIC", f"public{round_}")
        assert CANARY not in mixed and "Salary bands" not in mixed  # one outsider present
        assert CANARY not in public  # public channels: off by default
        asked += 2 * len(QUESTIONS)
    allowed = await _ask_all(bot, "GHR", "hr")
    group_dm = await _ask_all(bot, "MPDM", "mpdm")
    asked += 2 * len(QUESTIONS)
    assert CANARY in allowed  # every member is in hr-only (one of them by e-mail)
    assert CANARY in group_dm

    # an outsider joins: Slack says so, and the next answers are public-only at once
    bot.api.channels["GHR"]["members"].append("UOUT")
    body = {"type": "member_joined_channel", "user": "UOUT", "channel": "GHR", "team": "T1"}
    assert await bot.event(body, "Ejoin") == 200
    after_join = await _ask_all(bot, "GHR", "hr-after-join")
    asked += len(QUESTIONS)
    assert CANARY not in after_join
    assert asked >= 100
    assert CANARY not in json.dumps(bot.api.of("chat.postMessage"))  # placeholders, thread posts


async def test_the_assistant_pane_answers_for_the_channel_it_was_opened_from(bot: Bot) -> None:
    """Opened beside a channel, the pane uses what every member there may read; opened from
    the app's own Messages tab, the asker's own access (a DM)."""

    async def pane_answer(thread: str, context: dict[str, str]) -> str:
        started = {"type": "assistant_thread_started", "assistant_thread": {
            "user_id": "UHR1", "channel_id": "DHR1", "thread_ts": thread, "context": context}}
        before = len(bot.api.of("chat.postMessage"))
        await bot.event(started, f"Es{thread}")
        before = len(await bot.api.wait_for("chat.postMessage", before + 1))  # the greeting
        message = {"type": "message", "channel_type": "im", "channel": "DHR1", "user": "UHR1",
                   "text": QUESTIONS[0], "ts": thread + "1", "thread_ts": thread, "team": "T1"}
        await bot.event(message, f"Em{thread}")
        posts = await bot.api.wait_for("chat.postMessage", before + 1)
        return json.dumps([p for p in posts[before:] if p.get("thread_ts") == thread])

    beside_mixed = await pane_answer("1800000001.000100", {"channel_id": "GMIXED"})
    beside_public = await pane_answer("1800000002.000100", {"channel_id": "CPUBLIC"})
    beside_hr = await pane_answer("1800000003.000100", {"channel_id": "GHR"})
    own = await pane_answer("1800000004.000100", {})
    assert CANARY not in beside_mixed and CANARY not in beside_public
    assert CANARY in beside_hr  # everyone beside it may read it
    assert CANARY in own  # UHR1's own access


async def test_members_unknown_means_public_only(bot: Bot) -> None:
    bot.api.channels.pop("GHR")  # conversations.info now fails: channel_not_found
    unknown = await _ask_all(bot, "GHR", "unknown")
    assert CANARY not in unknown


async def test_teams_group_chat_uses_the_roster(
    indexed_template, tmp_path: Path, clean_env: Path, embedder, redis_server,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.support.teams_bot import start_bot, stop_bot

    monkeypatch.setenv("WIKIBOT_CHANNEL_ANSWERS__GROUP_CHATS", "true")  # off by default
    groups = tmp_path / "teams-groups.yaml"
    groups.write_text("hr-only: [teams:aad-hr1, hr2@acme.test]\n")
    monkeypatch.setenv("WIKIBOT_GROUPS_FILE", str(groups))
    corpus = tmp_path / "teams-handbook"
    restricted_handbook(corpus)
    bot, runner = await start_bot(
        tmp_path, indexed_template, embedder, redis_server.url, dev_mode=True
    )
    try:
        index_now(bot.components, [FolderConnector(corpus, name="handbook")])
        chat = "19:group-chat@thread.v2"
        hr = [
            {"id": "29:aad-hr1", "aadObjectId": "aad-hr1", "name": "HR one"},
            {"id": "29:aad-hr2", "aadObjectId": "aad-hr2", "email": "HR2@acme.test"},
        ]
        outsider = {"id": "29:aad-out", "aadObjectId": "aad-out", "email": "out@acme.test"}

        async def ask(tag: str) -> str:
            before = len(bot.connector.sent)
            activity = bot.activity(QUESTIONS[0], kind="group", id=tag, user="aad-hr1")
            assert await bot.post(activity) == 201
            for _ in range(600):
                sent = [s for s in bot.connector.sent[before:] if s["activity"].get("type") ==
                        "message"]
                if sent:
                    return json.dumps(sent)
                await __import__("asyncio").sleep(0.1)
            raise AssertionError("no answer")

        bot.connector.rosters[chat] = hr
        assert CANARY in await ask("t1")  # every member in hr-only (one by e-mail)
        bot.connector.rosters[chat] = [*hr, outsider]
        update = bot.activity("", kind="group", id="t-upd")
        update.update(type="conversationUpdate", membersAdded=[outsider], text=None)
        assert await bot.post(update) in (200, 201)
        assert CANARY not in await ask("t2")  # the roster was re-read after the update
    finally:
        await stop_bot(bot, runner)


async def test_suggested_prompts_are_shared_public_questions_only(bot: Bot) -> None:
    """The pane suggests a logged question only if 3+ people asked it and its answer came
    from documents everyone may read: never one person's question, never a restricted one."""
    asked = [
        ("GHR", ["UHR1", "UHR2", "UHR3"], QUESTIONS[0]),  # answered from the salary bands
        ("CPUBLIC", ["UHR1", "UHR2", "UOUT"], "How many vacation days do I get per year?"),
        ("CPUBLIC", ["UHR1", "UOUT"], "When do I need a doctor's note for sick leave?"),
    ]
    n = 0
    for channel, users, question in asked:
        for user in users:
            n += 1
            event = mention(question, ts=f"1900000000.{n:06d}", channel=channel, user=user)
            await bot.event(event, f"Esuggest{n}")
    await bot.api.wait_for("chat.update", n, timeout=240)
    entries = await bot.components.state.question_log.entries()
    assert sum(1 for e in entries if e.get("kind") == "answer") == n
    started = {"type": "assistant_thread_started", "assistant_thread": {
        "user_id": "UOUT", "channel_id": "DOUT", "thread_ts": "1900000001.000100"}}
    await bot.event(started, "Esuggest-start")
    (prompts,) = await bot.api.wait_for("assistant.threads.setSuggestedPrompts")
    assert [p["message"] for p in prompts["prompts"]] == [asked[1][2]]
    assert CANARY not in json.dumps(prompts) and "salary" not in json.dumps(prompts).lower()
