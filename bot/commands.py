"""`/wikibot` commands, platform-free: help, status, reindex [SOURCE] [--full], forget.

Adapters parse nothing: they pass the command text, who asked, whether they are an admin,
and a ``say`` coroutine for later messages to that person (reindex progress).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.errors import ConfigurationError
from bot.reindex import Progress, ReindexOutcome, ReindexRequest, index_status
from bot.state.health import RedisUnavailableError
from bot.state.locks import LockHeldError

if TYPE_CHECKING:
    from bot.app import App

logger = logging.getLogger(__name__)

Say = Callable[[str], Awaitable[None]]

HELP = (
    "*wikibot* answers questions from the handbook. Mention me in a channel or DM me.\n"
    "`/wikibot help` this text\n"
    "`/wikibot status` what is indexed and how the last index run went\n"
    "`/wikibot forget` delete your stored conversations with me\n"
    "`/wikibot reindex [SOURCE] [--full]` (admins) refresh the index, progress reported here"
)


@dataclass
class Caller:
    platform: str
    workspace: str
    user: str
    is_admin: bool
    display: str  # how lock messages name them, e.g. "<@U123> (Slack)"


class Commands:
    def __init__(self, app: App) -> None:
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
        return f"Unknown command `{name}`.\n" + HELP

    def status(self) -> str:
        return "\n".join(index_status(self.app.store, self.app.sync_states, chat=True))

    async def forget(self, caller: Caller) -> str:
        try:
            removed = await self.app.state.memory.forget_user(
                caller.platform, caller.workspace, caller.user
            )
        except RedisUnavailableError:
            return (
                "I cannot reach my memory store right now, so nothing was deleted. Try again soon."
            )
        return f"Done: I deleted {removed} stored conversation turn(s) of yours."

    async def reindex(self, args: list[str], caller: Caller, say: Say) -> str:
        if not caller.is_admin:
            return "Sorry, only wikibot admins can run `reindex`. Ask your IT admin."
        full = "--full" in args
        names = [a for a in args if a != "--full"]
        try:
            connectors = await asyncio.to_thread(self.app.sources.connectors, names)
        except ConfigurationError as exc:
            return str(exc)
        if not connectors:
            return (
                "No sources are configured (WIKIBOT_SOURCES_FILE or WIKIBOT_SOURCES), "
                "so there is nothing to reindex."
            )
        latest: dict[str, Progress] = {}
        request = ReindexRequest(connectors, "rebuild" if full else "index", caller.display)
        try:
            running = await self.app.reindexer.start(
                request, on_progress=lambda p: latest.__setitem__(p.source, p)
            )
        except LockHeldError as exc:
            return f"Not started: {exc}"
        except RedisUnavailableError:
            return "Not started: the reindex lock is unavailable (Redis is down)."
        job = asyncio.create_task(self._report(running, latest, say))
        self.jobs.add(job)
        job.add_done_callback(self.jobs.discard)
        what = ", ".join(c.name for c in connectors)
        return f"Reindex of {what}{' (full rebuild)' if full else ''} started; progress follows."

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
                await _quiet(
                    say(f"Reindexing… {read}/{total} documents read, {chunks} chunks embedded")
                )
            outcome = running.result()
        except Exception as exc:  # the old index keeps serving; tell the admin why
            logger.exception("reindex failed")
            await _quiet(say(f"Reindex failed, the previous index keeps serving: {exc}"))
            return
        if outcome.failed and len(outcome.failed) == len(outcome.results):
            reasons = "; ".join(r.line() for r in outcome.failed)
            await _quiet(say(f"Reindex failed, the previous index keeps serving: {reasons}"))
            return
        summary = outcome.total
        failed = "".join(f"\n• failed: {f.source}: {f.reason}" for f in summary.errors[:10])
        await _quiet(say(f"Reindex finished: {summary.line()}{failed}"))


async def _quiet(step: Awaitable[object]) -> None:
    """Progress messages must not break the reindex itself."""
    try:
        await step
    except Exception as exc:
        logger.warning("reindex side step failed: %s", exc)
