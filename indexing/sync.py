"""Index or sync several sources, one at a time, each recorded in the sync state.

* ``index`` reads every document of each source (unchanged ones cost no embedding) and removes
  what a source no longer holds;
* ``sync`` asks incremental sources (Confluence) only for what changed since their last good
  run, plus the list of ids still there (deletions); sources without change polling, sources
  never synced, and sources due a periodic full refresh (permission changes do not show up as
  edits) are read in full instead.

A failing source is recorded as failed and the others still run; its previous chunks keep
serving and its next poll starts from its last good run, so nothing is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from connectors.base import Connector, DeltaConnector, IncrementalConnector
from indexing.summary import ProgressCallback, SourceResult

if TYPE_CHECKING:
    from indexing.pipeline import IndexPipeline
from indexing.sync_state import SourceState, SyncStateStore

logger = logging.getLogger(__name__)

Mode = Literal["index", "sync"]


class SourceSync:
    def __init__(
        self,
        *,
        pipeline: IndexPipeline,
        states: SyncStateStore,
        kinds: dict[str, str] | None = None,
        by: str = "",
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.pipeline = pipeline
        self.by = by
        self.states = states
        self.kinds = kinds or {}
        self.now = now

    def run(
        self,
        connectors: Sequence[Connector],
        *,
        mode: Mode,
        progress: Callable[[str], ProgressCallback | None] | None = None,
    ) -> list[SourceResult]:
        results = []
        for connector in connectors:
            on_progress = progress(connector.name) if progress else None
            results.append(self._one(connector, mode, on_progress))
        return results

    def _one(
        self, connector: Connector, mode: Mode, progress: ProgressCallback | None
    ) -> SourceResult:
        name = connector.name
        state = self.states.get(name) or SourceState(name=name)
        state.kind = self.kinds.get(name, getattr(connector, "kind", "") or state.kind)
        state.location = getattr(connector, "location", "") or state.location
        state.by = self.by
        started = self.now()
        since = self._poll_from(connector, state, mode, started)
        how = f"changes since {since:%Y-%m-%d %H:%M} UTC" if since else "full listing"
        delta = isinstance(connector, DeltaConnector)
        resume = bool(since and delta and state.cursor)
        try:
            if resume and isinstance(connector, DeltaConnector):
                summary = self.pipeline.sync_changes(connector, state.cursor, progress=progress)
            elif since is not None and isinstance(connector, IncrementalConnector):
                summary = self.pipeline.sync(
                    connector, since=since, check_deletions=True, progress=progress
                )
            else:
                summary = self.pipeline.run([connector], progress=progress)
                state.last_full_at = started
        except Exception as exc:  # one source failing never stops the others
            logger.warning("source %s failed: %s", name, exc)
            error = " ".join(str(exc).split()) or type(exc).__name__
            state.last_run_at, state.outcome, state.error = started, "failed", error
            self._save(state)
            return SourceResult(name, how, None, error)
        # per-document failures are deterministic (malformed pages): they are listed in every
        # report and retried when they change or at the next full refresh
        if isinstance(connector, DeltaConnector):
            state.cursor = dict(connector.cursor)  # the next sync resumes from here
        state.synced_since = started
        state.last_run_at, state.error = started, ""
        state.outcome = "partial" if summary.errors else "ok"
        state.summary = summary.line()
        state.counts = {
            "new": summary.new,
            "changed": summary.changed,
            "unchanged": summary.unchanged,
            "deleted": summary.deleted,
            "failed": len(summary.errors),
            "chunks_embedded": summary.chunks_embedded,
        }
        self._save(state)
        return SourceResult(name, how, summary)

    def _poll_from(
        self, connector: Connector, state: SourceState, mode: Mode, now: datetime
    ) -> datetime | None:
        """Where an incremental poll starts, or None for a full listing."""
        polls = isinstance(connector, IncrementalConnector | DeltaConnector)
        if mode != "sync" or not polls:
            return None
        if state.synced_since is None or state.last_full_at is None:
            return None
        every = getattr(connector, "full_refresh_every_s", 0)
        if every and (now - state.last_full_at).total_seconds() >= every:
            return None
        if self.pipeline.store.current_collection() is None:
            return None
        return state.synced_since

    def _save(self, state: SourceState) -> None:
        try:
            self.states.put(state)
        except Exception as exc:  # the index itself is written; only the record is lost
            logger.warning("could not record the sync state of %s: %s", state.name, exc)

    def rebuild(
        self, connectors: Sequence[Connector], *, progress: ProgressCallback | None = None
    ) -> list[SourceResult]:
        """A full rebuild of these sources into a new collection, all or nothing (the old
        collection serves until the alias moves); every source's state records it."""
        started = self.now()
        summary = self.pipeline.run(connectors, full=True, progress=progress)
        for connector in connectors:
            state = self.states.get(connector.name) or SourceState(name=connector.name)
            state.kind = self.kinds.get(connector.name, getattr(connector, "kind", state.kind))
            state.location = getattr(connector, "location", "") or state.location
            state.by = self.by
            state.last_run_at = state.synced_since = state.last_full_at = started
            state.outcome, state.error = ("partial" if summary.errors else "ok"), ""
            state.summary = "rebuilt with the other sources of this run"
            if isinstance(connector, DeltaConnector):
                state.cursor = dict(connector.cursor)
            self._save(state)
        return [SourceResult("+".join(c.name for c in connectors), "full rebuild", summary)]
