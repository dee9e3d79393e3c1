"""Answer -> Microsoft Teams messages (Adaptive Cards). Pure functions; limits live here.

Each message is an Activity as a dict: the answer in TextBlocks with its [n] markers, the
sources as Markdown links "[n] Title › Section · updated DATE", and 👍/👎 Action.Submit
buttons carrying the feedback id. Messages are split to stay under Teams' size limit.
"""

from __future__ import annotations

import json
from typing import Any

from bot.models import Answer, Citation
from bot.text_pieces import split_text

# Teams rejects bot messages above ~28 KB ("Request Entity Too Large"); far under 80 KB
TEAMS_MESSAGE_BYTES = 24_000
TEAMS_TEXT_BLOCK_CHARS = 4_000
CARD = "application/vnd.microsoft.card.adaptive"
FEEDBACK_KEY = "wikibot_feedback"


def teams_markdown_escape(text: str) -> str:
    """Document text as inert Markdown: no forged links, no mention markup."""
    for char in ("\\", "[", "]", "<", ">", "*", "_", "`"):
        text = text.replace(char, "\\" + char)
    return text


def _answer_text(text: str) -> str:
    """Answer text is shown as written except that it cannot form links or mentions; the
    [n] citation markers stay readable."""
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("](", "]\u200b(")


def _link(url: str, label: str) -> str:
    safe_url = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{teams_markdown_escape(label)}]({safe_url})"


def teams_source_line(c: Citation) -> str:
    label = c.label()
    shown = _link(c.url, label) if c.url else f"{teams_markdown_escape(label)} ({c.source})"
    updated = f" · {c.updated_note()}" if c.updated_at else ""
    return f"[{c.n}] {shown}{updated}"


def _text_block(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def feedback_actions(feedback_id: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "Action.Submit",
            "title": emoji,
            "data": {FEEDBACK_KEY: feedback_id, "vote": vote},
        }
        for vote, emoji in (("up", "👍"), ("down", "👎"))
    ]


def _card_message(body: list[dict[str, Any]], actions: list[dict[str, Any]], summary: str) -> dict:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        card["actions"] = actions
    return {
        "type": "message",
        "summary": summary[:200],
        "attachments": [{"contentType": CARD, "content": card}],
    }


def _size(message: dict[str, Any]) -> int:
    return len(json.dumps(message, ensure_ascii=False).encode())


def teams_answer_messages(answer: Answer, *, feedback_id: str = "") -> list[dict[str, Any]]:
    """The answer as one or more Teams messages, each under TEAMS_MESSAGE_BYTES."""
    body = [
        _text_block(piece)
        for piece in split_text(_answer_text(answer.text), TEAMS_TEXT_BLOCK_CHARS)
    ]
    if answer.citations:
        body.append(_text_block("Sources", weight="Bolder", separator=True))
    # not sure: the answer text introduces the related pages; nothing related: no list
    lines = [teams_source_line(c) for c in answer.citations or answer.related]
    body += [_text_block(line, spacing="Small") for line in lines]
    if answer.citations and answer.related:  # an answer's "see also"
        body.append(_text_block("See also", weight="Bolder", separator=True))
        body += [_text_block(teams_source_line(c), spacing="Small") for c in answer.related]
    actions = feedback_actions(feedback_id) if feedback_id else []
    summary = answer.text.replace("\n", " ")
    messages: list[dict[str, Any]] = []
    current: list[dict[str, Any]] = []
    for i, block in enumerate(body):
        # a heading ("Sources", "See also") moves on with its first line
        together = body[i : i + 2] if block.get("weight") == "Bolder" else [block]
        trial = _card_message([*current, *together], actions, summary)
        if current and _size(trial) > TEAMS_MESSAGE_BYTES:
            messages.append(_card_message(current, [], summary))
            current = []
        current.append(block)
    messages.append(_card_message(current, actions, summary))  # buttons on the last one
    return messages
