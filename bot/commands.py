"""`/wikibot` commands, platform-free: help, status, reindex [SOURCE] [--full], forget.

Adapters parse nothing: they pass the command text, who asked, whether they are an admin,
and a ``say`` coroutine for later messages to that person (reindex progress).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.app import Components
from bot.errors import ConfigurationError, SourceError
from bot.index_runs import describe_last_run, record_run
from bot.locks import HeldLock, LockHeldError
from bot.redis_health import RedisUnavailableError
from bot.shared_state import SharedState
from connectors.base import Connector, FailedDocument
from indexing.pipeline import IndexSummary, ProgressCallback
from indexing.sync import combined

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
    def __init__(self, components: Components, state: SharedState) -> None:
        self.components = components
        self.settings = components.settings
        self.state = state
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
        store = self.components.store
        collection = store.current_collection()
        if collection is None:
            return "Nothing is indexed yet.\n" + describe_last_run(self.settings.data_dir)
        lines = [f"Index `{collection}`: {store.count()} chunks"]
        for name, chunks in sorted(store.sources().items()):
            documents = len(store.document_hashes(collection, [name]))
            lines.append(f"• source `{name}`: {documents} documents, {chunks} chunks")
        lines.append(describe_last_run(self.settings.data_dir))
        lines.extend(state.describe() for state in self.components.sync_states.all())
        return "\n".join(lines)

    async def forget(self, caller: Caller) -> str:
        try:
            removed = await self.state.memory.forget_user(
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
            connectors = self.components.sources.connectors(names)
        except ConfigurationError as exc:
            return str(exc)
        if not connectors:
            return (
                "No sources are configured (WIKIBOT_SOURCES_FILE or WIKIBOT_SOURCES), "
                "so there is nothing to reindex."
            )
        try:
            held = await self.state.reindex_lock.acquire(caller.display)
        except LockHeldError as exc:
            return f"Not started: {exc}"
        except RedisUnavailableError:
            return "Not started: the reindex lock is unavailable (Redis is down)."
        job = asyncio.create_task(self._reindex(connectors, full, held, caller, say))
        self.jobs.add(job)
        job.add_done_callback(self.jobs.discard)
        what = ", ".join(c.name for c in connectors)
        return f"Reindex of {what}{' (full rebuild)' if full else ''} started; progress follows."

    async def _reindex(
        self, connectors: list[Connector], full: bool, held: HeldLock, caller: Caller, say: Say
    ) -> None:
        settings = self.settings
        counts = {"read": 0, "chunks": 0, "done_read": 0, "done_chunks": 0}
        listings = [getattr(c, "files", None) for c in connectors]
        total = sum(len(f()) for f in listings if f) if all(listings) else "?"

        def progress(read: int, chunks: int) -> None:
            counts.update(read=counts["done_read"] + read, chunks=counts["done_chunks"] + chunks)

        def next_source(name: str) -> ProgressCallback:
            counts.update(done_read=counts["read"], done_chunks=counts["chunks"])
            return progress

        def work() -> IndexSummary:
            syncer = self.components.source_sync()
            if full:
                results = syncer.rebuild(connectors, progress=progress)
            else:
                results = syncer.run(connectors, mode="index", progress=next_source)
            failed = [r for r in results if not r.ok]
            if failed and len(failed) == len(results):
                raise SourceError("; ".join(r.line() for r in failed))
            summary = combined(results)
            summary.failed.extend(
                FailedDocument(r.name, r.name, f"whole source failed: {r.error}") for r in failed
            )
            return summary

        task = asyncio.ensure_future(asyncio.to_thread(work))
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=settings.slack.progress_interval_s)
                if done:
                    break
                await _quiet(
                    say(
                        f"Reindexing… {counts['read']}/{total} documents read, "
                        f"{counts['chunks']} chunks embedded"
                    )
                )
                await _quiet(self.state.reindex_lock.extend(held))
            summary = task.result()
        except Exception as exc:  # the old index keeps serving; tell the admin why
            logger.exception("reindex failed")
            record_run(settings.data_dir, by=caller.display, summary=None, error=str(exc))
            await _quiet(say(f"Reindex failed, the previous index keeps serving: {exc}"))
            return
        finally:
            await _quiet(self.state.reindex_lock.release(held))
        record_run(settings.data_dir, by=caller.display, summary=summary)
        failed = "".join(f"\n• failed: {f.source}: {f.reason}" for f in summary.errors[:10])
        await _quiet(say(f"Reindex finished: {summary.line()}{failed}"))


async def _quiet(step: Awaitable[object]) -> None:
    """Progress messages and lock upkeep must not break the reindex itself."""
    try:
        await step
    except Exception as exc:
        logger.warning("reindex side step failed: %s", exc)
