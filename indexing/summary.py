"""What an index run reports: per run (IndexSummary), per source (SourceResult), and the
progress callback runs call. Light to import: `status` and the chat side read these
without loading the indexing machinery."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from connectors.base import FailedDocument

# documents read, chunks embedded, documents read and found unchanged (nothing to embed)
ProgressCallback = Callable[[int, int, int], None]

@dataclass
class IndexSummary:
    full: bool = False
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: list[FailedDocument] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_total: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    unsupported: list[str] = field(default_factory=list)  # files of a type nothing reads

    @property
    def errors(self) -> list[FailedDocument]:
        return [f for f in self.failed if not f.empty]

    @property
    def empty(self) -> list[FailedDocument]:
        return [f for f in self.failed if f.empty]

    def line(self) -> str:
        documents = self.new + self.changed + self.unchanged
        embedded = (
            f"{self.chunks_embedded} chunks embedded"
            if self.chunks_embedded
            else "nothing to embed (no document changed)"
        )
        return (
            f"{documents} documents: {self.new} new, {self.changed} changed, "
            f"{self.unchanged} unchanged, {self.deleted} deleted, {len(self.errors)} failed, "
            f"{len(self.empty)} empty; {self.skipped()}{embedded}; "
            f"{self.chunks_total} chunks in the index; {self.seconds:.1f} s"
        )

    def skipped(self) -> str:
        """``skipped: 2 unsupported (.doc, .xlsx); `` (the most frequent types first), or
        nothing when every file was of a type wikibot reads."""
        if not self.unsupported:
            return ""
        kinds = Counter(PurePosixPath(p).suffix.lower() or "no extension" for p in self.unsupported)
        ranked = sorted(kinds, key=lambda kind: (-kinds[kind], kind))
        shown = ", ".join(ranked[:6]) + (", ..." if len(ranked) > 6 else "")
        return f"skipped: {len(self.unsupported)} unsupported ({shown}); "


@dataclass
class SourceResult:
    name: str
    how: str  # "full listing" or "changes since <time>"
    summary: IndexSummary | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.summary is not None

    def line(self) -> str:
        if self.summary is None:
            return f"{self.name}: FAILED ({self.how}): {self.error}"
        return f"{self.name} ({self.how}): {self.summary.line()}"


def combined(results: Sequence[SourceResult]) -> IndexSummary:
    """The sum of the successful results, for the one-line report and `status`."""
    total = IndexSummary()
    for result in results:
        s = result.summary
        if s is None:
            continue
        total.full = total.full or s.full
        total.new += s.new
        total.changed += s.changed
        total.unchanged += s.unchanged
        total.deleted += s.deleted
        total.failed.extend(s.failed)
        total.unsupported.extend(s.unsupported)
        total.chunks_embedded += s.chunks_embedded
        total.chunks_total = s.chunks_total  # the index after the last source
        total.seconds += s.seconds
        total.embed_seconds += s.embed_seconds
    return total
