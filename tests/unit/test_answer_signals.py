"""Evidence signals (bot/answer/signals.py) on a tiny handbook: headings, quantities, the
share of retrieved chunks, and the most specific question term the top document lacks."""

from __future__ import annotations

from bot.answer.evidence import QuestionTerms, Vocabulary
from bot.answer.signals import document_signals, question_signals, uncovered_peak
from bot.models import RetrievedChunk
from tests.support.fakes import chunk

TEXTS = [
    "Health insurance covers employees and their families from the first day.",
    "Dental insurance is included in the health plan.",
    "The office has a small gym on the second floor.",
    "Employees get 25 days of paid vacation per year.",
    "Pets are welcome in the office on Fridays.",
    "Expense reports are due at the end of each month.",
]
VOCABULARY = Vocabulary.from_texts(TEXTS)


def _chunk(doc: str, text: str, title: str, section: str, dense: float = 0.0) -> RetrievedChunk:
    return RetrievedChunk(
        chunk_id=f"{doc}#{section}",
        doc_id=doc,
        title=title,
        source=f"{doc}.md",
        section=section,
        text=text,
        dense_score=dense,
    )


def _terms(question: str) -> QuestionTerms:
    return QuestionTerms.of(question, VOCABULARY)


def test_the_most_specific_missing_term_counts_not_the_common_ones() -> None:
    insurance_page = TEXTS[0] + " " + TEXTS[1]
    # "pet" is rarer in this handbook than "insurance": missing it is what matters
    assert uncovered_peak(_terms("is there pet insurance?"), insurance_page) > 0.5
    assert uncovered_peak(_terms("does health insurance cover families?"), insurance_page) == 0.0
    # a common word missing weighs less than the question's most specific one
    common = uncovered_peak(_terms("are pets welcome in the office for employees?"), TEXTS[4])
    assert 0.0 < common < 1.0
    # a term found only in the headings counts as found
    assert uncovered_peak(_terms("pet insurance?"), insurance_page, "Benefits > Pets") == 0.0


def test_a_question_with_no_corpus_term_has_nothing_to_miss() -> None:
    assert uncovered_peak(_terms("zzyzx?"), TEXTS[0]) == 0.0


def test_question_signals_read_the_top_document_and_its_best_sentences() -> None:
    top = [_chunk("benefits", TEXTS[0], "Benefits", "Health")]
    found = question_signals(
        "how many days of pet insurance?",
        _terms("how many days of pet insurance?"),
        top,
        [TEXTS[0]],
    )
    assert found["quantity_unmet"] == 1.0  # asks "how many", the sentence holds no number
    assert found["uncovered_doc1"] > 0.0
    answered = question_signals(
        "how many vacation days?",
        _terms("how many vacation days?"),
        [chunk("leave", TEXTS[3])],
        [TEXTS[3]],
    )
    assert answered["quantity_unmet"] == 0.0 and answered["uncovered_doc1"] == 0.0


def test_document_signals_weigh_headings_and_the_share_of_chunks() -> None:
    chunks = [
        _chunk("gym", TEXTS[2], "Office", "Gym", 0.7),
        _chunk("gym", TEXTS[4], "Office", "Pets", 0.5),
        _chunk("leave", TEXTS[3], "Leave", "Vacation", 0.4),
    ]
    gym = document_signals("gym", _terms("is there a gym?"), chunks)
    leave = document_signals("leave", _terms("is there a gym?"), chunks)
    assert gym["heading_coverage"] > leave["heading_coverage"]
    assert gym["chunk_share"] == 2 / 3 and gym["dense_best"] == 0.7
