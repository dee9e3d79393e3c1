"""Who is in a Slack conversation, for answers that fit the channel
(bot/conversation_access.py): ``conversations.info`` for its kind, ``conversations.members``
(paged) for its members, their verified e-mails (bot/slack/people.py); the bot itself left
out. Read afresh for every answer that could use restricted documents and again before it
is posted: nothing here is cached but the e-mails. Needs the channels:read, groups:read and
mpim:read scopes; any error propagates, and the caller answers from public documents only."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from bot.conversation_access import ChannelAnswerSettings, ConversationKind, Member, Membership
from bot.slack.people import SlackPeople

EMAIL_LOOKUPS_AT_ONCE = 8  # users.info side by side, a few at a time (Slack rate-limits it)


class ConversationsClient(Protocol):
    async def conversations_info(self, *, channel: str) -> Any: ...

    async def conversations_members(self, *, channel: str, limit: int, **extra: str) -> Any: ...


def membership_key(channel: str) -> str:
    """The membership-version key of a Slack conversation (bumped by its events)."""
    return f"slack:{channel}"


class SlackMembers:
    def __init__(
        self, client: ConversationsClient, people: SlackPeople, settings: ChannelAnswerSettings
    ) -> None:
        self.client, self.people, self.settings = client, people, settings

    async def of(self, channel: str) -> Membership | None:
        info = (await self.client.conversations_info(channel=channel)).get("channel") or {}
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
            page = await self.client.conversations_members(channel=channel, limit=200, **extra)
            users += [str(u) for u in page.get("members") or []]
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
            if not cursor:
                break
        bot_user = (await self.people.workspace()).bot_user
        humans = [u for u in users if u != bot_user]
        if len(humans) > limit:  # the decision is "public only": no need to look anyone up
            return Membership(kind, tuple(Member(user) for user in humans))
        gate = asyncio.Semaphore(EMAIL_LOOKUPS_AT_ONCE)  # side by side, a few at a time

        async def member(user: str) -> Member:
            async with gate:
                return Member(user, await self.people.email_of(user) or "")

        return Membership(kind, tuple(await asyncio.gather(*(member(u) for u in humans))))
