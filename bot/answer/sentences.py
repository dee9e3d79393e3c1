"""The sentences an extractive answer is made of: quotable units of the retrieved chunks
(a sentence, or a line ending with ':' with its list items), each a candidate with its
scores, and the evidence the decisions read (bot/answer/extractive.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.models import RetrievedChunk
from indexing.chunking import split_sentences

_LIST_ITEM = re.compile(r"^\s*(?:[*\-+•]|\d+[.)])\s+")


@dataclass
class Candidate:
    text: str
    chunk_rank: int
    chunk: RetrievedChunk
    order: int
    lexical: float = 0.0
    dense: float = 0.0
    score: float = 0.0


@dataclass
class Evidence:
    """Everything the decisions need about one question's retrieved chunks."""

    chunks: list[RetrievedChunk]
    sentences: list[Candidate]  # best first
    features: dict[str, float]
    documents: list[tuple[str, dict[str, float]]] = field(default_factory=list)


def sentence_units(text: str) -> list[str]:
    """Sentences; a line ending with ':' keeps up to five following list items with it."""
    pieces = split_sentences(text)
    units: list[str] = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        i += 1
        if piece.rstrip().endswith(":"):
            items: list[str] = []
            while i < len(pieces) and _LIST_ITEM.match(pieces[i]) and len(items) < 5:
                items.append(pieces[i])
                i += 1
            if items:
                units.append("\n".join([piece, *items]))
                continue
        if len(piece.split()) >= (6 if _LIST_ITEM.match(piece) else 4):
            units.append(piece)  # shorter pieces (table-of-contents entries) answer nothing
    return units


def embedded_text(candidate: Candidate) -> str:
    return f"{candidate.chunk.title} > {candidate.chunk.section}: {candidate.text}"


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))
