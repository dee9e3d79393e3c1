"""After a 👎, a small modal asks what was wrong or missing (optional). The comment is stored
as the same person's 👎 again with its reason, replacing their vote (bot/state/feedback.py;
cut at MAX_REASON_CHARS if a forged payload carries more), so `wikibot report` lists it
and `feedback export` carries it into the evaluation candidates."""

from __future__ import annotations

import logging
from typing import Any

from bot.state.vote_rules import MAX_REASON_CHARS

logger = logging.getLogger(__name__)
COMMENT_CALLBACK = "feedback_comment"
BLOCK, ACTION = "comment", "comment_text"


def comment_view(feedback_id: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": COMMENT_CALLBACK,
        "private_metadata": feedback_id,
        "title": {"type": "plain_text", "text": "Thanks for the 👎"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Skip"},
        "blocks": [
            {
                "type": "input",
                "block_id": BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "What was wrong or missing?"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": ACTION,
                    "multiline": True,
                    "max_length": MAX_REASON_CHARS,
                },
            }
        ],
    }


async def open_comment_modal(client: Any, trigger_id: str, feedback_id: str) -> None:
    try:
        await client.views_open(trigger_id=trigger_id, view=comment_view(feedback_id))
    except Exception as exc:  # the vote is stored already; the comment is optional
        logger.warning("could not open the feedback comment modal: %s", type(exc).__name__)


def comment_of(view: dict[str, Any]) -> tuple[str, str]:
    """(feedback id, comment) from a submitted modal; an empty comment is ""."""
    values = ((view.get("state") or {}).get("values") or {}).get(BLOCK) or {}
    text = (values.get(ACTION) or {}).get("value") or ""
    return str(view.get("private_metadata", "")), str(text).strip()
