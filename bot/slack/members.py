"""Who is in a Slack conversation, for answers that fit the channel
(bot/conversation_access.py): ``conversations.info`` for its kind, ``conversations.members``
(paged) for its members, ``users.info`` for their verified e-mails; the bot itself left out.
Cached per channel for WIKIBOT_CHANNEL_ANSWERS__MEMBERS_TTL_S and dropped when Slack reports
a member joining or leaving. Needs the channels:read, groups:read and mpim:read scopes; any
error propagates, and the caller answers from public documents only."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from bot.conversation_access import ChannelAnswerSettings, ConversationKind, Member, Membership

if TYPE_CHECKING:
    from bot.slack.adapter import SlackAdapter

EMAIL_LOOKUPS_AT_ONCE = 8  # users.info side by side, a few at a time (Slack rate-limits it)


class SlackMembers:
    def __init__(self, adapter: SlackAdapter, settings: ChannelAnswerSettings) -> None:
        self.adapter, self.settings = adapter, settings
        self.cached: dict[str, tuple[float, Membership]] = {}  # channel -> (expiry, members)
        self.bot_user = ""

    def forget(self, channel: str) -> None:
        self.cached.pop(channel, None)

    async def of(self, channel: str) -> Membership | None:
        hit = self.cached.get(channel)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        client = self.adapter.client
        info = (await client.conversations_info(channel=channel)).get("channel") or {}
        if info.get("is_im"):
            return None
        kind: ConversationKind = (
            "group" if info.get("is_mpim") else "private" if info.get("is_private") else "public"
        )
        users: list[str] = []
        cursor = ""
        limit = self.settings.max_members
        while len(users) <= limit:
            extra = {"cursor": cursor} if cursor else {}
            page = await client.conversations_members(channel=channel, limit=200, **extra)
            users += [str(u) for u in page.get("members") or []]
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
            if not cursor:
                break
        if not self.bot_user:
            self.bot_user = str((await client.auth_test()).get("user_id") or "")
        humans = [u for u in users if u != self.bot_user]
        if len(humans) > limit:  # the decision is "public only": no need to look anyone up
            members = [Member(user) for user in humans]
        else:  # the first question in a channel waits for these: look them up side by side
            gate = asyncio.Semaphore(EMAIL_LOOKUPS_AT_ONCE)

            async def member(user: str) -> Member:
                async with gate:
                    return Member(user, await self.adapter.email_of(user) or "")

            members = list(await asyncio.gather(*(member(user) for user in humans)))
        result = Membership(kind, tuple(members))
        self.cached[channel] = (time.monotonic() + self.settings.members_ttl_s, result)
        return result
