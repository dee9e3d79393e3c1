"""What a 👍/👎 may be and who may cast it, platform-free (the stores in
bot/state/feedback.py keep what passes).

* Who: the asker, always; an answer posted in a DM (or whose record does not say where it
  was posted) only the asker; a channel answer also a current member of that channel, as
  the platform reports it at the moment of the click (``is_member``; any error: refused).
* How many: one vote per person per answer (a later click replaces the earlier one), and at
  most :data:`MAX_VOTERS_PER_ANSWER` people per answer.
* How long: a 👎's comment is cut at :data:`MAX_REASON_CHARS`, with a note saying so.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal, Protocol

from bot import messages

MAX_REASON_CHARS = 2000
MAX_VOTERS_PER_ANSWER = 200

IsMember = Callable[[str, str], Awaitable[bool]]  # (conversation, user) -> current member?


class Votes(Protocol):
    """The pipeline's side of a vote (bot/pipeline.py:QuestionPipeline.vote)."""

    async def vote(
        self, platform: str, feedback_id: str, user: str, up: bool, reason: str = ""
    ) -> str: ...


async def may_rate(answer: dict[str, Any], user: str, is_member: IsMember) -> bool:
    """Whether ``user`` may rate the answer whose record is ``answer``."""
    if not user:
        return False
    if user == answer.get("asked_by"):
        return True
    conversation = str(answer.get("conversation") or "")
    if answer.get("in_dm") or not conversation:
        return False
    return await is_member(conversation, user)


def bounded_reason(reason: str) -> str:
    """The comment as stored: whole up to MAX_REASON_CHARS, else cut there with a note."""
    if len(reason) <= MAX_REASON_CHARS:
        return reason
    note = messages.COMMENT_CUT.format(kept=MAX_REASON_CHARS, total=len(reason))
    return f"{reason[:MAX_REASON_CHARS]} {note}"


def vote_record(
    answer: dict[str, Any],
    feedback_id: str,
    user: str,
    vote: Literal["up", "down"],
    reason: str = "",
) -> dict[str, Any]:
    """What one click stores: the answer's record plus who voted how, and when; a 👎's
    comment ("what was wrong or missing") comes as the same person's vote again, with
    ``reason``, and replaces their earlier vote."""
    reason = bounded_reason(reason)
    return {
        **answer,
        "feedback_id": feedback_id,
        "user": user,
        "vote": vote,
        "voted_at": time.time(),
        **({"reason": reason} if reason else {}),
    }


def changed(old: dict[str, Any] | None, new: dict[str, Any]) -> bool:
    """Whether ``new`` says something ``old`` (the same person's earlier vote) did not: only
    such votes go to the question log, so repeated clicks do not fill it."""
    return old is None or (old.get("vote"), old.get("reason")) != (
        new.get("vote"),
        new.get("reason"),
    )
