"""`wikibot ask`: one question (or one per line of stdin) through the same pipeline as
`chat` and `serve`, printed as text or as one JSON object per question.

Without --user the asker is anonymous and sees public documents only; with --user ID the
question is asked as that person in a DM (the documents shared with them or their groups,
and their own HR figures when HR records are configured, with --user given as their work
email). Each question is its own
conversation: no follow-up context leaks from one line to the next.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterable

from bot.app import App
from bot.models import Answer, ChatEvent
from bot.surface import respond
from bot.terminal.render import render_terminal


class CollectedReply:
    """The Surface of one `ask`: keeps the answer (or the failure) for printing."""

    def __init__(self) -> None:
        self.answer: Answer | None = None
        self.error = ""
        self.notes: list[str] = []

    async def say(self, text: str) -> None:
        self.notes.append(text)

    async def started(self) -> None:
        return None

    async def finish(self, answer: Answer, feedback_id: str) -> None:
        self.answer = answer

    async def failed(self, reason: str) -> None:
        self.error = reason

    async def send_privately(self, text: str) -> bool:
        self.notes.append(text)  # the terminal's user is the asker
        return True

    async def email_of(self, user: str) -> str | None:
        """`--user` given as a work email is the asker's email (HR records are found by it);
        whoever runs the command on the server can read the HR source anyway."""
        return user if "@" in user else None


async def collect_answer(app: App, question: str, user: str | None) -> CollectedReply:
    thread = uuid.uuid4().hex
    event = ChatEvent(
        platform="cli",
        workspace="local",
        channel=f"ask-{thread}",
        thread=thread,
        user=user or "",
        text=question,
        event_id=thread,
        is_dm=True,  # the terminal is the asker's own chat (no --user: public documents only)
        is_admin=True,  # the machine's own user: never rate limited
    )
    collected = CollectedReply()
    await respond(app.pipeline, event, collected)
    return collected


def _print(question: str, reply: CollectedReply, as_json: bool, *, one: bool = False) -> bool:
    """Print the answer; a failure goes to stderr for one question, and into the stream of
    JSON objects (as ``{"question", "error"}``) when reading questions from stdin."""
    if reply.answer is None:
        error = reply.error or " ".join(reply.notes) or "the question is empty"
        if as_json and not one:
            print(json.dumps({"question": question, "error": error}, ensure_ascii=False))
        else:
            print(f"wikibot: {error}", file=sys.stderr)
        return False
    if as_json:
        print(json.dumps(reply.answer.to_json(), ensure_ascii=False), flush=True)
    else:
        print("\n\n".join([render_terminal(reply.answer), *reply.notes]), flush=True)
    return True


async def ask_one(app: App, question: str, *, user: str | None, as_json: bool) -> int:
    try:
        reply = await collect_answer(app, question, user)
        return 0 if _print(question, reply, as_json, one=True) else 1
    finally:
        await app.close()


async def ask_lines(app: App, lines: Iterable[str], *, user: str | None, as_json: bool) -> int:
    """One question per line; the index and models load once."""
    status = 0
    try:
        for line in lines:
            question = line.strip()
            if not question:
                continue
            if not _print(question, await collect_answer(app, question, user), as_json):
                status = 1
            if not as_json:
                print()
    finally:
        await app.close()
    return status
