"""`wikibot chat`: the terminal as a chat surface, over the same pipeline as Slack and Teams
(dedupe, rate limits, conversation memory). The terminal user's chat is their DM."""

from __future__ import annotations

import asyncio
import getpass
import logging
import uuid

from bot.errors import report
from bot.models import ChatEvent
from bot.pipeline import QuestionPipeline
from bot.redis_health import RedisUnavailableError
from bot.render import render_terminal
from bot.shared_state import SharedState

logger = logging.getLogger(__name__)

HELP = "Ask a question about the indexed documents. /forget erases this chat's memory; exit leaves."


async def run_chat(pipeline: QuestionPipeline, state: SharedState) -> int:
    user = getpass.getuser()
    print(f"wikibot chat: {HELP}")
    try:
        while True:
            try:
                line = await asyncio.to_thread(input, "\nyou> ")
            except EOFError:
                print()
                return 0
            text = line.strip()
            if text.lower() in {"exit", "quit", ":q"}:
                return 0
            if not text:
                continue
            if text == "/forget":
                try:
                    removed = await state.memory.forget_user("cli", "local", user)
                    print(f"\nwikibot> Forgotten: {removed} stored turn(s) deleted.")
                except RedisUnavailableError:
                    print(
                        "\nwikibot> I can't reach Redis right now, so nothing was deleted; "
                        "please try again shortly."
                    )
                continue
            event = ChatEvent(
                platform="cli",
                workspace="local",
                channel="terminal",
                user=user,
                text=text,
                event_id=uuid.uuid4().hex,
                is_dm=True,
            )
            try:
                reply = await pipeline.handle(event)
            except Exception as exc:
                print(f"\nwikibot> sorry: {report(exc, logger, 'question')}")
                continue
            if reply is not None:
                print(
                    "\nwikibot> " + (render_terminal(reply.answer) if reply.answer else reply.text)
                )
    finally:
        await state.close()
