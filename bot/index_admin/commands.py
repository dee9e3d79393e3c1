"""`/wikibot` commands, platform-free: help, status, reindex [SOURCE] [--full], forget.

Adapters parse nothing: they pass the command text, who asked, whether they are an admin,
and a ``say`` coroutine for later messages to that person (reindex progress).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot import messages
from bot.errors import ConfigurationError
from bot.index_admin.parts import IndexParts
from bot.index_admin.progress import Progress
from bot.index_admin.reindex import Reindexer, ReindexOutcome, ReindexRequest, index_status
from bot.state.health import RedisUnavailableError
from bot.state.locks import LockHeldError

logger = logging.getLogger(__name__)

Say = Callable[[str], Awaitable[None]]

HELP = messages.COMMANDS_HELP
# the first words that are commands; any other text after /wikibot is a question
COMMAND_WORDS = frozenset({"help", "status", "forget", "reindex"})
ASK_PUBLIC = "ask-public"


def question_in(text: str) -> tuple[str, bool] | None:
    """``(question, public)`` when the command text is a question rather than a command."""
    words = text.split()
    if not words or words[0].lower() in COMMAND_WORDS:
        return None
    if words[0].lower() == ASK_PUBLIC:
        rest = text.strip()[len(ASK_PUBLIC) :].strip()
        return (rest, True) if rest else None
    return text.strip(), False


class AdminParts(IndexParts, Protocol):
    """What the chat commands and the CLI's index operations use: the index parts and the
    one reindex path."""

    @property
    def reindexer(self) -> Reindexer: ...


@dataclass
class Caller:
    platform: str
    workspace: str
    user: str
    is_admin: bool
    display: str  # how lock messages name them, e.g. "<@U123> (Slack)"


class Commands:
    def __init__(self, app: AdminParts) -> None:
        self.app = app
        self.jobs: set[asyncio.Task[None]] = set()

    async def run(self, text: str, caller: Caller, say: Say) -> str:
        words = text.split()
        name, args = (words[0].lower(), words[1:]) if words else ("help", [])
        if name == "help":
            return HELP
        if name == "status":
            return await asyncio.to_thread(self.status)
        if name == "forget":
            return await self.forget(caller)
        if name == "reindex":
            return await self.reindex(args, caller, say)
        return messages.unknown_command(name)

    def status(self) -> str:
        return "\n".join(index_status(self.app.store, self.app.sync_states, chat=True))

    async def forget(self, caller: Caller) -> str:
        try:
            removed = await self.app.state.memory.forget_user(
                caller.platform, caller.workspace, caller.user
            )
        except RedisUnavailableError:
            return messages.MEMORY_UNREACHABLE
        return messages.forgotten(removed)

    async def reindex(self, args: list[str], caller: Caller, say: Say) -> str:
        if not caller.is_admin:
            return messages.ADMINS_ONLY
        full = "--full" in args
        names = [a for a in args if a != "--full"]
        try:
            connectors = await asyncio.to_thread(self.app.sources.connectors, names)
        except ConfigurationError as exc:
            return str(exc)
        if not connectors:
            return messages.NO_SOURCES
        latest: dict[str, Progress] = {}
        request = ReindexRequest(connectors, "rebuild" if full else "index", caller.display)
        try:
            running = await self.app.reindexer.start(
                request, on_progress=lambda p: latest.__setitem__(p.source, p)
            )
        except LockHeldError as exc:
            return messages.not_started(str(exc))
        except RedisUnavailableError:
            return messages.LOCK_UNAVAILABLE
        job = asyncio.create_task(self._report(running, latest, say))
        self.jobs.add(job)
        job.add_done_callback(self.jobs.discard)
        what = ", ".join(c.name for c in connectors)
        return messages.reindex_started(what, full)

    async def _report(
        self, running: asyncio.Task[ReindexOutcome], latest: dict[str, Progress], say: Say
    ) -> None:
        """Progress to the admin every WIKIBOT_SLACK__PROGRESS_INTERVAL_S, then the outcome."""
        interval = self.app.settings.slack.progress_interval_s
        try:
            while True:
                done, _ = await asyncio.wait({running}, timeout=interval)
                if done:
                    break
                read = sum(p.read for p in latest.values())
                chunks = sum(p.chunks for p in latest.values())
                totals = [p.total for p in latest.values()]
                total = "?" if not totals or None in totals else sum(t or 0 for t in totals)
                await _quiet(say(messages.reindex_progress(read, total, chunks)))
            outcome = running.result()
        except Exception as exc:  # the old index keeps serving; tell the admin why
            logger.exception("reindex failed")
            await _quiet(say(messages.reindex_failed(str(exc))))
            return
        if outcome.failed and len(outcome.failed) == len(outcome.results):
            reasons = "; ".join(r.line() for r in outcome.failed)
            await _quiet(say(messages.reindex_failed(reasons)))
            return
        summary = outcome.total
        failed = "".join(f"\n• failed: {f.source}: {f.reason}" for f in summary.errors[:10])
        await _quiet(say(messages.reindex_finished(summary.line() + failed)))


async def _quiet(step: Awaitable[object]) -> None:
    """Progress messages must not break the reindex itself."""
    try:
        await step
    except Exception as exc:
        logger.warning("reindex side step failed: %s", exc)
