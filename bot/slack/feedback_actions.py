"""👍/👎 clicks and 👎 comments from Slack: who may rate the answer is checked before the
vote is stored (bot/state/vote_rules.py:may_rate): the asker, or someone who is a member
of the conversation the answer was posted in right now (``conversations.members``, read
fresh for each click, never cached: a person who left cannot rate any more). An answer in
a DM: the asker only. Anything that cannot be checked is refused, with a line saying so.

The payload's shape was checked before Bolt saw it (bot/slack/payload_shape.py).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.errors import DependencyError
from bot.slack.feedback_modal import BLOCK, comment_of, open_comment_modal
from bot.slack.render import slack_escape, vote_of
from bot.state.feedback import FeedbackStore
from bot.state.vote_rules import Votes, may_rate

logger = logging.getLogger(__name__)
MEMBER_PAGES = 50  # conversations.members pages of 1,000: beyond 50,000 members, refused


class SlackFeedback:
    def __init__(self, client: AsyncWebClient, feedback: FeedbackStore, votes: Votes) -> None:
        self.client, self.feedback, self.votes = client, feedback, votes

    async def on_click(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        vote = vote_of(body["actions"][0])
        if vote is None:
            return
        up, feedback_id = vote
        user = body["user"]["id"]
        refusal = await self.refusal(feedback_id, user)
        text = refusal or await self.votes.vote("slack", feedback_id, user, up)
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        message = body.get("message") or {}
        if channel:
            try:
                await self.client.chat_postEphemeral(
                    channel=channel,
                    user=user,
                    text=slack_escape(text),
                    thread_ts=message.get("thread_ts") or message.get("ts"),
                )
            except Exception as exc:  # the vote is stored (or refused) already
                logger.warning("could not confirm a feedback vote: %s", type(exc).__name__)
        if not up and body.get("trigger_id") and text == messages.THANKS_FOR_FEEDBACK:
            await open_comment_modal(self.client, body["trigger_id"], feedback_id)

    async def on_comment(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        feedback_id, comment = comment_of(view)
        user = body["user"]["id"]
        refusal = await self.refusal(feedback_id, user) if comment else None
        if refusal:  # the modal stays open and says why
            await ack(response_action="errors", errors={BLOCK: refusal})
            return
        await ack()  # closes the modal
        if comment:
            await self.votes.vote("slack", feedback_id, user, False, comment)

    async def refusal(self, feedback_id: str, user: str) -> str | None:
        """Why ``user`` may not rate this answer, or None (an unknown answer: the pipeline
        says it is too old)."""
        try:
            answer = await self.feedback.answer(feedback_id)
        except DependencyError:
            return messages.CANNOT_CHECK_RATER
        if answer is None or await may_rate(answer, user, self.is_member):
            return None
        logger.info("refused a vote from outside the answer's conversation")
        return messages.NOT_YOURS_TO_RATE

    async def is_member(self, channel: str, user: str) -> bool:
        """Whether ``user`` is in ``channel`` now (any error: no)."""
        cursor = ""
        try:
            for _ in range(MEMBER_PAGES):
                extra = {"cursor": cursor} if cursor else {}
                page = await self.client.conversations_members(
                    channel=channel, limit=1000, **extra
                )
                if user in (page.get("members") or []):
                    return True
                cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
                if not cursor:
                    return False
        except Exception as exc:
            logger.warning("could not read a channel's members for a vote: %s", exc)
        return False
