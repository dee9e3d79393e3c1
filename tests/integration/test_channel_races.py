"""Membership races over real HTTP, with channel-aware answers turned on: two replicas of
the bot on one Redis and one index, signed Slack events, the Slack stand-in holding a lookup
open while a join event is delivered (to the same replica or the other), members changed
with no event at all, a private channel turned public, an asker who is not a member, and the
assistant pane beside a channel (the asker left it, never joined it, previews a public one,
or a replica cannot read the thread's context). Every question's answer is checked for the
hr-only canary; the hr member who may read it still gets it where the rule allows.
Teams: tests/integration/test_channel_races_teams.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, build_app
from bot.serve.web import build_web_app
from connectors.folder import FolderConnector
from tests.support.indexing import index_now
from tests.support.restricted_handbook import (
    QUESTIONS,
    LeakCount,
    leaked,
    restricted_handbook,
    slack_leak_settings,
)
from tests.support.slack_api import BOT_USER, SlackAPIStub
from tests.support.slack_bot import Bot, mention
from tests.support.web_site import start_site

pytestmark = pytest.mark.slow

HR = ["UHR1", "UHR2", "UHR3"]
ROUNDS = 3  # each variant asks every question this often (Slack: 130+ questions in all)


@dataclass
class Replicas(LeakCount):
    a: Bot
    b: Bot
    api: SlackAPIStub


@pytest.fixture
async def replicas(  # type: ignore[no-untyped-def]
    tmp_path: Path, clean_env: Path, embedder, redis_server
) -> AsyncIterator[Replicas]:
    corpus = restricted_handbook(tmp_path / "handbook")
    (tmp_path / "groups.yaml").write_text("hr-only: [UHR1, UHR2, hr3@acme.test]\n")
    api = SlackAPIStub()
    await api.start()
    api.emails = {"UHR3": "hr3@acme.test", "UOUT": "outsider@acme.test"}
    settings = slack_leak_settings(
        tmp_path, corpus, api.url, redis_server.url,
        private_channels=True, group_chats=True, public_channels=True,
    )
    first = build_app(settings, embedder=embedder)
    index_now(first, [FolderConnector(corpus, name="handbook")])
    second = build_app(settings, embedder=embedder, store=first.store)  # one index, one Redis
    runners = []
    bots = []
    for parts in (first, second):
        runner, url = await start_site(build_web_app(parts))
        runners.append(runner)
        bots.append(Bot(url, api, parts))
    yield Replicas(bots[0], bots[1], api)
    for bot, runner in zip(bots, runners, strict=True):
        await bot.session.close()
        await runner.cleanup()
    first.store.client.close()
    await api.stop()


def private_channel(api: SlackAPIStub, channel: str, members: list[str], **flags: Any) -> None:
    api.channels[channel] = {"is_private": True, "members": [*members, BOT_USER], **flags}


_n = [0]


async def ask(bot: Bot, channel: str, user: str, question: str) -> str:
    """A mention in ``channel``; everything the bot then sent to it, as JSON."""
    _n[0] += 1
    before = len(bot.api.of("chat.update"))
    event = mention(question, ts=f"1750000000.{_n[0]:06d}", channel=channel, user=user)
    assert await bot.event(event, f"Erace{_n[0]}") == 200
    updates = await bot.api.wait_for("chat.update", before + 1, timeout=120)
    return json.dumps([u for u in updates[before:] if u["channel"] == channel])


async def version_of(app: App, channel: str) -> int:
    (version,) = await app.state.membership_versions.read((f"slack:{channel}",))
    return version


async def deliver(bot: Bot, kind: str, user: str, channel: str, observer: App) -> None:
    """A membership event, and wait until it has been recorded (on any replica)."""
    _n[0] += 1
    before = await version_of(observer, channel)
    body = {"type": kind, "user": user, "channel": channel, "team": "T1"}
    assert await bot.event(body, f"Emember{_n[0]}") == 200
    for _ in range(200):
        if await version_of(observer, channel) > before:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the membership event was not recorded")


async def join_during_answer(asked_on: Bot, told: Bot, channel: str, question: str) -> str:
    """UHR1 asks; while the bot is still reading the members (users.info held open), UOUT
    joins and the join event reaches ``told``; then the held lookup answers (the old list)."""
    api = asked_on.api
    api.gates["users.info"] = asyncio.Event()
    api.arrived["users.info"] = asyncio.Event()
    _n[0] += 1
    before = len(api.of("chat.update"))
    event = mention(question, ts=f"1760000000.{_n[0]:06d}", channel=channel, user="UHR1")
    assert await asked_on.event(event, f"Eheld{_n[0]}") == 200
    await asyncio.wait_for(api.arrived["users.info"].wait(), 60)
    api.channels[channel]["members"].append("UOUT")
    await deliver(told, "member_joined_channel", "UOUT", channel, asked_on.components)
    api.gates.pop("users.info").set()
    updates = await api.wait_for("chat.update", before + 1, timeout=120)
    api.channels[channel]["members"].remove("UOUT")  # leaves again for the next round
    await deliver(told, "member_left_channel", "UOUT", channel, asked_on.components)
    return json.dumps([u for u in updates[before:] if u["channel"] == channel])


async def test_joins_leaves_and_conversions_never_leak(replicas: Replicas) -> None:
    r, api = replicas, replicas.api
    private_channel(api, "GHR", HR)
    for question in QUESTIONS * ROUNDS:
        # the rule allows it: every member (the asker included) is in hr-only
        assert leaked(await ask(r.a, "GHR", "UHR1", question))
        assert leaked(await ask(r.b, "GHR", "UHR2", question))
        # a join while the first answer reads members, the event on this or the other replica
        assert not leaked(r.count(await join_during_answer(r.a, r.a, "GHR", question)))
        assert not leaked(r.count(await join_during_answer(r.a, r.b, "GHR", question)))
    private_channel(api, "GLOST", HR)
    for question in QUESTIONS * ROUNDS:  # the join event lost (or late): members read afresh
        assert leaked(await ask(r.a, "GLOST", "UHR1", question))  # before the join
        api.channels["GLOST"]["members"].append("UOUT")
        assert not leaked(r.count(await ask(r.b, "GLOST", "UHR2", question)))
        api.channels["GLOST"]["members"].remove("UOUT")
    private_channel(api, "GCONV", HR)
    assert leaked(await ask(r.a, "GCONV", "UHR1", QUESTIONS[0]))
    api.channels["GCONV"]["is_private"] = False  # converted to public, no event
    api.channels["GCONV"]["members"].append("UOUT")  # ... and anyone may join it now
    for question in QUESTIONS * ROUNDS:
        assert not leaked(r.count(await ask(r.a, "GCONV", "UHR1", question)))
    private_channel(api, "GALLHR", ["UHR2", "UHR3"])
    for question in QUESTIONS * ROUNDS:  # the asker is not a member of the (all-hr) channel
        assert not leaked(r.count(await ask(r.b, "GALLHR", "UHR1", question)))
    assert r.leaks == 0 and r.asked == 5 * ROUNDS * len(QUESTIONS)


async def pane(
    bot: Bot, user: str, thread: str, context: dict[str, str] | None, question: str
) -> str:
    """A question in the assistant pane of ``user``: a new thread opened beside ``context``,
    or (None) a follow-up in ``thread``."""
    api = bot.api
    _n[0] += 1
    dm = f"D{user}"
    if context is not None:
        started = {"type": "assistant_thread_started", "assistant_thread": {
            "user_id": user, "channel_id": dm, "thread_ts": thread, "context": context}}
        before = len(api.of("chat.postMessage"))
        assert await bot.event(started, f"Epane-start{_n[0]}") == 200
        await api.wait_for("chat.postMessage", before + 1)  # the greeting
    before = len(api.calls)
    message = {"type": "message", "channel_type": "im", "channel": dm, "user": user,
               "text": question, "ts": f"{thread}{_n[0]}", "thread_ts": thread, "team": "T1"}
    assert await bot.event(message, f"Epane{_n[0]}") == 200
    return await final_answer(api, dm, before)


async def final_answer(api: SlackAPIStub, channel: str, since: int) -> str:
    """Everything sent to ``channel`` since call ``since``, once the answer (the message
    carrying the feedback buttons, posted or updated into the placeholder) is among it."""
    for _ in range(1200):
        sent = [p for m, p in api.calls[since:] if m.startswith("chat.") and
                p.get("channel") == channel]
        if "feedback" in json.dumps(sent):
            return json.dumps(sent)
        await asyncio.sleep(0.1)
    raise AssertionError(f"no answer in {channel}")


async def test_the_pane_answers_for_the_asker_in_the_channel(replicas: Replicas) -> None:
    r, api = replicas, replicas.api
    private_channel(api, "GPANE", HR)
    api.channels["CALLHR"] = {"is_private": False, "members": ["UHR2", "UHR3", BOT_USER]}
    thread = "1810000000.000100"
    assert leaked(await pane(r.a, "UHR1", thread, {"channel_id": "GPANE"}, QUESTIONS[0]))
    api.channels["GPANE"]["members"].remove("UHR1")  # the asker leaves the channel
    for i, question in enumerate(QUESTIONS):  # follow-ups in the same thread, both replicas
        bot = (r.a, r.b)[i % 2]
        assert not leaked(r.count(await pane(bot, "UHR1", thread, None, question)))
    for i, question in enumerate(QUESTIONS):  # a channel the asker was never in
        opened = {"channel_id": "GPANE"}
        answer = await pane(r.b, "UOUT", f"182000000{i}.000100", opened, question)
        assert not leaked(r.count(answer))
    for i, question in enumerate(QUESTIONS):  # previewing a public channel of hr members
        opened = {"channel_id": "CALLHR"}
        answer = await pane(r.a, "UHR1", f"183000000{i}.000100", opened, question)
        assert not leaked(r.count(answer))
    for i, question in enumerate(QUESTIONS):  # own Messages tab: the asker's own access
        assert leaked(await pane(r.a, "UHR1", f"184000000{i}.000100", {}, question))
    assert r.leaks == 0 and r.asked == 3 * len(QUESTIONS)


async def test_an_unreadable_pane_context_is_public_only(  # type: ignore[no-untyped-def]
    replicas: Replicas, redis_server
) -> None:
    """Redis down on the replica that receives the follow-up: never the asker's DM access."""
    r, api = replicas, replicas.api
    private_channel(api, "GPANE2", HR)
    thread = "1850000000.000100"
    assert leaked(await pane(r.a, "UHR1", thread, {"channel_id": "GPANE2"}, QUESTIONS[0]))
    redis_server.stop()
    for question in QUESTIONS:  # replica b never saw the thread and cannot read Redis
        assert not leaked(r.count(await pane(r.b, "UHR1", thread, None, question)))
    assert r.leaks == 0


async def dm(bot: Bot, user: str, question: str) -> str:
    """A top-level DM from ``user``; everything the bot then sent there."""
    _n[0] += 1
    before = len(bot.api.calls)
    message = {"type": "message", "channel_type": "im", "channel": f"D{user}", "user": user,
               "text": question, "ts": f"1870000000.{_n[0]:06d}", "team": "T1"}
    assert await bot.event(message, f"Edm{_n[0]}") == 200
    return await final_answer(bot.api, f"D{user}", before)


async def test_an_account_of_another_organisation_never_matches_by_email(
    replicas: Replicas,
) -> None:
    """Slack Connect: UEXT's own organisation gave its profile an address listed in hr-only
    (hr3@acme.test). In a DM, or in a channel otherwise all hr, it counts as nobody."""
    r, api = replicas, replicas.api
    api.emails["UEXT"] = "hr3@acme.test"
    api.user_fields["UEXT"] = {"team_id": "TOTHER"}
    private_channel(api, "GSHARED", ["UHR1", "UHR2", "UEXT"])
    for i, question in enumerate(QUESTIONS * ROUNDS):
        bot = (r.a, r.b)[i % 2]
        assert not leaked(r.count(await dm(bot, "UEXT", question)))
        assert not leaked(r.count(await ask(bot, "GSHARED", "UHR1", question)))
    assert leaked(await dm(r.a, "UHR3", QUESTIONS[0]))  # the real hr3@acme.test, in a DM
    assert r.leaks == 0 and r.asked == 2 * ROUNDS * len(QUESTIONS)


async def test_channel_answers_are_off_by_default(  # type: ignore[no-untyped-def]
    tmp_path: Path, clean_env: Path, embedder
) -> None:
    corpus = restricted_handbook(tmp_path / "handbook")
    (tmp_path / "groups.yaml").write_text("hr-only: [UHR1, UHR2, UHR3]\n")
    api = SlackAPIStub()
    await api.start()
    settings = slack_leak_settings(tmp_path, corpus, api.url, None)  # channel answers: default
    parts = build_app(settings, embedder=embedder)
    index_now(parts, [FolderConnector(corpus, name="handbook")])
    runner, url = await start_site(build_web_app(parts))
    bot = Bot(url, api, parts)
    try:
        private_channel(api, "GHR", HR)
        api.channels["MPDM"] = {"is_mpim": True, "is_private": True,
                                "members": ["UHR1", "UHR2", BOT_USER]}
        for question in QUESTIONS[:3]:
            assert not leaked(await ask(bot, "GHR", "UHR1", question))
            assert not leaked(await ask(bot, "MPDM", "UHR1", question))
        assert not api.of("conversations.members")  # nothing even looked up
    finally:
        await bot.session.close()
        await runner.cleanup()
        parts.store.client.close()
        await api.stop()
