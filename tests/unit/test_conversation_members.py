"""Slack conversation members for channel answers: paging, the bot left out, the TTL, and
membership events (a fake Web API client; the HTTP path is tests/integration/)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.conversation_access import ChannelAnswerSettings, conversation_viewer
from bot.groups import GroupDirectory
from bot.models import ChatEvent
from bot.slack import members as slack_members
from bot.slack.members import SlackMembers


class FakeClient:
    def __init__(self) -> None:
        self.members = ["U1", "UBOT", "U2", "U3"]
        self.calls: list[str] = []

    async def conversations_info(self, channel: str) -> dict[str, Any]:
        self.calls.append("info")
        return {"channel": {"id": channel, "is_private": True}}

    async def conversations_members(self, channel: str, limit: int, cursor: str = "") -> dict:
        self.calls.append("members")
        start = int(cursor or 0)
        more = {"next_cursor": str(start + 2)} if start + 2 < len(self.members) else {}
        return {"members": self.members[start : start + 2], "response_metadata": more}

    async def auth_test(self) -> dict[str, Any]:
        return {"user_id": "UBOT"}


class FakeAdapter:
    def __init__(self) -> None:
        self.client = FakeClient()

    async def email_of(self, user: str) -> str | None:
        return f"{user.lower()}@acme.test"


async def test_members_are_paged_cached_for_the_ttl_and_forgotten_on_events(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1000.0]
    monkeypatch.setattr(slack_members.time, "monotonic", lambda: now[0])
    adapter = FakeAdapter()
    members = SlackMembers(adapter, ChannelAnswerSettings(members_ttl_s=60))  # type: ignore[arg-type]
    first = await members.of("G1")
    assert first is not None and first.kind == "private"
    assert [m.user for m in first.members] == ["U1", "U2", "U3"]  # the bot left out
    assert first.members[0].email == "u1@acme.test"
    adapter.client.members.append("U4")  # joins without an event reaching us
    now[0] += 59
    assert len((await members.of("G1")).members) == 3  # type: ignore[union-attr]
    now[0] += 2  # past the TTL: read again
    assert len((await members.of("G1")).members) == 4  # type: ignore[union-attr]
    adapter.client.members.remove("U4")
    members.forget("G1")  # a member_left_channel event
    assert len((await members.of("G1")).members) == 3  # type: ignore[union-attr]


async def test_each_decision_is_an_audit_line_without_document_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Surface:
        async def conversation_members(self) -> None:
            raise TimeoutError

    event = ChatEvent(platform="slack", workspace="T", channel="G1", user="U1", text="q")
    with caplog.at_level(logging.INFO, logger="wikibot.audit"):
        viewer = await conversation_viewer(
            event, Surface(), GroupDirectory({}), ChannelAnswerSettings()
        )
    assert viewer.public_only
    (line,) = [r.getMessage() for r in caplog.records if r.name == "wikibot.audit"]
    assert "conversation=G1" in line and "decision=public only" in line
    assert "TimeoutError" in line
