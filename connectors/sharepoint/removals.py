"""What a SharePoint sync removes from the index: single documents, and whole libraries.

The index pipeline removes ``(connector.deleted & existing) - seen`` after a sync
(indexing/pipeline.py: existing = the source's indexed ids, seen = the ids the sync read).
Single ids are enough for what Graph's delta reports (a deletion, an item moved out of the
configured folder, an unreadable item). A whole library needs more, and the connector does
not know which of its documents are indexed:

* a library Graph refuses or no longer has (403, 404) must leave the index, never keep its
  old text and readers;
* a library read again from scratch in a sync (its delta link expired: 410 Gone) lists what
  exists, not what was deleted meanwhile: whatever it did not list is gone.

So a library is named by the prefix of its documents' ids, and intersecting with the
indexed ids matches every indexed document of that library; the ids read in the same run are
taken out again by the pipeline (``- seen``).
"""

from __future__ import annotations

from collections.abc import Iterable, Set


class RemovedIds(set[str]):
    """Document ids to remove, plus id prefixes standing for every document under them."""

    def __init__(self, ids: Iterable[str] = ()) -> None:
        super().__init__(ids)
        self.prefixes: set[str] = set()

    def add_prefix(self, prefix: str) -> None:
        self.prefixes.add(prefix)

    def __and__(self, other: Set[object]) -> set[str]:
        """The ids of ``other`` removed: named ones and those under a prefix."""
        found = {x for x in other if isinstance(x, str) and x in self}
        if self.prefixes:
            starts = tuple(self.prefixes)
            found.update(x for x in other if isinstance(x, str) and x.startswith(starts))
        return found

    __rand__ = __and__
