"""How far an index run has got, as one callback sees it: the terminal's progress bars,
chat progress messages, the admin channel, /readyz during a first sync. (Its own small
module: the CLI's admin-channel client draws progress bars without loading the index.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """How far one source (or, for a rebuild, all of them together) has got."""

    source: str
    read: int
    total: int | None  # documents to read, when the source can list them up front
    chunks: int
    unchanged: int = 0  # of those read, found unchanged: nothing to embed


ProgressListener = Callable[[Progress], None]  # called from the indexing thread
