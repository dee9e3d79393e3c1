"""The one reindex path: `wikibot index`/`wikibot sync`, `/wikibot reindex` and serve's
background sync all come here.

A run takes the shared reindex lock first (Redis across replicas and CronJobs, in-process
otherwise; a run that finds it taken is refused with who holds it), then the index's file
lock (one writer per data directory), then indexes its sources one after another in a
thread, reporting progress through one callback. Every source's outcome, and who ran it,
goes into its sync state (the one run record, read by `status`); a run that fails as a
whole marks its sources failed and leaves the previous index serving.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from bot.index_admin.progress import Progress, ProgressListener
from bot.index_admin.source_admin import named_locations, refuse_second_names
from bot.state.locks import holding
from connectors.base import Connector, FailedDocument
from connectors.folder import FolderConnector
from indexing.lock import IndexLock
from indexing.source_reads import source_counts
from indexing.summary import IndexSummary, ProgressCallback, SourceResult, combined
from indexing.sync_state import SourceState, SyncStateStore

if TYPE_CHECKING:
    from bot.index_admin.parts import IndexParts
    from indexing.store import QdrantIndexStore

logger = logging.getLogger(__name__)

Mode = Literal["index", "sync", "rebuild"]


@dataclass
class ReindexRequest:
    connectors: list[Connector]
    mode: Mode
    by: str  # who asked, for the lock message and the run record


@dataclass
class ReindexOutcome:
    results: list[SourceResult] = field(default_factory=list)

    @property
    def failed(self) -> list[SourceResult]:
        return [r for r in self.results if not r.ok]

    @property
    def total(self) -> IndexSummary:
        """The successful sources summed; whole failed sources listed as failed documents."""
        summary = combined(self.results)
        summary.failed.extend(
            FailedDocument(r.name, r.name, f"whole source failed: {r.error}") for r in self.failed
        )
        return summary


class Reindexer:
    def __init__(self, app: IndexParts) -> None:
        self.app = app

    async def start(
        self, request: ReindexRequest, *, on_progress: ProgressListener | None = None
    ) -> asyncio.Task[ReindexOutcome]:
        """Take the reindex lock and start the run; raises LockHeldError (someone else runs
        one) or RedisUnavailableError (the lock cannot be taken: not started)."""
        lock = self.app.state.reindex_lock
        every = self.app.settings.redis.reindex_lock_ttl_s / 3
        lease = holding(lock, request.by, extend_every_s=every)
        await lease.__aenter__()

        async def run() -> ReindexOutcome:
            try:
                return await asyncio.to_thread(self._work, request, on_progress)
            finally:
                await lease.__aexit__(None, None, None)

        return asyncio.ensure_future(run())

    async def run(
        self, request: ReindexRequest, *, on_progress: ProgressListener | None = None
    ) -> ReindexOutcome:
        return await (await self.start(request, on_progress=on_progress))

    def run_here(
        self, request: ReindexRequest, *, on_progress: ProgressListener | None = None
    ) -> ReindexOutcome:
        """The same run, blocking, without the shared (cross-replica) lock: for one-process
        tools (benchmarks, tests, scripts) that run outside an event loop. The data
        directory's file lock still keeps two runs apart."""
        return self._work(request, on_progress)

    def _work(
        self, request: ReindexRequest, on_progress: ProgressListener | None
    ) -> ReindexOutcome:
        from indexing.pipeline import IndexPipeline  # the indexing machinery: only to run
        from indexing.sync import SourceSync

        app = self.app
        totals = {c.name: _listed(c) for c in request.connectors}
        # the file lock comes before opening the store, so a second run hears who holds it
        with IndexLock(app.settings.index_lock_path, purpose=request.mode):
            connectors = request.connectors
            folders = [(c.location, c.name) for c in connectors if isinstance(c, FolderConnector)]
            if folders:  # the same folder under a second name would be indexed twice
                refuse_second_names(named_locations(app), folders)
            pipeline = IndexPipeline(
                store=app.store,
                embedder=app.embedder,
                lock_path=None,  # held above
                chunking=app.settings.chunking.to_config(),
            )
            syncer = SourceSync(
                pipeline=pipeline, states=app.sync_states, kinds=app.sources.kinds(), by=request.by
            )
            try:
                if request.mode == "rebuild":
                    listed = list(totals.values())
                    total = None if None in listed else sum(t or 0 for t in listed)
                    name = "+".join(totals)
                    results = syncer.rebuild(
                        request.connectors, progress=_reporter(on_progress, name, total)
                    )
                else:
                    results = syncer.run(
                        request.connectors,
                        mode="sync" if request.mode == "sync" else "index",
                        progress=lambda name: _reporter(on_progress, name, totals[name]),
                    )
            except Exception as exc:  # the whole run failed: the previous index serves
                _record_failure(app.sync_states, request, exc)
                raise
        return ReindexOutcome(results)


def _listed(connector: Connector) -> int | None:
    files = getattr(connector, "files", None)
    return len(files()) if callable(files) else None


def _reporter(
    listener: ProgressListener | None, name: str, total: int | None
) -> ProgressCallback | None:
    if listener is None:
        return None
    return lambda read, chunks, unchanged: listener(
        Progress(name, read, total, chunks, unchanged)
    )


def _record_failure(states: SyncStateStore, request: ReindexRequest, exc: Exception) -> None:
    error = " ".join(str(exc).split()) or type(exc).__name__
    now = datetime.now(UTC)
    for connector in request.connectors:
        try:
            state = states.get(connector.name) or SourceState(name=connector.name)
            state.last_run_at, state.outcome, state.error = now, "failed", error
            state.by = request.by
            states.put(state)
        except Exception as record_exc:  # the failure itself is still reported to the caller
            logger.warning("could not record the failed run: %s", record_exc)


def index_status(
    store: QdrantIndexStore, states: SyncStateStore, *, chat: bool = False
) -> list[str]:
    """What is indexed and how each source's last run went, for `status` in the terminal or
    (``chat``: names as code, bullets) in a chat. Reads the index only; never loads the
    embedding model."""
    code = (lambda name: f"`{name}`") if chat else (lambda name: name)
    collection = store.current_collection()
    recorded = states.all()
    if collection is None:
        lines = ["Nothing is indexed yet: run `wikibot index PATH` (or `wikibot index`)."]
    else:
        head = "Index" if chat else f"index {store.alias} ->"
        lines = [f"{head} collection {code(collection)}: {store.count()} chunks"]
        for name, (documents, chunks) in sorted(source_counts(store).items()):
            bullet = "•" if chat else " "
            lines.append(f"{bullet} source {code(name)}: {documents} documents, {chunks} chunks")
    ran = [s for s in recorded if s.last_run_at is not None]
    if not ran:
        lines.append("last index run: none recorded")
    else:
        last = max(ran, key=lambda s: s.last_run_at or datetime.min.replace(tzinfo=UTC))
        when = (last.last_run_at or datetime.now(UTC)).astimezone(UTC)
        by = f" by {last.by}" if last.by else ""
        outcome = "FAILED" if last.outcome == "failed" else last.outcome  # details just below
        lines.append(f"last index run: {when:%Y-%m-%d %H:%M UTC}{by}: {last.name} {outcome}")
    lines.extend(state.describe() for state in recorded)
    return lines
