"""👍/👎 on a Teams answer card: only from people in the conversation the answer was posted
in (the rule of bot/state/vote_rules.py): the asker, or, for a channel or group chat answer,
someone on that conversation's roster at the moment of the click, clicking from that same
conversation. Any lookup error refuses the vote."""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity

from bot import messages
from bot.errors import DependencyError
from bot.state.feedback import FeedbackStore
from bot.state.vote_rules import Votes, may_rate
from bot.teams.members import conversation_key
from bot.teams.render import FEEDBACK_KEY
from bot.teams.send import send

logger = logging.getLogger(__name__)


class TeamsFeedback:
    def __init__(self, feedback: FeedbackStore, votes: Votes) -> None:
        self.feedback, self.votes = feedback, votes

    async def on_click(self, context: TurnContext) -> None:
        value = context.activity.value
        sender = context.activity.from_property
        user = sender.aad_object_id or sender.id
        feedback_id = str(value.get(FEEDBACK_KEY))
        text = await self.refusal(context, feedback_id, user)
        if text is None:
            up = value.get("vote") != "down"
            text = await self.votes.vote("teams", feedback_id, user, up)
        if context.activity.conversation.conversation_type == "personal":
            await send(context, Activity(type="message", text=text))
        # in channels and group chats a visible reply would reach everyone: silent

    async def refusal(self, context: TurnContext, feedback_id: str, user: str) -> str | None:
        try:
            answer = await self.feedback.answer(feedback_id)
        except DependencyError:
            return messages.CANNOT_CHECK_RATER
        if answer is None:
            return None  # the pipeline says it is too old to rate

        async def is_member(conversation: str, voter: str) -> bool:
            if conversation != conversation_key(context):
                return False  # clicked from another conversation than the answer's
            try:
                roster = await TeamsInfo.get_members(context)
            except Exception as exc:
                logger.warning("could not read the roster for a vote: %s", type(exc).__name__)
                return False
            return voter in {m.aad_object_id or m.id for m in roster}

        if await may_rate(answer, user, is_member):
            return None
        logger.info("refused a vote from outside the answer's conversation")
        return messages.NOT_YOURS_TO_RATE
