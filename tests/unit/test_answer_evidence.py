"""Issue 17's pieces: Markdown that reads as sentences (hard wraps, escapes, quotes), ERB
pages, the decision model's inputs and its fit."""

from __future__ import annotations

import json
from pathlib import Path

from bot.answer.decision import DecisionModel, LogisticModel
from bot.answer.evidence import QuestionTerms, Vocabulary, question_features
from bot.models import RetrievedChunk
from connectors.folder import FolderConnector
from connectors.parsing.markdown import parse_markdown
from indexing.chunking import split_sentences

WRAPPED = """# Leave

Employees get 25 days of paid
leave per year. Unused days
\\- up to five \\- carry over.

> Quoted guidance that is
> wrapped too [^1]

- an item that
  continues here
- a second item

[^1]: a footnote
"""


def test_hard_wrapped_markdown_becomes_whole_sentences() -> None:
    [section] = parse_markdown(WRAPPED, fallback_title="x").sections
    sentences = split_sentences(section.text)
    assert sentences[:2] == [
        "Employees get 25 days of paid leave per year.",
        "Unused days - up to five - carry over.",
    ]
    assert "Quoted guidance that is wrapped too" in sentences
    assert "- an item that continues here" in sentences
    assert not any("\\" in s or s.startswith(">") or "[^" in s for s in sentences)


ERB_PAGE = """---
title: Programming languages
---

# <%= current_page.data.title %>

We use a small number of <%= link_to "languages", "/x" %> for
core development.
"""


def test_erb_pages_are_markdown_titled_from_front_matter(tmp_path: Path) -> None:
    (tmp_path / "standards").mkdir()
    (tmp_path / "standards" / "programming-languages.html.md.erb").write_text(ERB_PAGE)
    (tmp_path / "standards" / "notes.md.erb").write_text("# Notes\n\nPlain notes here.\n")
    [batch] = list(FolderConnector(tmp_path).load())
    by_source = {d.source: d for d in batch.documents}
    page = by_source["standards/programming-languages.html.md.erb"]
    assert page.title == "Programming languages"
    assert "<%" not in page.text and "%>" not in page.text
    assert "We use a small number of for core development." in page.text
    assert by_source["standards/notes.md.erb"].title == "Notes"


VOCABULARY = Vocabulary.from_texts(
    [
        "Parental leave is 16 weeks, paid in full.",
        "Remote work: you can work from home two days a week.",
        "Expenses are reimbursed within 30 days.",
        "Vacation: 25 days of leave per year.",
    ]
)


def test_padding_does_not_count_and_typos_meet_their_word() -> None:
    plain = QuestionTerms.of("parental leave?", VOCABULARY)
    padded = QuestionTerms.of("hey quick question, new here - doc says parental leave?", VOCABULARY)
    assert padded.weights == plain.weights and padded.missing == 0
    typo = QuestionTerms.of("parental leve", VOCABULARY)
    assert set(typo.weights) == set(plain.weights) and typo.missing == 0
    off_topic = QuestionTerms.of("Does the company offer pet insurance?", VOCABULARY)
    assert off_topic.missing / off_topic.total > 0.5  # "pet", "insurance", "offer": unknown
    amounts = QuestionTerms.of("can I expense $200 in 2026?", VOCABULARY)
    assert amounts.missing == 0  # amounts and years are not topics


def test_question_features_read_ranks_scores_and_coverage() -> None:
    def chunk(doc: str, text: str, dense: int, sparse: int, score: float) -> RetrievedChunk:
        return RetrievedChunk(
            chunk_id=f"{doc}{dense}", doc_id=doc, title=doc, source=doc, text=text,
            dense_rank=dense, dense_score=score, sparse_rank=sparse,
        )  # fmt: skip

    chunks = [
        chunk("leave.md", "Parental leave is 16 weeks, paid in full.", 1, 1, 0.71),
        chunk("vacation.md", "Vacation: 25 days of leave per year.", 2, 2, 0.40),
    ]
    features = question_features(
        QuestionTerms.of("is parental leave paid", VOCABULARY), chunks, 0.66
    )
    assert features["dense_top"] == 0.71 and round(features["dense_margin"], 2) == 0.31
    assert features["agreement"] == 1.0 and features["sentence_top"] == 0.66
    assert features["coverage_doc1"] > 0.6 and features["missing_weight"] < 0.3


def test_the_logistic_fit_orders_and_round_trips(tmp_path: Path) -> None:
    rows = [{"x": i / 10, "noise": (i * 7) % 3} for i in range(20)]
    labels = [i >= 10 for i in range(20)]
    model = LogisticModel.fit(["x", "noise"], rows, labels)
    assert model.probability({"x": 1.9, "noise": 1}) > 0.8 > 0.2 > model.probability({"x": 0.0})
    decision = DecisionModel(model, 0.5, model, 0.7, fitted_on=["t"])
    decision.save(tmp_path / "m.json")
    loaded = DecisionModel.load(tmp_path / "m.json")
    assert loaded.to_json() == json.loads((tmp_path / "m.json").read_text())


def test_the_shipped_model_loads_and_names_its_corpora() -> None:
    model = DecisionModel.load(None)
    assert len(model.fitted_on) >= 4 and 0 < model.threshold < 1


def test_compounds_meet_their_hyphenated_spelling() -> None:
    vocabulary = Vocabulary.from_texts(["Join the guest Wi-Fi network.", "Send an e-mail to IT."])
    wifi = QuestionTerms.of("how do I get onto the guest wifi", vocabulary)
    assert wifi.missing == 0 and {"wi", "fi"} <= set(wifi.weights)
