"""Reads of the whole index kept until the index changes (the Home tab's counts, the public
vocabulary of suggested prompts), so a view opened a thousand times scans the index once.

What changes when an index run finishes, in any process (CLI, CronJob, another replica):
the collection behind the alias (a full rebuild moves it) and the run record of every
source it touched (``last_run_at`` and the outcome, written after the chunks; a `wikibot
remove` deletes the record). Writes this process makes also bump ``store.generation`` at
once. Those three together are the generation; reading them costs two small requests, not a
scan.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from indexing.store import QdrantIndexStore
from indexing.sync_state import SyncStateStore

T = TypeVar("T")


def index_generation(store: QdrantIndexStore, states: SyncStateStore) -> Hashable:
    """A value that differs after any index run, rebuild or removal has finished."""
    runs = tuple(
        (s.name, s.last_run_at.isoformat() if s.last_run_at else "", s.outcome, s.summary)
        for s in states.all()
    )
    return (store.current_collection(), store.generation, runs)


class PerIndexGeneration(Generic[T]):
    """``read()``'s result, read again only when ``generation()`` changes.

    The generation is taken before reading, so a run finishing during a read is noticed on
    the next call. Concurrent callers wait for the one read in progress instead of each
    starting their own (a burst of Home-tab opens makes one scan)."""

    def __init__(self, read: Callable[[], T], generation: Callable[[], Hashable]) -> None:
        self.read, self.generation = read, generation
        self.lock = threading.Lock()
        self.cached: tuple[Hashable, T] | None = None

    def get(self) -> T:
        with self.lock:
            generation = self.generation()
            if self.cached is None or self.cached[0] != generation:
                self.cached = (generation, self.read())
            return self.cached[1]
