"""The extractive answerer: the embedded default's answer writer (no LLM needed).

1. Evidence (bot/answer/evidence.py): the sentences of the retrieved chunks, each scored by
   its meaning (MiniLM cosine to the question, with its section heading as context) and by
   how much of the question's IDF weight it covers; features of the question and of each of
   the top three documents.
2. Decisions (bot/answer/decision.py, fitted on development sets): whether to answer at all
   (``answerable_p`` below the threshold: "not found", the closest documents listed), and
   which documents to cite (the most probable one; a second when probable enough).
3. The answer quotes whole sentences of the cited documents, verbatim, with one citation
   per document section: it never cites a document it does not quote.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot import messages
from bot.answer.decision import DecisionModel
from bot.answer.evidence import (
    QuestionTerms,
    Vocabulary,
    document_features,
    document_order,
    question_features,
)
from bot.answer.llm import TokenCallback
from bot.answer.prompts import looks_like_instructions
from bot.config import AnswerSettings
from bot.models import Answer, Citation, RetrievedChunk
from indexing.chunking import split_sentences

EmbedMany = Callable[[list[str]], list[list[float]]]

NOT_FOUND = messages.NOT_IN_DOCUMENTS
_LIST_ITEM = re.compile(r"^\s*(?:[*\-+•]|\d+[.)])\s+")
CANDIDATE_DOCUMENTS = 3
SENTENCES_PER_DOCUMENT = 6


@dataclass
class _Candidate:
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
    sentences: list[_Candidate]  # best first
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


def _cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


class ExtractiveAnswerer:
    def __init__(
        self,
        *,
        settings: AnswerSettings,
        embed_many: EmbedMany,
        vocabulary: Callable[[], Vocabulary],
        model: DecisionModel,
    ) -> None:
        self.settings = settings
        self.embed_many = embed_many
        self.vocabulary = vocabulary
        self.model = model

    def answer(
        self,
        question: str,
        query_embedding: list[float] | None,
        chunks: list[RetrievedChunk],
        *,
        on_token: TokenCallback | None = None,
        already_said: str = "",
    ) -> Answer:
        """The answer, posted whole (``on_token`` is not called: there is nothing to stream,
        and a partial update would only race the final message). Sentences in
        ``already_said`` (the previous answer, for a follow-up) come last."""
        evidence = self.evidence(question, query_embedding, chunks)
        if already_said:
            said = " ".join(already_said.split())
            evidence.sentences.sort(key=lambda c: " ".join(c.text.split()) in said)
        return self.decide(question, evidence)

    def evidence(
        self, question: str, query_embedding: list[float] | None, chunks: list[RetrievedChunk]
    ) -> Evidence:
        wanted = QuestionTerms.of(question, self.vocabulary())
        candidates = self._candidates(chunks, wanted)
        if candidates and query_embedding is not None:
            vectors = self.embed_many(
                [f"{c.chunk.title} > {c.chunk.section}: {c.text}" for c in candidates]
            )
            for candidate, vector in zip(candidates, vectors, strict=True):
                candidate.dense = _cosine(query_embedding, vector)
        for c in candidates:
            c.score = 0.6 * c.dense + 0.4 * c.lexical
        candidates.sort(key=lambda c: c.score, reverse=True)
        best_by_doc: dict[str, float] = {}
        for c in candidates:
            best_by_doc.setdefault(c.chunk.doc_id, c.dense)
        documents = [
            (doc, document_features(doc, rank, wanted, chunks, best_by_doc))
            for rank, doc in enumerate(document_order(chunks)[:CANDIDATE_DOCUMENTS], 1)
        ]
        best_sentence = max((c.dense for c in candidates), default=0.0)
        best_coverage = max((c.lexical for c in candidates), default=0.0)
        features = question_features(wanted, chunks, best_sentence, best_coverage)
        return Evidence(chunks, candidates, features, documents)

    def decide(self, question: str, evidence: Evidence) -> Answer:
        p = self.model.question.probability(evidence.features) if evidence.sentences else 0.0
        if p < self.model.threshold:
            answer = self.not_found(question, evidence.chunks)
        else:
            answer = self._compose(question, evidence, self.cited_documents(evidence))
        answer.answerable_p = round(p, 4)
        return answer

    def cited_documents(self, evidence: Evidence) -> list[str]:
        """The most probable document; the runner-up too when probable enough."""
        quotable = {c.chunk.doc_id for c in evidence.sentences}
        scored = sorted(
            (
                (self.model.document.probability(features), doc)
                for doc, features in evidence.documents
                if doc in quotable
            ),
            reverse=True,
        )
        if not scored:
            return [evidence.sentences[0].chunk.doc_id]
        chosen = [scored[0][1]]
        for p, doc in scored[1 : self.settings.max_citations]:
            if p >= self.model.second_threshold:
                chosen.append(doc)
        return chosen

    def _candidates(self, chunks: list[RetrievedChunk], wanted: QuestionTerms) -> list[_Candidate]:
        """Per candidate document, its sentences that cover the question best."""
        documents = set(document_order(chunks)[:CANDIDATE_DOCUMENTS])
        per_doc: dict[str, list[_Candidate]] = {}
        seen: set[str] = set()
        for rank, chunk in enumerate(chunks):
            if chunk.doc_id not in documents:
                continue
            context = f"{chunk.title} {chunk.section}"
            for order, unit in enumerate(sentence_units(chunk.text)):
                if unit in seen or looks_like_instructions(unit):
                    continue  # overlap between neighbouring chunks; text addressing an AI
                seen.add(unit)
                lexical = wanted.coverage(unit, context)
                candidate = _Candidate(unit, rank, chunk, order, lexical=lexical)
                per_doc.setdefault(chunk.doc_id, []).append(candidate)
        found: list[_Candidate] = []
        for candidates in per_doc.values():
            candidates.sort(key=lambda c: (c.lexical, -c.chunk_rank, -c.order), reverse=True)
            found.extend(candidates[:SENTENCES_PER_DOCUMENT])
        return found

    def _compose(self, question: str, evidence: Evidence, docs: list[str]) -> Answer:
        chosen: list[_Candidate] = []
        for doc in docs:
            mine = [c for c in evidence.sentences if c.chunk.doc_id == doc]
            take = mine[:1] + [c for c in mine[1:3] if c.score >= mine[0].score * 0.85]
            if doc != docs[0]:
                take = take[:1]  # a second document adds its best sentence only
            chosen.extend(take[: max(1, self.settings.max_sentences - len(chosen))])
        # read in document order: by cited document, then position in the text
        chosen.sort(key=lambda c: (docs.index(c.chunk.doc_id), c.chunk_rank, c.order))
        citations: list[Citation] = []
        keys: dict[tuple[str, str], int] = {}
        lines = []
        for c in chosen:
            key = (c.chunk.doc_id, c.chunk.section)
            if key not in keys:
                keys[key] = len(citations) + 1
                citations.append(Citation.of(keys[key], c.chunk))
            quoted = "\n> ".join(c.text.splitlines())
            lines.append(f"> {quoted} [{keys[key]}]")
        text = messages.FROM_DOCUMENTS + "\n" + "\n".join(lines)
        return Answer(
            question=question,
            text=text,
            answered=True,
            citations=citations,
            retrieved=evidence.chunks,
        )

    def not_found(self, question: str, chunks: list[RetrievedChunk]) -> Answer:
        titles = list(dict.fromkeys(c.title for c in chunks))[:3]
        text = NOT_FOUND
        if titles:
            text += " The closest documents are: " + "; ".join(titles) + "."
        return Answer(question=question, text=text, answered=False, retrieved=chunks)
