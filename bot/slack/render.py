"""Answer -> Slack Block Kit messages. Pure functions; Slack's limits live here."""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.models.blocks import (
    ContextActionsBlock,
    FeedbackButtonObject,
    FeedbackButtonsElement,
)

from bot.models import Answer, Citation
from bot.text_pieces import split_text

# Slack's limits: section text 3,000 chars, 50 blocks per message, message text 40,000.
SLACK_SECTION_CHARS = 3000
SLACK_BLOCKS_PER_MESSAGE = 50
SLACK_TEXT_CHARS = 40000


def slack_escape(text: str) -> str:
    """User and document text as inert mrkdwn: no <!channel>, <@U…> or forged links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(url: str, label: str) -> str:
    safe_url = url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C").replace(" ", "%20")
    safe_label = slack_escape(label).replace("|", "¦")
    return f"<{safe_url}|{safe_label}>"


def slack_source_lines(answer: Answer) -> list[str]:
    """The citations (or, when the bot is not sure, the related pages) as numbered links."""
    return _link_lines(answer.citations or answer.related)


def _link_lines(pages: list[Citation], *, dated: bool = True) -> list[str]:
    lines = []
    for c in pages:
        label = c.label()
        shown = (
            _slack_link(c.url, label)
            if c.url
            else f"{slack_escape(label)} (`{slack_escape(c.source)}`)"
        )
        updated = f" · {c.updated_note()}" if c.updated_at and dated else ""
        lines.append(f"[{c.n}] {shown}{updated}")
    return lines


def slack_answer_messages(
    answer: Answer, *, feedback_id: str = "", legacy_feedback: bool = False
) -> list[dict[str, Any]]:
    """The answer as one or more Slack messages ({"text", "blocks"}), each within limits.

    Answer text with [n] markers, then the sources (or, when not sure, the related
    pages), then 👍/👎 (``feedback_buttons``; with ``legacy_feedback``, plain buttons)
    whose value carries ``feedback_id``."""
    body = _answer_mrkdwn(answer)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in split_text(body, SLACK_SECTION_CHARS)
    ]
    blocks += slack_answer_tail(answer, feedback_id, legacy_feedback=legacy_feedback)
    fallback = split_text(body, SLACK_TEXT_CHARS - 100)
    messages = []
    for i in range(0, len(blocks), SLACK_BLOCKS_PER_MESSAGE):
        part = blocks[i : i + SLACK_BLOCKS_PER_MESSAGE]
        text = fallback[0] if i == 0 else "(continued)"
        messages.append({"text": text, "blocks": part})
    return messages


def _answer_mrkdwn(answer: Answer) -> str:
    # a quote's leading ">" stays mrkdwn; everything else is inert text
    return re.sub(r"(?m)^&gt; ", "> ", slack_escape(answer.text))


def slack_answer_tail(
    answer: Answer, feedback_id: str, *, legacy_feedback: bool = False
) -> list[dict[str, Any]]:
    """What follows the answer text: its sources (or the related pages) and the
    feedback buttons; also the blocks a native stream ends with (chat.stopStream)."""
    # not sure: the answer text introduces the related pages; nothing related: no list
    heading = "*Sources*\n" if answer.citations else ""
    lines = slack_source_lines(answer)
    blocks: list[dict[str, Any]] = []
    if lines:
        for piece in split_text(heading + "\n".join(lines), SLACK_SECTION_CHARS):
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": piece}})
    if answer.citations and answer.related:  # an answer's "see also": small print
        see_also = "See also:"
        for link in _link_lines(answer.related, dated=False):
            if len(see_also) + len(link) + 3 > SLACK_SECTION_CHARS:
                continue  # whole links only
            see_also += (" " if see_also.endswith(":") else " · ") + link
        if see_also != "See also:":
            element = {"type": "mrkdwn", "text": see_also}
            blocks.append({"type": "context", "elements": [element]})
    if feedback_id:
        blocks.append(
            _legacy_feedback_block(feedback_id) if legacy_feedback else _feedback_block(feedback_id)
        )
    return blocks


def slack_stream_text(text: str) -> str:
    """LLM text for chat.appendStream (markdown): inert like every other text we post."""
    return slack_escape(text)


FEEDBACK_ACTION = "wikibot_feedback"


def _feedback_block(feedback_id: str) -> dict[str, Any]:
    """Slack's native 👍/👎 (``context_actions`` + ``feedback_buttons``); a click sends
    action ``wikibot_feedback`` with value ``up:<id>`` or ``down:<id>``."""

    def button(vote: str, emoji: str, label: str) -> FeedbackButtonObject:
        return FeedbackButtonObject(
            text=emoji, value=f"{vote}:{feedback_id}", accessibility_label=label
        )

    buttons = FeedbackButtonsElement(
        action_id=FEEDBACK_ACTION,
        positive_button=button("up", "👍", "This answer helped"),
        negative_button=button("down", "👎", "This answer was wrong or missed something"),
    )
    return ContextActionsBlock(block_id=FEEDBACK_ACTION, elements=[buttons]).to_dict()


def vote_of(action: dict[str, Any]) -> tuple[bool, str] | None:
    """(up, feedback id) of a feedback click, native or legacy; None for anything else."""
    action_id, value = action.get("action_id", ""), str(action.get("value", ""))
    if action_id == FEEDBACK_ACTION and value.partition(":")[0] in ("up", "down"):
        vote, _, feedback_id = value.partition(":")
        return vote == "up", feedback_id
    if action_id in ("feedback_up", "feedback_down"):
        return action_id == "feedback_up", value
    return None


def _legacy_feedback_block(feedback_id: str) -> dict[str, Any]:
    """Plain buttons, for workspaces that refuse ``context_actions`` (invalid_blocks)."""
    return {
        "type": "actions",
        "block_id": "wikibot_feedback",
        "elements": [
            {
                "type": "button",
                "action_id": f"feedback_{vote}",
                "text": {"type": "plain_text", "text": emoji, "emoji": True},
                "value": feedback_id,
            }
            for vote, emoji in (("up", "👍"), ("down", "👎"))
        ],
    }


def slack_streaming_message(partial: str) -> dict[str, Any]:
    """A message for a partly written answer (progressive chat.update)."""
    text = slack_escape(partial)[: SLACK_SECTION_CHARS - 2] + " …"
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}
