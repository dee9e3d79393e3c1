"""Evidence signals beyond the passages' similarity and coverage (bot/answer/evidence.py).

* Headings: how much of the question a document's title and section headings cover. Short
  conversational questions often meet the heading that answers them ("can I work from
  home?" and a section "How we work > Remotely") better than any sentence.
* Several chunks: how many of the retrieved chunks a document holds, and its best one's
  similarity, so a document is scored from all its passages, not its first.
* Quantities: a question asking for an amount, a duration or a time ("how many days",
  "when") whose best sentences hold no number or date is rarely answered by them.
* Specific terms: the most specific word of the question that the top document's retrieved
  passages and their headings lack
  ("pet insurance" against a page on insurance misses "pet", the word that matters most).

Plain English question words and number words only: nothing taken from any corpus.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answer.evidence import QuestionTerms
from bot.models import RetrievedChunk

QUANTITY_QUESTION = re.compile(
    r"\b(?:how\s+(?:much|many|long|often|soon|far|early|late)|what\s+time|what\s+day|"
    r"which\s+day|what\s+date|when)\b",
    re.I,
)
QUANTITY_ANSWER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|hundred|half|once|twice|daily|weekly|monthly|quarterly|annually|"
    r"yearly|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|"
    r"march|april|may|june|july|august|september|october|november|december)\b",
    re.I,
)
TOP_SENTENCES = 3


def headings_of(chunks: Sequence[RetrievedChunk]) -> str:
    return " ".join(dict.fromkeys(f"{c.title} {c.section}" for c in chunks))


def question_signals(
    question_text: str,
    question: QuestionTerms,
    chunks: list[RetrievedChunk],
    best_sentences: Sequence[str],
) -> dict[str, float]:
    first = [c for c in chunks if chunks and c.doc_id == chunks[0].doc_id]
    asks_quantity = bool(QUANTITY_QUESTION.search(question_text))
    has_quantity = any(QUANTITY_ANSWER.search(s) for s in best_sentences[:TOP_SENTENCES])
    doc_text = " ".join(c.text for c in first)
    return {
        "heading_doc1": question.coverage(headings_of(first)) if first else 0.0,
        "quantity_unmet": float(asks_quantity and not has_quantity),
        "uncovered_doc1": uncovered_peak(question, doc_text, headings_of(first)),
    }


def uncovered_peak(question: QuestionTerms, text: str, context: str = "") -> float:
    """The weight of the most specific question term ``text`` lacks, as a share of the
    question's most specific term (0 when every term is there): "pet insurance" against a
    page on insurance misses "pet", the term that matters most."""
    if not question.weights:
        return 0.0
    missing = question.lacking(f"{text} {context}")
    return max(missing, default=0.0) / max(question.weights.values())


def document_signals(
    doc_id: str, question: QuestionTerms, chunks: list[RetrievedChunk]
) -> dict[str, float]:
    mine = [c for c in chunks if c.doc_id == doc_id]
    return {
        "heading_coverage": question.coverage(headings_of(mine)) if mine else 0.0,
        "chunk_share": len(mine) / len(chunks) if chunks else 0.0,
        "dense_best": max((c.dense_score for c in mine), default=0.0),
    }
