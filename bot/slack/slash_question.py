"""`/wikibot QUESTION`: the answer through the slash command's response_url, visible to the
asker only (``/wikibot ask-public QUESTION``: to the channel). The response_url works in
channels the bot is not a member of, which is why it is used rather than chat.postMessage.

Privacy stays as in a channel: restricted documents and HR figures only in the asker's DM
with the bot (an ephemeral reply in a channel is still a channel). Memory is per asker, so
one person's follow-ups never pick up another's questions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncRespond

from bot import messages
from bot.models import Answer, ChatEvent
from bot.slack.render import slack_answer_messages, slack_escape

if TYPE_CHECKING:
    from bot.slack.adapter import SlackAdapter

logger = logging.getLogger(__name__)


def slash_event(body: dict[str, Any], question: str, *, public: bool, is_admin: bool) -> ChatEvent:
    channel = body.get("channel_id", "")
    user = body["user_id"]
    return ChatEvent(
        platform="slack",
        workspace=body.get("team_id", ""),
        channel=channel,
        thread=f"slash:{user}",  # the asker's own memory in this channel
        user=user,
        text=question,
        event_id=f"slash:{body['trigger_id']}" if body.get("trigger_id") else "",
        is_dm=channel.startswith("D") and not public,
        is_admin=is_admin,
    )


class SlashReply:
    """The Surface of a slash-command question: replies through response_url."""

    def __init__(self, adapter: SlackAdapter, respond: AsyncRespond, *, public: bool) -> None:
        self.adapter, self.respond = adapter, respond
        self.kind = "in_channel" if public else "ephemeral"

    async def say(self, text: str) -> None:
        await self.respond(text=slack_escape(text), response_type="ephemeral")

    async def started(self) -> Callable[[str], None] | None:
        return None  # the ack already said "searching"; the answer comes whole

    async def finish(self, answer: Answer, feedback_id: str) -> None:
        # plain buttons: a response_url reply cannot tell us it refused feedback_buttons
        for post in slack_answer_messages(answer, feedback_id=feedback_id, legacy_feedback=True):
            await self.respond(response_type=self.kind, replace_original=False, **post)

    async def failed(self, reason: str) -> None:
        await self.respond(text=messages.FAILED, response_type="ephemeral")

    async def send_privately(self, text: str) -> bool:
        try:
            await self.respond(text=slack_escape(text), response_type="ephemeral")
        except Exception as exc:
            logger.warning("could not send an ephemeral reply: %s", type(exc).__name__)
            return False
        return True

    async def email_of(self, user: str) -> str | None:
        return await self.adapter.email_of(user)
