"""Membership races in Teams over real HTTP (Bot Connector activities, the connector
stand-in serving rosters), with channel-aware answers turned on and two replicas on one
Redis and one index: a roster that changes with no update at all, a conversationUpdate
delivered to the other replica while the roster lookup is held open, and a team-level
member change reaching a private channel of that team. Every answer is checked for the
hr-only page; the hr member who may read it still gets it where the rule allows."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_app
from bot.serve.web import build_web_app
from connectors.folder import FolderConnector
from tests.support.indexing import index_now
from tests.support.restricted_handbook import (
    QUESTIONS,
    LeakCount,
    leaked,
    restricted_handbook,
)
from tests.support.teams_bot import TeamsBot, start_bot, stop_bot
from tests.support.web_site import start_site

pytestmark = pytest.mark.slow

GROUP = "19:group-chat@thread.v2"
PRIVATE = "19:private@thread.tacv2;messageid=1700"
HR = [
    {"id": "29:aad-hr1", "aadObjectId": "aad-hr1", "name": "HR one"},
    {"id": "29:aad-hr2", "aadObjectId": "aad-hr2", "email": "HR2@acme.test"},
]
OUTSIDER = {"id": "29:aad-out", "aadObjectId": "aad-out", "email": "out@acme.test"}


@dataclass
class TeamsReplicas(LeakCount):
    a: TeamsBot
    b: TeamsBot


@pytest.fixture
async def replicas(  # type: ignore[no-untyped-def]
    indexed_template, tmp_path: Path, clean_env: Path, embedder, redis_server,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[TeamsReplicas]:
    groups = tmp_path / "teams-groups.yaml"
    groups.write_text("hr-only: [teams:aad-hr1, hr2@acme.test]\n")
    monkeypatch.setenv("WIKIBOT_GROUPS_FILE", str(groups))
    monkeypatch.setenv("WIKIBOT_CHANNEL_ANSWERS__GROUP_CHATS", "true")
    monkeypatch.setenv("WIKIBOT_CHANNEL_ANSWERS__PRIVATE_CHANNELS", "true")
    monkeypatch.setenv("WIKIBOT_LIMITS__USER_PER_WINDOW", "1000000")
    monkeypatch.setenv("WIKIBOT_LIMITS__WORKSPACE_PER_WINDOW", "1000000")
    corpus = restricted_handbook(tmp_path / "teams-handbook")
    a, runner_a = await start_bot(
        tmp_path, indexed_template, embedder, redis_server.url, dev_mode=True
    )
    index_now(a.components, [FolderConnector(corpus, name="handbook")])
    second = build_app(a.components.settings, embedder=embedder, store=a.components.store)
    runner_b, url_b = await start_site(build_web_app(second))
    b = TeamsBot(url_b, a.connector, second)
    yield TeamsReplicas(a, b)
    await b.session.close()
    await runner_b.cleanup()
    await stop_bot(a, runner_a)


_n = [0]


def private_channel_activity(
    bot: TeamsBot, text: str, user: str, membership: str = "private"
) -> dict[str, Any]:
    activity = bot.activity(text, kind="channel", id=f"tp{_n[0]}", user=user)
    activity["conversation"] = {"id": PRIVATE, "conversationType": "channel",
                                "tenantId": "tenant1"}
    activity["channelData"] = {"tenant": {"id": "tenant1"}, "team": {"id": "team1"},
                               "channel": {"id": "19:private@thread.tacv2",
                                           "membershipType": membership}}
    return activity


async def ask(bot: TeamsBot, question: str, *, where: str = "group", user: str = "aad-hr1",
              held: bool = False) -> str:
    """A question from ``user``; what the bot answered, as JSON. With ``held``, returns
    once the roster lookup has arrived (the caller releases it and calls answer_of)."""
    _n[0] += 1
    connector = bot.connector
    if where == "group":
        activity = bot.activity(question, kind="group", id=f"tg{_n[0]}", user=user)
    else:  # "private", or "shared": a channel shared with other teams or organisations
        activity = private_channel_activity(bot, question, user, where)
    before = len(connector.sent)
    assert await bot.post(activity) == 201
    if held:
        await asyncio.wait_for(connector.roster_arrived.wait(), 60)
        return str(before)
    return await answer_of(bot, before)


async def answer_of(bot: TeamsBot, before: int) -> str:
    for _ in range(1200):
        sent = [s for s in bot.connector.sent[before:] if s["activity"].get("type") == "message"]
        if sent:
            return json.dumps(sent)
        await asyncio.sleep(0.1)
    raise AssertionError("no answer")


def update(bot: TeamsBot, added: dict[str, Any], *, team_level: bool = False) -> dict[str, Any]:
    _n[0] += 1
    activity = bot.activity("", kind="group", id=f"tu{_n[0]}")
    activity.update(type="conversationUpdate", membersAdded=[added], text=None)
    if team_level:  # Teams sends team member changes in the team's General channel
        activity["conversation"] = {"id": "19:general@thread.tacv2", "conversationType":
                                    "channel", "tenantId": "tenant1"}
        activity["channelData"] = {"tenant": {"id": "tenant1"}, "team": {"id": "team1"},
                                   "eventType": "teamMemberAdded"}
    return activity


async def bumped_by(
    told: TeamsBot, activity: dict[str, Any], keys: tuple[str, ...], observer: TeamsBot
) -> None:
    """Deliver ``activity`` to ``told`` and wait until ``observer`` sees the version move."""
    versions = observer.components.state.membership_versions
    (before,) = await versions.read(keys)
    assert await told.post(activity) in (200, 201)
    for _ in range(200):
        if (await versions.read(keys))[0] > before:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{keys} never changed")


async def test_roster_changes_never_leak(replicas: TeamsReplicas) -> None:
    r, connector = replicas, replicas.a.connector
    for i, question in enumerate(QUESTIONS * 2):
        connector.rosters[GROUP] = list(HR)
        assert leaked(await ask((r.a, r.b)[i % 2], question))  # every member in hr-only
        connector.rosters[GROUP] = [*HR, OUTSIDER]  # added, and no update reaches the bot
        assert not leaked(r.count(await ask((r.b, r.a)[i % 2], question)))
        assert not leaked(r.count(await ask(r.a, question, user="aad-out")))  # outsider asks
    for question in QUESTIONS * 2:  # added while the roster is being read; update to replica b
        connector.rosters[GROUP] = list(HR)
        connector.roster_gate, connector.roster_arrived = asyncio.Event(), asyncio.Event()
        before = int(await ask(r.a, question, held=True))
        connector.rosters[GROUP] = [*HR, OUTSIDER]
        keys = ("teams:19:group-chat@thread.v2",)
        await bumped_by(r.b, update(r.b, OUTSIDER), keys, r.a)
        gate, connector.roster_gate = connector.roster_gate, None
        gate.set()
        assert not leaked(r.count(await answer_of(r.a, before)))
    assert r.leaks == 0 and r.asked == 6 * len(QUESTIONS)


async def test_a_team_level_change_reaches_its_private_channels(replicas: TeamsReplicas) -> None:
    r, connector = replicas, replicas.a.connector
    for question in QUESTIONS:
        connector.rosters[PRIVATE] = list(HR)
        assert leaked(await ask(r.a, question, where="private"))
        connector.rosters[PRIVATE] = list(HR)
        connector.roster_gate, connector.roster_arrived = asyncio.Event(), asyncio.Event()
        before = int(await ask(r.a, question, where="private", held=True))
        connector.rosters[PRIVATE] = [*HR, OUTSIDER]  # joined the team (and its channel)
        keys = ("teams:team:team1",)
        await bumped_by(r.b, update(r.b, OUTSIDER, team_level=True), keys, r.a)
        gate, connector.roster_gate = connector.roster_gate, None
        gate.set()
        assert not leaked(r.count(await answer_of(r.a, before)))
    assert r.leaks == 0 and r.asked == len(QUESTIONS)


async def test_a_shared_channel_is_public_only(replicas: TeamsReplicas) -> None:
    """Its members are not the team's roster (people of other teams and organisations):
    the roster proves nothing, so public documents only."""
    r, connector = replicas, replicas.a.connector
    connector.rosters[PRIVATE] = list(HR)  # the host team's roster: every one in hr-only
    for question in QUESTIONS:
        assert not leaked(r.count(await ask(r.a, question, where="shared")))
    assert leaked(await ask(r.a, QUESTIONS[0], where="private"))  # the same roster, private
    assert r.leaks == 0 and r.asked == len(QUESTIONS)
