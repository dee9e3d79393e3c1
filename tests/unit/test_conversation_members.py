"""Conversation access with fakes (the HTTP path is tests/integration/): members are read
afresh for every answer, the asker must be among them, a version change or a member change
while answering recomputes the answer, off by default, audit lines without document text,
and Slack e-mails only for accounts of our own organisation, cached for a while."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.conversation_access import (
    ChannelAnswerSettings,
    ConversationAccess,
    Membership,
    confirmed_answer,
)
from bot.groups import GroupDirectory
from bot.models import PUBLIC, Answer, ChatEvent, RetrievedChunk, Viewer
from bot.slack import people as slack_people
from bot.slack.members import SlackMembers
from bot.slack.people import SlackPeople
from bot.state.membership_versions import InProcessMembershipVersions

ON = ChannelAnswerSettings(private_channels=True, group_chats=True)
GROUPS = GroupDirectory({"hr": ["U1", "U2", "U3"]})


class FakeClient:
    def __init__(self) -> None:
        self.members = ["U1", "UBOT", "U2", "U3"]
        self.calls: list[str] = []
        self.profiles: dict[str, dict[str, Any]] = {}

    async def conversations_info(self, channel: str) -> dict[str, Any]:
        self.calls.append("info")
        return {"channel": {"id": channel, "is_private": True}}

    async def conversations_members(self, channel: str, limit: int, cursor: str = "") -> dict:
        self.calls.append("members")
        start = int(cursor or 0)
        more = {"next_cursor": str(start + 2)} if start + 2 < len(self.members) else {}
        return {"members": self.members[start : start + 2], "response_metadata": more}

    async def auth_test(self) -> dict[str, Any]:
        return {"user_id": "UBOT", "team_id": "T1", "enterprise_id": "E1"}

    async def users_info(self, user: str) -> dict[str, Any]:
        self.calls.append(f"users.info {user}")
        profile = self.profiles.get(user, {"team_id": "T1"})
        return {"user": {"id": user, "profile": {"email": f"{user.lower()}@acme.test"}, **profile}}


def event(user: str = "U1") -> ChatEvent:
    return ChatEvent(platform="slack", workspace="T1", channel="G1", user=user, text="q")


class Surface:
    def __init__(self, members: SlackMembers) -> None:
        self.members = members

    def membership_keys(self) -> tuple[str, ...]:
        return ("slack:G1",)

    async def conversation_members(self) -> Membership | None:
        return await self.members.of("G1")


def set_up(
    settings: ChannelAnswerSettings = ON,
) -> tuple[FakeClient, InProcessMembershipVersions, ConversationAccess, Surface]:
    """A client, versions, the access rule and a surface over conversation G1."""
    client = FakeClient()
    versions = InProcessMembershipVersions()
    access = ConversationAccess(GROUPS, settings, versions)
    return client, versions, access, Surface(SlackMembers(client, SlackPeople(client), settings))


def restricted_answer(viewer: Viewer) -> Answer:
    chunk = RetrievedChunk(chunk_id="c", doc_id="d", title="t", source="s", text="x",
                           acl_public=False, acl_groups=["hr"])
    return Answer(question="q", text="a", answered=True,
                  retrieved=[chunk] if viewer.may_read(chunk) else [])


async def test_members_are_read_afresh_for_every_answer() -> None:
    client = FakeClient()
    members = SlackMembers(client, SlackPeople(client), ON)
    first = await members.of("G1")
    assert first is not None and first.kind == "private"
    assert [m.user for m in first.members] == ["U1", "U2", "U3"]  # the bot left out
    assert first.members[0].email == "u1@acme.test"
    client.members.append("U4")  # joins without any event reaching us
    assert len((await members.of("G1")).members) == 4  # type: ignore[union-attr]


async def test_the_asker_must_be_a_current_member() -> None:
    client = FakeClient()
    access = ConversationAccess(GROUPS, ON, InProcessMembershipVersions())
    surface = Surface(SlackMembers(client, SlackPeople(client), ON))
    assert (await access.grant(event("U1"), surface)).shared
    outsider = await access.grant(event("UOUT"), surface)  # every member may read; not them
    assert not outsider.shared and outsider.viewer.public_only


async def test_off_by_default_without_any_lookup() -> None:
    client = FakeClient()
    off = ChannelAnswerSettings()
    access = ConversationAccess(GROUPS, off, InProcessMembershipVersions())
    grant = await access.grant(event(), Surface(SlackMembers(client, SlackPeople(client), off)))
    assert grant.viewer.public_only and client.calls == []


@pytest.mark.parametrize("change", ["join", "version"])
async def test_a_change_while_answering_recomputes_before_posting(change: str) -> None:
    client, versions, access, surface = set_up()
    computed: list[Viewer] = []

    async def compute(viewer: Viewer) -> Answer:
        computed.append(viewer)
        if len(computed) == 1:  # the event arrives while the first answer is being written
            if change == "join":
                client.members.append("UOUT")
            else:
                await versions.bump("slack:G1")
        return restricted_answer(viewer)

    answer = await confirmed_answer(access, event(), surface, compute)
    assert len(computed) == 2
    if change == "join":  # the outsider may not read it: the posted answer does not use it
        assert answer.retrieved == []
    else:  # same members, newer version: recomputed, and still allowed
        assert answer.retrieved and computed[1].members == computed[0].members


async def test_a_conversation_that_keeps_changing_gets_public_only() -> None:
    _, versions, access, surface = set_up()
    computed: list[Viewer] = []

    async def compute(viewer: Viewer) -> Answer:
        computed.append(viewer)
        await versions.bump("slack:G1")
        return restricted_answer(viewer)

    answer = await confirmed_answer(access, event(), surface, compute)
    assert computed[-1].public_only and answer.retrieved == []


async def test_each_decision_is_an_audit_line_without_document_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Failing:
        def membership_keys(self) -> tuple[str, ...]:
            return ("slack:G1",)

        async def conversation_members(self) -> None:
            raise TimeoutError

    access = ConversationAccess(GROUPS, ON, InProcessMembershipVersions())
    with caplog.at_level(logging.INFO, logger="wikibot.audit"):
        grant = await access.grant(event(), Failing())
    assert grant.viewer.public_only
    (line,) = [r.getMessage() for r in caplog.records if r.name == "wikibot.audit"]
    assert "conversation=G1" in line and "decision=public only" in line


@pytest.mark.parametrize(
    ("profile", "counts"),
    [
        ({"team_id": "T1"}, True),
        ({"team_id": "T9", "enterprise_user": {"enterprise_id": "E1"}}, True),  # same Grid org
        ({"team_id": "T9"}, False),  # Slack Connect: another organisation
        ({"team_id": "T1", "is_stranger": True}, False),
        ({}, False),  # no team: unknown means no
    ],
)
async def test_emails_count_only_for_our_own_organisation(
    profile: dict[str, Any], counts: bool
) -> None:
    client = FakeClient()
    client.profiles["UX"] = profile
    email = await SlackPeople(client).email_of("UX")
    assert (email == "ux@acme.test") is counts


async def test_cached_emails_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(slack_people.time, "monotonic", lambda: now[0])
    client = FakeClient()
    people = SlackPeople(client, ttl_s=60)
    await people.email_of("U1")
    await people.email_of("U1")
    assert client.calls.count("users.info U1") == 1
    now[0] += 61
    await people.email_of("U1")
    assert client.calls.count("users.info U1") == 2



async def test_a_join_during_the_check_before_posting_wins() -> None:
    """The event arrives while the re-check's member lookup is in flight, and the lookup
    still returns the old list: the answer must not be posted as it was."""
    client = FakeClient()
    versions = InProcessMembershipVersions()
    access = ConversationAccess(GROUPS, ON, versions)
    members = SlackMembers(client, SlackPeople(client), ON)
    lookups = [0]

    class SlowSurface(Surface):
        async def conversation_members(self) -> Membership | None:
            lookups[0] += 1
            old = await members.of("G1")
            if lookups[0] == 2:  # the re-check before posting: a join lands meanwhile
                client.members.append("UOUT")
                await versions.bump("slack:G1")
            return old

    computed: list[Viewer] = []

    async def compute(viewer: Viewer) -> Answer:
        computed.append(viewer)
        return restricted_answer(viewer)

    answer = await confirmed_answer(access, event(), SlowSurface(members), compute)
    assert len(computed) == 2 and answer.retrieved == []


@pytest.mark.parametrize(
    ("fields", "counts"),
    [
        ({"tenant_id": "tenant1"}, True),
        ({"tenant_id": "tenant2"}, False),  # another organisation's account
        ({}, False),  # no tenant: unknown means no
        ({"tenant_id": "tenant1", "user_role": "guest"}, False),
        ({"tenant_id": "tenant1", "user_role": "anonymous"}, False),
    ],
)
def test_teams_emails_count_only_for_our_own_tenant(fields: dict[str, Any], counts: bool) -> None:
    from botbuilder.schema.teams import TeamsChannelAccount

    from bot.teams.members import own_email

    member = TeamsChannelAccount(id="29:x", email="X@Acme.test", **fields)
    assert (own_email(member, "tenant1") == "x@acme.test") is counts


async def test_a_restricted_answer_is_never_context_for_a_later_shared_answer() -> None:
    """An hr-only answer in a channel; someone joins; the next question there must not get
    the earlier restricted answer as conversation memory (its members have changed)."""
    from bot.config import LimitSettings, RedisSettings
    from bot.pipeline import QuestionPipeline
    from bot.state.shared import build_shared_state

    class HistoryEngine:
        def __init__(self) -> None:
            self.histories: list[list[str]] = []

        def ask(self, question: str, history: Any = None, *, on_token: Any = None,
                viewer: Viewer = PUBLIC) -> Answer:
            self.histories.append([turn.answer for turn in history or []])
            return restricted_answer(viewer).model_copy(update={"question": question})

    client = FakeClient()
    state = build_shared_state(RedisSettings(), LimitSettings())
    engine = HistoryEngine()
    pipeline = QuestionPipeline(
        engine=engine, state=state, groups=GROUPS,
        access=ConversationAccess(GROUPS, ON, state.membership_versions),
    )
    surface = Surface(SlackMembers(client, SlackPeople(client), ON))
    first = await pipeline.answer(event(), identity=surface)  # type: ignore[arg-type]
    assert first.answer is not None and first.answer.retrieved  # hr-only members: allowed
    await pipeline.answer(event(), identity=surface)  # type: ignore[arg-type]
    assert engine.histories[-1] == []  # the restricted turn is not context


async def test_a_membership_event_redis_missed_means_public_only_here() -> None:
    """A bump Redis refused: this replica answers that conversation public only for a
    while (its members may have changed without any other replica knowing)."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    from bot.state.health import RedisHealth
    from bot.state.membership_versions import RedisMembershipVersions

    class Flaky:
        def pipeline(self, transaction: bool = False) -> Any:
            raise RedisConnectionError("down")

        async def mget(self, names: list[str]) -> list[str | None]:
            return [None for _ in names]

    redis = Flaky()
    versions = RedisMembershipVersions(redis, RedisHealth(redis, retry_interval_s=0))  # type: ignore[arg-type]
    assert await versions.read(("slack:G2",)) == (0,)
    await versions.bump("slack:G2")  # the event arrives; Redis refuses it
    access = ConversationAccess(GROUPS, ON, versions)
    client = FakeClient()
    grant = await access.grant(event(), Surface(SlackMembers(client, SlackPeople(client), ON)))
    assert grant.shared  # another conversation (G1) is not affected
    with pytest.raises(Exception, match="not recorded"):
        await versions.read(("slack:G2",))
