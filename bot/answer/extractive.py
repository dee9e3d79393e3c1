"""The extractive answerer: the embedded default's answer writer (no LLM needed).

From the top retrieved chunks it picks the sentences (or list introductions with their
items) that best address the question, quotes them verbatim, and numbers a citation for
each source they came from. A sentence is scored by its meaning (MiniLM cosine to the
question, with its section heading as context) and by how many of the question's key
terms it (or its heading) contains. If the best sentence is not relevant enough, the
answer is "not found", with the closest documents listed: we never guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.answer.llm import TokenCallback
from bot.answer.prompts import looks_like_instructions
from bot.config import AnswerSettings
from bot.models import Answer, Citation, RetrievedChunk
from indexing.chunking import split_sentences
from indexing.sparse import terms

EmbedMany = Callable[[list[str]], list[list[float]]]

NOT_FOUND = "I couldn't find this in the indexed documents."
_LIST_ITEM = re.compile(r"^\s*(?:[*\-+•]|\d+[.)])\s+")
_GENERIC_TERMS = {"company", "employe", "work", "policy", "polic", "handbook", "need", "know"}


@dataclass
class _Candidate:
    text: str
    chunk_rank: int
    chunk: RetrievedChunk
    order: int
    lexical: float = 0.0
    dense: float = 0.0
    score: float = 0.0


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


def _cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


class ExtractiveAnswerer:
    def __init__(
        self, *, settings: AnswerSettings, embed_many: EmbedMany, rerank_limit: int = 12
    ) -> None:
        self.settings = settings
        self.embed_many = embed_many
        self.rerank_limit = rerank_limit

    def answer(
        self,
        question: str,
        query_embedding: list[float] | None,
        chunks: list[RetrievedChunk],
        *,
        on_token: TokenCallback | None = None,
    ) -> Answer:
        """The answer; ``on_token`` (streaming surfaces) gets the whole text at once."""
        answer = self._answer(question, query_embedding, chunks)
        if on_token is not None:
            on_token(answer.text)
        return answer

    def _answer(
        self, question: str, query_embedding: list[float] | None, chunks: list[RetrievedChunk]
    ) -> Answer:
        key_terms = [t for t in dict.fromkeys(terms(question)) if t not in _GENERIC_TERMS]
        candidates = self._candidates(chunks, key_terms)
        if candidates and query_embedding is not None:
            vectors = self.embed_many(
                [f"{c.chunk.title} > {c.chunk.section}: {c.text}" for c in candidates]
            )
            for candidate, vector in zip(candidates, vectors, strict=True):
                candidate.dense = _cosine(query_embedding, vector)
        for c in candidates:
            prior = 1.0 / (1 + c.chunk_rank)
            c.score = 0.5 * c.dense + 0.3 * c.lexical + 0.05 * prior
            if query_embedding is None:
                c.score = 0.8 * c.lexical + 0.2 * prior
        candidates.sort(key=lambda c: c.score, reverse=True)
        if not candidates or candidates[0].score < self.settings.min_relevance:
            return self.not_found(question, chunks)
        return self._compose(question, candidates, chunks)

    def _candidates(self, chunks: list[RetrievedChunk], key_terms: list[str]) -> list[_Candidate]:
        found: list[_Candidate] = []
        seen: set[str] = set()
        for rank, chunk in enumerate(chunks):
            heading_terms = set(terms(f"{chunk.title} {chunk.section}"))
            for order, unit in enumerate(sentence_units(chunk.text)):
                if unit in seen or looks_like_instructions(unit):
                    continue  # overlap between neighbouring chunks; text addressing an AI
                seen.add(unit)
                unit_terms = set(terms(unit))
                if key_terms:
                    hits = sum(
                        1.0 if t in unit_terms else 0.5 if t in heading_terms else 0.0
                        for t in key_terms
                    )
                    lexical = hits / len(key_terms)
                else:
                    lexical = 0.0
                found.append(_Candidate(unit, rank, chunk, order, lexical=lexical))
        found.sort(key=lambda c: (c.lexical, -c.chunk_rank), reverse=True)
        return found[: self.rerank_limit]

    def _compose(
        self, question: str, ranked: list[_Candidate], chunks: list[RetrievedChunk]
    ) -> Answer:
        best = ranked[0].score
        chosen: list[_Candidate] = []
        docs: list[str] = []
        for c in ranked:
            if len(chosen) >= self.settings.max_sentences or c.score < best * 0.85:
                break
            if c.chunk.doc_id not in docs:
                if len(docs) >= self.settings.max_citations:
                    continue
                docs.append(c.chunk.doc_id)
            chosen.append(c)
        # read in document order: by source first appearance, then position in the chunk
        chosen.sort(key=lambda c: (docs.index(c.chunk.doc_id), c.chunk_rank, c.order))
        citations: list[Citation] = []
        keys: dict[tuple[str, str], int] = {}
        lines = []
        for c in chosen:
            key = (c.chunk.doc_id, c.chunk.section)
            if key not in keys:
                keys[key] = len(citations) + 1
                citations.append(
                    Citation(
                        n=keys[key],
                        title=c.chunk.title,
                        source=c.chunk.source,
                        url=c.chunk.url,
                        section=c.chunk.section,
                        updated_at=c.chunk.updated_at,
                        doc_id=c.chunk.doc_id,
                    )
                )
            quoted = "\n> ".join(c.text.splitlines())
            lines.append(f"> {quoted} [{keys[key]}]")
        text = "From the indexed documents:\n" + "\n".join(lines)
        return Answer(
            question=question, text=text, answered=True, citations=citations, retrieved=chunks
        )

    def not_found(self, question: str, chunks: list[RetrievedChunk]) -> Answer:
        titles = list(dict.fromkeys(c.title for c in chunks))[:3]
        text = NOT_FOUND
        if titles:
            text += " The closest documents are: " + "; ".join(titles) + "."
        return Answer(question=question, text=text, answered=False, retrieved=chunks)
