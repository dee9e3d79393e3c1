"""What the retrieved passages say about a question, as numbers a small model can weigh.

The answer writer asks two things of the evidence: which documents to cite (per document:
its retrieval ranks, its best sentence's similarity to the question, how much of the
question it covers) and whether to answer at all (per question: the best similarities, how
much of the question the best passage covers, dense/BM25 agreement, and how much of the
question's weight lies in terms the corpus never uses). Coverage is weighted by the index's
own inverse document frequencies, so rare, specific words count and filler counts little;
conversational padding ("quick question", "new here", "doc says") is dropped outright, and
a misspelt word ("leve") counts as the corpus word one edit away ("leave").
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from bot.models import RetrievedChunk
from indexing.sparse import STOP_WORDS, stem, terms
from indexing.vocabulary import TermStatistics

# generic chat filler, never evidence of a topic (English, not taken from any corpus)
PADDING = frozenset(
    terms(
        "hey hi hello hiya thanks thank please pls quick question questions wondering wonder "
        "anyone someone somebody know tell ask asking new here doc docs says said say wiki "
        "handbook actually just really basically maybe okay ok folks guys "
        "yes yeah curious idea sure thing stuff need want like onto upon via across toward "
        "towards anyway"
    )
)
QUESTION_FEATURES = (
    "dense_top",  # the best chunk's cosine to the question
    "dense_margin",  # how far it stands out from the last retrieved chunk
    "sentence_top",  # the best sentence's cosine
    "coverage_doc1",  # IDF-weighted share of the question found in the top document
    "coverage_sentence",  # ... and in the single sentence that covers most of it
    "missing_weight",  # share of the question's weight in terms the corpus never uses
    "agreement",  # dense and BM25 put the same document first
    "heading_doc1",  # share of the question in the top document's headings (signals.py)
    "quantity_unmet",  # asks how much/long/when, and the best sentences hold no number
    "uncovered_doc1",  # the most specific question term the top document's passages lack
)  # (not the question's length: in development sets it tracks how the set was written)
DOCUMENT_FEATURES = (
    "rank",
    "dense_rank",
    "sparse_rank",
    "sentence",
    "coverage",
    "margin",
    "heading_coverage",  # bot/answer/signals.py: the document's title and headings
    "chunk_share",  # ... its share of the retrieved chunks
    "dense_best",  # ... its best chunk's cosine
)


class Vocabulary:
    """Term -> number of chunks containing it, for the whole index."""

    def __init__(
        self,
        document_frequency: Counter[str],
        chunks: int,
        surface: dict[str, str] | None = None,
    ) -> None:
        self.df = document_frequency
        self.chunks = max(chunks, 1)
        self.surface = surface or {}  # term -> its most common spelling in the text
        self._by_length: dict[int, list[str]] = {}
        for term in document_frequency:
            self._by_length.setdefault(len(term), []).append(term)

    @classmethod
    def from_texts(cls, texts: list[str]) -> Vocabulary:
        counted = TermStatistics.of_texts(texts)
        return cls(counted.document_frequency, counted.chunks, counted.surface)

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (self.chunks - df + 0.5) / (df + 0.5))

    def corpus_terms(self, term: str) -> list[str]:
        """The corpus term(s) a question term stands for: itself; a near spelling (see
        :meth:`canonical`); or, for a compound the corpus hyphenates or spaces ("wifi" for
        "Wi-Fi", "email" for "e-mail"), its two parts. [] when there is nothing like it."""
        near = self.canonical(term)
        if near is not None:
            return [near]
        for cut in range(2, len(term) - 1):
            head, tail = term[:cut], term[cut:]
            if head in self.df and tail in self.df:
                return [head, tail]
        return []

    def canonical(self, term: str) -> str | None:
        """The corpus term for a question term: itself, or one edit away (typos) for words
        of 5+ letters (4+ against a word whose final "e" the stemmer dropped: "leve" is
        "leave"); None when the corpus never uses anything like it."""
        if term in self.df:
            return term
        if len(term) < 4 or term.isdigit():
            return None
        best: tuple[int, str] | None = None
        for length in (len(term) - 2, len(term) - 1, len(term), len(term) + 1):
            for candidate in self._by_length.get(length, []):
                # the stemmer drops a final "e" ("leave" -> "leav"): compare with it too
                near = _one_edit(term, candidate) if len(term) >= 5 else False
                if near or _one_edit(term, candidate + "e"):
                    count = self.df[candidate]
                    if best is None or count > best[0]:
                        best = (count, candidate)
        return best[1] if best else None


def _fold(term: str) -> str:
    """The stemmer keeps "page" but makes "pages" "pag": compare without a final "e"."""
    return term[:-1] if len(term) > 3 and term.endswith("e") else term


def _one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or a == b or a[0] != b[0]:
        return False  # typos rarely hit the first letter; keeps the scan cheap
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


@dataclass
class QuestionTerms:
    """The question's content terms mapped to corpus terms, with their weights."""

    weights: dict[str, float] = field(default_factory=dict)  # corpus term -> idf
    missing: float = 0.0  # idf mass of terms the corpus never uses
    total: float = 0.0

    @classmethod
    def of(cls, question: str, vocabulary: Vocabulary) -> QuestionTerms:
        found = cls()
        for term in dict.fromkeys(terms(question)):
            if term in PADDING or term.isdigit():
                continue  # filler, and amounts or years ("$200", "2026"): not a topic
            matches = vocabulary.corpus_terms(term)
            weight = max((vocabulary.idf(t) for t in matches), default=vocabulary.idf(term))
            found.total += weight
            if not matches:
                found.missing += weight
            for match in matches:  # a compound's parts share its weight
                share = weight / len(matches)
                found.weights[match] = max(found.weights.get(match, 0.0), share)
        return found

    def coverage(self, text: str, context: str = "") -> float:
        """Share of the weight of the question's corpus terms found in ``text`` (``context``,
        e.g. headings, counts half); terms the corpus never uses are ``missing`` instead."""
        present = sum(self.weights.values())
        if not present:
            return 0.0
        here = {_fold(t) for t in terms(text)}
        around = {_fold(t) for t in terms(context)}
        hit = sum(
            w if _fold(t) in here else w / 2 if _fold(t) in around else 0.0
            for t, w in self.weights.items()
        )
        return hit / present

    def lacking(self, text: str) -> list[float]:
        """The weights of the question's corpus terms that ``text`` does not contain."""
        here = {_fold(t) for t in terms(text)}
        return [w for t, w in self.weights.items() if _fold(t) not in here]


def clean_query(question: str, vocabulary: Vocabulary) -> str:
    """The question as retrieval should see it: conversational padding dropped ("hey quick
    question, new here -"), misspelt words replaced by the corpus's own ("leve" ->
    "leave"). Unchanged when there is nothing to clean."""
    words = []
    for token in question.split():
        core = token.strip(".,;:!?()[]\"'").lower()
        if not core.isalpha() or core in STOP_WORDS:
            words.append(token)
            continue
        term = stem(core)
        if term in PADDING:
            continue
        if term not in vocabulary.df:
            match = vocabulary.canonical(term)
            if match is not None and match in vocabulary.surface:
                token = token.lower().replace(core, vocabulary.surface[match])
        words.append(token)
    cleaned = " ".join(w for w in words if any(ch.isalnum() for ch in w))
    return cleaned if len(cleaned.split()) >= 2 else question


def inverse_rank(rank: int) -> float:
    """1 for the first, 1/2 for the second...; 0 when absent (rank 0)."""
    return 1.0 / rank if rank > 0 else 0.0


def document_order(chunks: list[RetrievedChunk], rank_of: str = "") -> list[str]:
    """Distinct documents in the order of ``chunks`` (or of their dense/sparse rank)."""
    if rank_of:
        ranked = [c for c in chunks if getattr(c, rank_of) > 0]
        ranked.sort(key=lambda c: getattr(c, rank_of))
        chunks = ranked
    return list(dict.fromkeys(c.doc_id for c in chunks))


def question_features(
    question: QuestionTerms,
    chunks: list[RetrievedChunk],
    best_sentence: float,
    best_sentence_coverage: float = 0.0,
) -> dict[str, float]:
    dense_docs, sparse_docs = (
        document_order(chunks, "dense_rank"),
        document_order(chunks, "sparse_rank"),
    )
    agreement = float(bool(dense_docs and sparse_docs and dense_docs[0] == sparse_docs[0]))
    dense_scores = sorted((c.dense_score for c in chunks if c.dense_rank), reverse=True)
    first_doc = [c for c in chunks if chunks and c.doc_id == chunks[0].doc_id]
    doc_text = " ".join(c.text for c in first_doc)
    doc_context = " ".join(f"{c.title} {c.section}" for c in first_doc)
    return {
        "dense_top": dense_scores[0] if dense_scores else 0.0,
        "dense_margin": dense_scores[0] - dense_scores[-1] if dense_scores else 0.0,
        "coverage_doc1": question.coverage(doc_text, doc_context) if first_doc else 0.0,
        "sentence_top": best_sentence,
        "coverage_sentence": best_sentence_coverage,
        "missing_weight": question.missing / question.total if question.total else 0.0,
        "agreement": agreement,
    }


def document_features(
    doc_id: str,
    rank: int,
    question: QuestionTerms,
    chunks: list[RetrievedChunk],
    sentence_scores: dict[str, float],
) -> dict[str, float]:
    """``sentence_scores``: doc id -> its best sentence's similarity to the question."""
    mine = [c for c in chunks if c.doc_id == doc_id]
    dense = document_order(chunks, "dense_rank")
    sparse = document_order(chunks, "sparse_rank")
    best = max(sentence_scores.values(), default=0.0)
    sentence = sentence_scores.get(doc_id, 0.0)
    return {
        "rank": inverse_rank(rank),
        "dense_rank": inverse_rank(dense.index(doc_id) + 1 if doc_id in dense else 0),
        "sparse_rank": inverse_rank(sparse.index(doc_id) + 1 if doc_id in sparse else 0),
        "sentence": sentence,
        "coverage": max(
            (question.coverage(c.text, f"{c.title} {c.section}") for c in mine), default=0.0
        ),
        "margin": sentence - best,
    }
