"""Which documents a shared conversation may be answered from: the one place that enforces

    restricted text is used in a conversation other than the asker's own DM only when it is
    proven, at the moment of answering, that every current member, the asker included, may
    read it; any doubt means public documents only.

Proven means: the conversation's kind is one the settings turn on (all off by default),
its members are read afresh from the platform for this answer (nothing cached: Slack
``conversations.info``/``conversations.members``, the Teams roster), the asker is among
them, there are at most ``max_members``, and every one of them may read the document. The
membership version of the conversation (bot/state/membership_versions.py, bumped by every
join/leave/convert event on any replica) is read before the members; before the answer is
posted, versions and members are read again (:func:`confirmed_answer`): unchanged, it is
posted; changed, it is recomputed for the new members, and a conversation that keeps
changing gets public documents only. Every decision is one audit line (no document text).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from bot.entra_groups import EntraGroups
from bot.groups import GroupDirectory
from bot.models import PUBLIC, Answer, ChatEvent, Viewer
from bot.state.membership_versions import MembershipVersions

audit = logging.getLogger("wikibot.audit")
MEMBERS_TIMEOUT_S = 5.0
RECOMPUTE_AT_MOST = 2  # membership changed while answering this often: public only

ConversationKind = Literal["private", "group", "public"]


class ChannelAnswerSettings(BaseModel):
    """Channel-aware answers are off by default: a thread stays readable by people who join
    the conversation later (docs/permissions.md)."""

    private_channels: bool = False
    group_chats: bool = False
    public_channels: bool = False
    max_members: int = Field(default=100, ge=2, le=5000)  # larger conversations: public only

    def allows(self, kind: ConversationKind) -> bool:
        return {
            "private": self.private_channels,
            "group": self.group_chats,
            "public": self.public_channels,
        }[kind]

    @property
    def any_on(self) -> bool:
        return self.private_channels or self.group_chats or self.public_channels


@dataclass(frozen=True)
class Member:
    user: str  # the platform's user id
    email: str = ""  # as the platform verifies it ("" if unknown or an external account)


@dataclass(frozen=True)
class Membership:
    kind: ConversationKind
    members: tuple[Member, ...]


class ConversationMembers(Protocol):
    def membership_keys(self) -> tuple[str, ...]:
        """The membership-version keys of the conversation whose members decide."""
        ...

    async def conversation_members(self) -> Membership | None:
        """The conversation's kind and current human members (the bot excluded), read
        afresh, or None when the platform cannot say."""
        ...


@dataclass(frozen=True)
class Grant:
    """What one answer may use, and the evidence it was decided on."""

    viewer: Viewer
    versions: tuple[int, ...] = ()
    shared: bool = False  # restricted documents allowed because every member may read them

    def same_as(self, other: Grant) -> bool:
        return self.viewer == other.viewer and self.versions == other.versions


PUBLIC_GRANT = Grant(PUBLIC)


class ConversationAccess:
    def __init__(
        self,
        groups: GroupDirectory,
        settings: ChannelAnswerSettings,
        versions: MembershipVersions,
        *,
        entra: EntraGroups | None = None,
    ) -> None:
        self.groups, self.settings, self.versions, self.entra = groups, settings, versions, entra

    async def grant(self, event: ChatEvent, surface: object) -> Grant:
        """The grant for a question asked in a shared conversation (never a DM)."""
        if not self.settings.any_on:
            return PUBLIC_GRANT  # nothing to look up: no kind of conversation is on
        keys = getattr(surface, "membership_keys", None)
        lookup = getattr(surface, "conversation_members", None)
        if keys is None or lookup is None:
            return PUBLIC_GRANT
        try:  # the version first: an event from now on changes it
            versions = await self.versions.read(keys())
            membership = await asyncio.wait_for(lookup(), MEMBERS_TIMEOUT_S)
            changed = await self.versions.read(keys()) != versions
        except Exception as exc:  # the platform or Redis failed: fail closed
            return _decide(event, "public only", f"members unknown ({type(exc).__name__})", 0)
        if membership is None:
            return _decide(event, "public only", "members unknown", 0)
        if changed:  # an event arrived while the members were read: the list may be old
            return _decide(event, "public only", "members changed while read", 0)
        count = len(membership.members)
        if not self.settings.allows(membership.kind):
            return _decide(event, "public only", f"{membership.kind} conversations are off", count)
        if count == 0 or count > self.settings.max_members:
            limit = self.settings.max_members
            return _decide(event, "public only", f"{count} members (limit {limit})", count)
        if event.user not in {m.user for m in membership.members}:
            return _decide(event, "public only", "the asker is not a member", count)
        members = []
        for m in membership.members:
            found = self.groups.groups_of(event.platform, m.user) | self.groups.groups_of_email(
                m.email
            )
            if self.entra is not None:
                found |= await entra_groups_of(self.entra, event.platform, m.user, m.email)
            members.append(Viewer(user=m.user, email=m.email, groups=found))
        _decide(event, "common access of all members", membership.kind, count)
        return Grant(Viewer(members=tuple(members)), versions, shared=True)


def uses_restricted(answer: Answer) -> bool:
    return any(not chunk.acl_public for chunk in answer.retrieved)


async def confirmed_answer(
    access: ConversationAccess,
    event: ChatEvent,
    surface: object,
    compute: Callable[[Viewer], Awaitable[Answer]],
) -> Answer:
    """An answer for a shared conversation whose grant still holds when it is done: if the
    members (or their version) changed meanwhile, recomputed for the new members; after
    RECOMPUTE_AT_MOST changes, from public documents only."""
    grant = await access.grant(event, surface)
    answer = await compute(grant.viewer)
    changes = 0
    while grant.shared and uses_restricted(answer):
        fresh = await access.grant(event, surface)
        if fresh.same_as(grant):
            break
        changes += 1
        if changes >= RECOMPUTE_AT_MOST:
            _decide(event, "public only", "members changed while answering", 0)
            fresh = PUBLIC_GRANT
        else:
            _decide(event, "recompute", "members changed while answering", 0)
        grant = fresh
        answer = await compute(grant.viewer)
    return answer


async def entra_groups_of(
    entra: EntraGroups, platform: str, user: str, email: str | None
) -> frozenset[str]:
    """Entra groups by the person's object id (Teams) or verified e-mail (Slack, and Teams
    as a fallback); nothing without either."""
    if platform == "teams" and user:
        return await entra.of(user)
    return await entra.of(email) if email else frozenset()


def _decide(event: ChatEvent, decision: str, reason: str, members: int) -> Grant:
    audit.info(
        "conversation access: platform=%s conversation=%s members=%d decision=%s reason=%s",
        event.platform,
        event.channel,
        members,
        decision,
        reason,
    )
    return PUBLIC_GRANT
