"""Heading-aware chunking sized for MiniLM's 256-wordpiece window.

Each section of a document is cut into chunks of at most ``max_tokens`` wordpieces on
paragraph, list-item and sentence boundaries, with ``overlap_tokens`` of trailing context
repeated at the start of the next chunk. Every chunk keeps its section's heading path
("Benefits > Vacation") and anchor, which citations show and link to.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from connectors.base import SourceDocument

TokenCounter = Callable[[str], int]

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])")
_LIST_ITEM = re.compile(r"^\s*(?:[*\-+•]|\d+[.)])\s+")


def approximate_tokens(text: str) -> int:
    """A model-free estimate (wordpieces ~ 1.3 x words), used when no tokenizer is given."""
    return int(len(text.split()) * 1.3) + 1


@dataclass(frozen=True)
class Chunk:
    doc_id: str
    index: int
    text: str
    heading_path: tuple[str, ...]
    anchor: str

    @property
    def section(self) -> str:
        return " > ".join(self.heading_path)


def split_sentences(text: str) -> list[str]:
    """Sentences and list items of a block of text, in order."""
    pieces: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if _LIST_ITEM.match(line):
            pieces.append(line)
            continue
        pieces.extend(p.strip() for p in _SENTENCE_END.split(line) if p.strip())
    return pieces


def _units(text: str, max_tokens: int, count: TokenCounter) -> list[tuple[str, int]]:
    """Paragraphs that fit, else their sentences, else hard word splits."""
    units: list[tuple[str, int]] = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        size = count(paragraph)
        if size <= max_tokens and not _LIST_ITEM.search(paragraph):
            units.append((paragraph, size))
            continue
        for sentence in split_sentences(paragraph):
            size = count(sentence)
            if size <= max_tokens:
                units.append((sentence, size))
                continue
            words = sentence.split()
            step = max(8, int(len(words) * max_tokens / size * 0.9))
            for start in range(0, len(words), step):
                piece = " ".join(words[start : start + step])
                units.append((piece, count(piece)))
    return units


def chunk_document(
    doc: SourceDocument,
    *,
    max_tokens: int = 200,
    overlap_tokens: int = 40,
    count_tokens: TokenCounter = approximate_tokens,
) -> list[Chunk]:
    if overlap_tokens >= max_tokens:
        raise ValueError("overlap_tokens must be smaller than max_tokens")
    chunks: list[Chunk] = []
    for section in doc.sections:
        current: list[tuple[str, int]] = []
        size = 0
        fresh = 0  # tokens in `current` not already emitted as overlap

        def emit(units: list[tuple[str, int]], heading: tuple[str, ...], anchor: str) -> None:
            text = "\n".join(u for u, _ in units)
            chunks.append(Chunk(doc.id, len(chunks), text, heading, anchor))

        heading = tuple(section.heading_path)
        for unit, unit_size in _units(section.text, max_tokens, count_tokens):
            if current and size + unit_size > max_tokens:
                emit(current, heading, section.anchor)
                carried: list[tuple[str, int]] = []
                carried_size = 0
                for prev in reversed(current):
                    if carried_size + prev[1] > overlap_tokens or len(carried) + 1 >= len(current):
                        break
                    carried.insert(0, prev)
                    carried_size += prev[1]
                current, size, fresh = carried, carried_size, 0
            current.append((unit, unit_size))
            size += unit_size
            fresh += unit_size
        if current and fresh:
            emit(current, heading, section.anchor)
    return chunks
