"""The answer sequence every chat surface runs, written once, and the small Surface protocol
each platform implements for it (Slack, Teams, the terminal).

    admit (dedupe, rate limit) -> show that work started -> answer (streaming where the
    surface can) -> keep what the feedback buttons refer to -> the answer, rendered by the
    surface -> the asker's private figures, privately -> on any failure, an apology in place
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from bot import messages
from bot.errors import WikibotError, report
from bot.models import Answer, ChatEvent
from bot.pipeline import QuestionPipeline

logger = logging.getLogger(__name__)


class Surface(Protocol):
    """One conversation on one platform, as the answer sequence needs it."""

    async def say(self, text: str) -> None:
        """A short message of the bot's own (rate limited, could not reach you privately)."""

    async def started(self) -> Callable[[str], None] | None:
        """Show that an answer is coming (a placeholder, typing); returns the callback that
        streams LLM tokens into it (called from a worker thread), or None."""

    async def finish(self, answer: Answer, feedback_id: str) -> None:
        """The answer with its citations and feedback buttons, replacing what started()
        showed."""

    async def failed(self, reason: str) -> None:
        """Answering failed: an apology replaces what started() showed. ``reason`` is the
        error as a person may read it (bot/errors.py); chat platforms keep it to the log,
        the terminal shows it to its one user."""

    async def send_privately(self, text: str) -> bool:
        """``text`` to the asker alone (ephemeral, or a 1:1 chat); False if impossible."""

    async def email_of(self, user: str) -> str | None:
        """The asker's verified email, for documents restricted to people by email."""


async def respond(pipeline: QuestionPipeline, event: ChatEvent, surface: Surface) -> None:
    """Handle one chat event end to end; a shutdown waits for it."""
    async with pipeline.in_flight.track():
        if not event.text:
            return
        admission = await pipeline.admit(event)
        if admission is None:
            return  # a repeated delivery of an event already being answered
        if admission.kind == "rate_limited":
            await surface.say(admission.text)
            return
        on_token = await surface.started()
        try:
            reply = await pipeline.answer(
                event, on_token, identity=surface, can_send_privately=True
            )
            assert reply.answer is not None
        except Exception as exc:  # unexpected ones are logged with their traceback by report()
            reason = report(exc, logger, f"answering a {event.platform} question")
            # expected conditions (nothing indexed, bad input) are the asker's message, and
            # /readyz's; surprises are warnings
            level = logging.INFO if isinstance(exc, WikibotError) else logging.WARNING
            failure = type(exc).__name__
            logger.log(level, "answering a %s question failed: %s", event.platform, failure)
            await surface.failed(reason)
            return
        feedback_id = await pipeline.remember(event, reply)
        await surface.finish(reply.answer, feedback_id)
        if reply.private_text and not await surface.send_privately(reply.private_text):
            await surface.say(messages.COULD_NOT_REACH_PRIVATELY)
