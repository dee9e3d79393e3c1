"""What the Office parsers share: sections under heading paths, tables as rows of
"Header: value" text, and the checks on what they collect."""

from __future__ import annotations

from collections.abc import Iterable

from connectors.base import Section
from connectors.parsing.office_limits import OfficeLimits, UnreadableOfficeError, check_extracted


class SectionCollector:
    """Collects text under the current heading path (stops past the cap on sections)."""

    def __init__(self, kind: str, limits: OfficeLimits) -> None:
        self.kind, self.limits = kind, limits
        self.path: list[str] = []
        self.lines: list[str] = []
        self.sections: list[Section] = []

    def heading(self, level: int, text: str) -> None:
        self.flush()
        self.path = [*self.path[: max(level - 1, 0)], text]

    def text(self, line: str) -> None:
        if line.strip():
            self.lines.append(line.strip())

    def flush(self) -> None:
        if self.lines:
            self.sections.append(Section(heading_path=list(self.path), text="\n".join(self.lines)))
            stop_past_section_cap(self.sections, self.kind, self.limits)
        self.lines = []


def stop_past_section_cap(sections: list[Section], kind: str, limits: OfficeLimits) -> None:
    if len(sections) > limits.max_sections:
        check_extracted(sections, kind, limits)  # raises: too many sections


def table_rows(rows: list[list[str]], nested: list[list[str]] | None = None) -> Iterable[str]:
    """A table as text: with a header row, each row as "Header: value; ...", each followed
    by the lines of the tables nested in its cells (``nested``, one list per row)."""
    inner = nested or [[] for _ in rows]
    kept = [
        ([cell.strip() for cell in row], lines)
        for row, lines in zip(rows, inner, strict=True)
        if any(cell.strip() for cell in row) or lines
    ]
    if not kept:
        return
    (header, header_lines), body = kept[0], kept[1:]
    if not body:
        if any(header):
            yield "; ".join(c for c in header if c)
        yield from header_lines
        return
    yield from header_lines
    for row, lines in body:
        pairs = [f"{h}: {v}" if h else v for h, v in zip(header, row, strict=False) if v]
        if pairs:
            yield "; ".join(pairs)
        yield from lines


def nonempty(sections: list[Section], kind: str) -> list[Section]:
    if not any(s.text.strip() for s in sections):
        raise UnreadableOfficeError(f"no text in this {kind}")
    return sections
