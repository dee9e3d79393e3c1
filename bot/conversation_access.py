"""Which documents a shared conversation may be answered from.

In a DM, the asker's own access. In a channel or group chat, a restricted document may be
used only when EVERY current member may read it (so nothing reaches a member who may not see
it), and only in the kinds of conversation the settings allow: private channels and group
chats by default, public channels not (anyone may join one later and read the thread).
Members come from the platform (Slack ``conversations.members``, the Teams roster) through the
surface, cached for WIKIBOT_CHANNEL_ANSWERS__MEMBERS_TTL_S and dropped when a membership event
arrives. Anything unknown (the platform did not answer, too many members, a member without an
identity) means public documents only. Every decision is one audit line (no document text).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from bot.entra_groups import EntraGroups
from bot.groups import GroupDirectory
from bot.models import PUBLIC, ChatEvent, Viewer

audit = logging.getLogger("wikibot.audit")
MEMBERS_TIMEOUT_S = 5.0

ConversationKind = Literal["private", "group", "public"]


class ChannelAnswerSettings(BaseModel):
    private_channels: bool = True
    group_chats: bool = True
    public_channels: bool = False
    members_ttl_s: int = Field(default=300, ge=5, le=86400)
    max_members: int = Field(default=100, ge=2, le=5000)  # larger conversations: public only

    def allows(self, kind: ConversationKind) -> bool:
        return {
            "private": self.private_channels,
            "group": self.group_chats,
            "public": self.public_channels,
        }[kind]


@dataclass(frozen=True)
class Member:
    user: str  # the platform's user id
    email: str = ""  # as the platform verifies it ("" if unknown)


@dataclass(frozen=True)
class Membership:
    kind: ConversationKind
    members: tuple[Member, ...]


class ConversationMembers(Protocol):
    async def conversation_members(self) -> Membership | None:
        """The conversation's kind and current human members (the bot excluded), or None
        when the platform cannot say."""
        ...


async def conversation_viewer(
    event: ChatEvent,
    surface: object,
    groups: GroupDirectory,
    settings: ChannelAnswerSettings,
    *,
    entra: EntraGroups | None = None,
) -> Viewer:
    """The viewer for a question asked in a shared conversation (never a DM)."""
    lookup = getattr(surface, "conversation_members", None)
    if lookup is None:
        return PUBLIC
    try:
        membership = await asyncio.wait_for(lookup(), MEMBERS_TIMEOUT_S)
    except Exception as exc:  # the platform failed: fail closed
        _decide(event, "public only", f"members unknown ({type(exc).__name__})", 0)
        return PUBLIC
    if membership is None:
        _decide(event, "public only", "members unknown", 0)
        return PUBLIC
    count = len(membership.members)
    if not settings.allows(membership.kind):
        _decide(event, "public only", f"{membership.kind} conversations are off", count)
        return PUBLIC
    if count == 0 or count > settings.max_members:
        _decide(event, "public only", f"{count} members (limit {settings.max_members})", count)
        return PUBLIC
    members = []
    for m in membership.members:
        found = groups.groups_of(event.platform, m.user) | groups.groups_of_email(m.email)
        if entra is not None:
            found |= await entra_groups_of(entra, event.platform, m.user, m.email)
        members.append(Viewer(user=m.user, email=m.email, groups=found))
    _decide(event, "common access of all members", membership.kind, count)
    return Viewer(members=tuple(members))


async def entra_groups_of(
    entra: EntraGroups, platform: str, user: str, email: str | None
) -> frozenset[str]:
    """Entra groups by the person's object id (Teams) or verified e-mail (Slack, and Teams
    as a fallback); nothing without either."""
    if platform == "teams" and user:
        return await entra.of(user)
    return await entra.of(email) if email else frozenset()


def _decide(event: ChatEvent, decision: str, reason: str, members: int) -> None:
    audit.info(
        "conversation access: platform=%s conversation=%s members=%d decision=%s reason=%s",
        event.platform,
        event.channel,
        members,
        decision,
        reason,
    )
