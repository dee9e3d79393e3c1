"""Who is in a Teams conversation, for answers that fit the channel
(bot/conversation_access.py): the roster (TeamsInfo.get_members: a group chat's members, a
channel's team, which for a private channel is a superset of its members and so stricter),
with their e-mail or UPN; the bot itself left out. Group chats are "group"; channels are
"private" when Teams marks them so (``channelData.channel.membershipType``), else "public".
Cached per conversation for WIKIBOT_CHANNEL_ANSWERS__MEMBERS_TTL_S and dropped on a
conversationUpdate that adds or removes members. Errors propagate (public documents only)."""

from __future__ import annotations

import time

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo

from bot.conversation_access import ChannelAnswerSettings, ConversationKind, Member, Membership


def conversation_key(context: TurnContext) -> str:
    return (context.activity.conversation.id or "").partition(";messageid=")[0]


class TeamsMembers:
    def __init__(self, settings: ChannelAnswerSettings) -> None:
        self.settings = settings
        self.cached: dict[str, tuple[float, Membership]] = {}

    def forget_on_change(self, context: TurnContext) -> bool:
        """True for a conversationUpdate that adds or removes members: the roster is read
        again at the next question."""
        activity = context.activity
        if activity.type != "conversationUpdate":
            return False
        if activity.members_added or activity.members_removed:
            self.cached.pop(conversation_key(context), None)
        return True

    async def of(self, context: TurnContext) -> Membership | None:
        activity = context.activity
        kind_of = activity.conversation.conversation_type
        if kind_of == "personal":
            return None
        channel = ((activity.channel_data or {}).get("channel") or {}).get("membershipType")
        kind: ConversationKind = (
            "group" if kind_of == "groupChat" else "private" if channel == "private" else "public"
        )
        key = conversation_key(context)
        hit = self.cached.get(key)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        bot = activity.recipient.id if activity.recipient else ""
        roster = await TeamsInfo.get_members(context)
        members = tuple(
            Member(
                m.aad_object_id or m.id,
                (m.email or m.user_principal_name or "").lower(),
            )
            for m in roster
            if m.id != bot
        )
        result = Membership(kind, members)
        self.cached[key] = (time.monotonic() + self.settings.members_ttl_s, result)
        return result
