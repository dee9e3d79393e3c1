"""Who is in a Teams conversation, for answers that fit the channel
(bot/conversation_access.py): the roster (TeamsInfo.get_members: a group chat's members, a
channel's team, which for a private channel is a superset of its members and so stricter),
with their e-mail or UPN; the bot itself left out. Group chats are "group"; channels are
"private" when Teams marks them so (``channelData.channel.membershipType``), else "public".
Read afresh for every answer that could use restricted documents and again before it is
posted (nothing cached). A conversationUpdate bumps the membership version of the
conversation and of its team (a team-level change reaches every channel of the team).
Guests, anonymous users and accounts of another (or no) tenant have no e-mail here; a
shared channel's members are not its team's roster, so it counts as unknown. Errors
propagate (public documents only)."""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo

from bot.conversation_access import ConversationKind, Member, Membership
from bot.state.membership_versions import MembershipVersions

EXTERNAL_ROLES = {"guest", "anonymous"}


def conversation_key(context: TurnContext) -> str:
    return (context.activity.conversation.id or "").partition(";messageid=")[0]


def tenant_of(context: TurnContext) -> str:
    activity = context.activity
    return str(
        ((activity.channel_data or {}).get("tenant") or {}).get("id")
        or getattr(activity.conversation, "tenant_id", "")
        or ""
    )


def membership_keys(context: TurnContext) -> tuple[str, ...]:
    """The version keys: the conversation, and its team when it is a team channel."""
    team = ((context.activity.channel_data or {}).get("team") or {}).get("id")
    keys = (f"teams:{conversation_key(context)}",)
    return (*keys, f"teams:team:{team}") if team else keys


def own_email(member: Any, tenant: str) -> str:
    """The member's e-mail or UPN, only for a member of our own tenant (not a guest)."""
    if (getattr(member, "user_role", "") or "").lower() in EXTERNAL_ROLES:
        return ""
    their_tenant = getattr(member, "tenant_id", "") or ""
    if not tenant or their_tenant != tenant:  # unknown counts as another tenant
        return ""
    return str(member.email or member.user_principal_name or "").lower()


class TeamsMembers:
    def __init__(self, versions: MembershipVersions) -> None:
        self.versions = versions

    async def on_update(self, context: TurnContext) -> bool:
        """True for a conversationUpdate (nothing else to do with it): members added or
        removed, a channel or team changed; answers in flight are recomputed."""
        if context.activity.type != "conversationUpdate":
            return False
        for key in membership_keys(context):
            await self.versions.bump(key)
        return True

    async def of(self, context: TurnContext) -> Membership | None:
        activity = context.activity
        kind_of = activity.conversation.conversation_type
        if kind_of == "personal":
            return None
        channel = ((activity.channel_data or {}).get("channel") or {}).get("membershipType")
        if kind_of != "groupChat" and channel not in (None, "standard", "private"):
            return None  # a shared channel: its members are not the team's roster
        kind: ConversationKind = (
            "group" if kind_of == "groupChat" else "private" if channel == "private" else "public"
        )
        bot = activity.recipient.id if activity.recipient else ""
        tenant = tenant_of(context)
        roster = await TeamsInfo.get_members(context)
        members = tuple(
            Member(m.aad_object_id or m.id, own_email(m, tenant)) for m in roster if m.id != bot
        )
        return Membership(kind, members)
