"""`wikibot chat`: the terminal as a chat surface, over the same pipeline as Slack and Teams
(dedupe, rate limits, conversation memory, groups, personal HR answers, the question log).
The terminal user's chat is their DM."""

from __future__ import annotations

import contextlib
import getpass
import logging
import signal
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot import messages
from bot.models import Answer, ChatEvent
from bot.pipeline import QuestionPipeline
from bot.state.health import RedisUnavailableError
from bot.surface import respond
from bot.terminal.render import render_terminal

logger = logging.getLogger(__name__)

HELP = messages.TERMINAL_HELP


class TerminalSurface:
    """The Surface of the terminal: the answer printed whole when it is ready."""

    async def say(self, text: str) -> None:
        print(f"\nwikibot> {text}")

    async def started(self) -> None:
        return None

    async def finish(self, answer: Answer, feedback_id: str) -> None:
        print("\nwikibot> " + render_terminal(answer))

    async def failed(self, reason: str) -> None:
        print(f"\nwikibot> sorry: {reason}")

    async def send_privately(self, text: str) -> bool:
        print(f"\nwikibot> {text}")  # the terminal is its user's own chat
        return True

    async def email_of(self, user: str) -> str | None:
        return None


def _line_editing(history: Path | None) -> Callable[[], None] | None:
    """Arrow keys, Ctrl-R and a history kept between sessions (mode 0600: questions can be
    personal), where the terminal and Python's readline allow it. Returns what saves the
    history, which the chat calls when it ends (the `wikibot` command leaves with
    os._exit, so an atexit hook would never run)."""
    try:
        import readline
    except ImportError:  # not built with readline: plain input still works
        return None
    if history is None:
        return None
    try:
        history.parent.mkdir(parents=True, exist_ok=True)
        history.touch(mode=0o600, exist_ok=True)
        readline.read_history_file(history)
    except OSError:
        return None
    readline.set_history_length(1000)
    return lambda: _save_history(readline, history)


def _save_history(readline: Any, history: Path) -> None:
    with contextlib.suppress(OSError):
        readline.write_history_file(history)


def _prompt(text: str) -> str:
    """input() in this thread with Python's own Ctrl-C handling: asyncio.run's handler only
    cancels the task at the next await, which a blocked input() never reaches."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return input(text)
    finally:
        signal.signal(signal.SIGINT, previous)


async def run_chat(
    pipeline: QuestionPipeline, user: str = "", *, history: Path | None = None
) -> int:
    user = user or getpass.getuser()
    surface = TerminalSurface()
    save_history = _line_editing(history)
    try:
        return await _chat_lines(pipeline, user, surface)
    finally:
        if save_history is not None:
            save_history()


async def _chat_lines(pipeline: QuestionPipeline, user: str, surface: TerminalSurface) -> int:
    print(f"wikibot chat: {HELP}")
    while True:
        try:
            line = _prompt("\nyou> ")  # Ctrl-C leaves at once
        except EOFError:
            print()
            return 0
        except KeyboardInterrupt:
            print()
            return 0
        text = line.strip()
        if text.lower() in {"exit", "quit", ":q"}:
            return 0
        if not text:
            continue
        if text == "/forget":
            try:
                removed = await pipeline.state.memory.forget_user("cli", "local", user)
                print(f"\nwikibot> Forgotten: {removed} stored turn(s) deleted.")
            except RedisUnavailableError:
                print(f"\nwikibot> {messages.TERMINAL_REDIS_DOWN}")
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
        await respond(pipeline, event, surface)
