"""The three outcomes of an answer (answer, not sure, nothing related), the ``related``
field, their terminal rendering, and the fitted threshold between "not sure" and "nothing"
(fakes only)."""

from __future__ import annotations

import json

from bot import messages
from bot.answer.decision import DecisionModel, LogisticModel
from bot.answer.extractive import ExtractiveAnswerer
from bot.answer.fitting import Record, fit, outcome, score
from bot.config import AnswerSettings
from bot.models import Answer, Citation
from bot.terminal.render import render_terminal
from tests.support.fakes import HashingEmbedder, ListRetriever, chunk, coverage_model

CHUNKS = [
    chunk("vacation", "Full-time employees get 25 days of paid vacation per year."),
    chunk("expenses", "Submit expense reports within 30 days, with the receipt attached."),
    chunk("parking", "The office car park has 40 spaces for employees."),
    chunk("travel", "Book business travel through the travel desk two weeks ahead."),
]


def _writer(related: float, threshold: float) -> tuple[ExtractiveAnswerer, ListRetriever]:
    retriever = ListRetriever(CHUNKS)
    model = coverage_model()
    model.threshold, model.related_threshold = threshold, related
    writer = ExtractiveAnswerer(
        settings=AnswerSettings(),
        embed_many=HashingEmbedder().embed_short,
        vocabulary=retriever.vocabulary,
        model=model,
    )
    return writer, retriever


def _answer(question: str, related: float = 0.0, threshold: float = 0.5) -> Answer:
    """``threshold``: the answer threshold; ``related``: the "not sure" one below it."""
    writer, retriever = _writer(related, threshold)
    embedding = HashingEmbedder().get_query_embedding(question)
    return writer.answer(question, embedding, retriever.retrieve(question, embedding))


def test_a_confident_answer_quotes_and_cites() -> None:
    answer = _answer("How many vacation days do employees get per year?")
    assert answer.answered and answer.citations
    assert "> " in answer.text


def test_an_answer_lists_the_closest_pages_it_does_not_cite_as_see_also() -> None:
    answer = _answer("How many vacation days do employees get per year?")
    cited = {c.doc_id for c in answer.citations}
    also = [c.doc_id for c in answer.related]
    assert cited == {"vacation"} and also and not cited & set(also)
    assert len(cited) + len(also) <= 3 and len(set(also)) == len(also)
    # numbered after the citations, in the JSON contract's fields
    assert [c.n for c in answer.related] == [
        len(answer.citations) + i for i in range(1, len(also) + 1)
    ]
    assert answer.to_json()["related"][0]["source"] == answer.related[0].source
    rendered = render_terminal(answer)
    assert rendered.index("Sources:") < rendered.index("See also:")
    assert f"[{answer.related[0].n}] {answer.related[0].label()}" in rendered


def test_not_sure_lists_up_to_three_related_pages_and_quotes_nothing() -> None:
    # a probability between the two thresholds
    answer = _answer("How many vacation days do employees get?", related=0.01, threshold=1.01)
    assert not answer.answered and answer.citations == []
    assert answer.text == messages.NOT_SURE and "> " not in answer.text
    assert 1 <= len(answer.related) <= 3
    assert [c.n for c in answer.related] == list(range(1, len(answer.related) + 1))
    assert len({c.doc_id for c in answer.related}) == len(answer.related)
    shown = answer.to_json()
    assert shown["answered"] is False
    assert shown["related"][0].keys() == shown["related"][0].keys() & {
        "n",
        "title",
        "source",
        "url",
        "section",
        "updated_at",
        "updated_from",
    }
    assert {r["source"] for r in shown["related"]} <= {c.source for c in CHUNKS}
    rendered = render_terminal(answer)
    assert rendered.startswith(messages.NOT_SURE)
    assert f"[1] {answer.related[0].label()}: {answer.related[0].source}" in rendered


def test_nothing_related_is_the_plain_decline() -> None:
    answer = _answer("What will the weather be in Lisbon tomorrow?", related=0.3)
    assert not answer.answered and answer.related == [] and answer.citations == []
    assert answer.text == messages.NOT_IN_DOCUMENTS
    assert answer.to_json()["related"] == []
    assert render_terminal(answer) == messages.NOT_IN_DOCUMENTS


def test_citations_and_related_share_the_json_fields() -> None:
    page = Citation(n=1, title="T", source="t.md", url="https://w/t", section="A > B")
    answered = Answer(question="q", text="x", answered=True, citations=[page]).to_json()
    unsure = Answer(question="q", text="x", answered=False, related=[page]).to_json()
    assert answered["citations"] == unsure["related"] and answered["related"] == []


def test_an_older_model_file_without_the_related_threshold_still_loads() -> None:
    data = coverage_model().to_json()
    del data["question"]["related_threshold"]
    assert DecisionModel.from_json(json.loads(json.dumps(data))).related_threshold == 0.0


def _record(group: str, answerable: bool, value: float, gold_first: bool = True) -> Record:
    documents = [("a.md", {"coverage": 1.0 if gold_first else 0.0}), ("b.md", {"coverage": 0.5})]
    return Record(
        group=group,
        answerable=answerable,
        features={"dense_top": value},
        documents=documents,
        gold={"a.md"} if answerable else set(),
        retrieved={"a.md", "b.md"},
    )


def test_fitting_puts_the_related_threshold_under_nearly_every_answerable_question() -> None:
    records = [_record("g", True, 0.5 + i / 100) for i in range(50)]
    records += [_record("g", False, 0.1 + i / 100) for i in range(50)]
    model = fit(records)
    question = model.question
    below = [
        r
        for r in records
        if r.answerable and question.probability(r.features) < model.related_threshold
    ]
    assert len(below) <= 1 and model.related_threshold <= model.threshold
    kinds = {outcome(model, r) for r in records}
    assert "answer" in kinds and "nothing" in kinds
    metrics = score(model, records)
    assert metrics["neither"] <= 0.02 and metrics["gold_shown"] >= metrics["cited_gold"]
    assert 0 <= metrics["unanswerable_answered"] <= 1


def test_score_counts_a_gold_page_among_related_as_shown() -> None:
    question = LogisticModel(["dense_top"], [0.0], [1.0], [10.0], -5.0)  # p > 0.5 iff > 0.5
    document = LogisticModel(["coverage"], [0.0], [1.0], [1.0], 0.0)
    model = DecisionModel(question, 0.9, document, 1.0, related_threshold=0.1)
    unsure = _record("g", True, 0.4, gold_first=False)  # p ~0.27: not sure, gold 2nd
    metrics = score(model, [unsure])
    assert outcome(model, unsure) == "not sure"
    assert metrics["cited_gold"] == 0 and metrics["gold_shown"] == 1 and metrics["neither"] == 0


def test_score_counts_a_gold_page_in_an_answers_see_also_as_shown_not_cited() -> None:
    question = LogisticModel(["dense_top"], [0.0], [1.0], [10.0], -5.0)
    document = LogisticModel(["coverage"], [0.0], [1.0], [1.0], 0.0)
    model = DecisionModel(question, 0.5, document, 1.0, related_threshold=0.1)
    wrong_first = _record("g", True, 0.9, gold_first=False)  # answered, b.md cited
    metrics = score(model, [wrong_first])
    assert outcome(model, wrong_first) == "answer"
    assert metrics["cited_gold"] == 0 and metrics["gold_shown"] == 1
    assert metrics["cited_per_answer"] == 1 and metrics["see_also_per_answer"] == 1


def test_eval_counts_a_gold_page_among_related_as_shown() -> None:
    from bot.answer.engine import AnswerEngine
    from bot.learning.evaluation import evaluate

    writer, retriever = _writer(related=0.01, threshold=1.01)  # never confident: not sure
    engine = AnswerEngine(retriever=retriever, embedder=HashingEmbedder(), writer=writer)
    rows = [{"question": "How many vacation days do employees get?", "sources": ["vacation.md"]}]
    metrics = evaluate(engine, rows).metrics()
    assert metrics["cited_gold"] == 0.0 and metrics["gold_shown"] == 1.0


def test_the_shipped_model_loads_with_the_current_features_and_three_outcomes() -> None:
    from bot.answer.decision import SHIPPED_MODEL
    from bot.answer.evidence import DOCUMENT_FEATURES, QUESTION_FEATURES

    model = DecisionModel.load(None)
    assert model.question.features == list(QUESTION_FEATURES)
    assert model.document.features == list(DOCUMENT_FEATURES)
    assert 0.0 < model.related_threshold < model.threshold < 1.0
    assert model.fitted_on  # written by bench.generalization --write-model
    assert json.loads(SHIPPED_MODEL.read_text())["question"]["related_threshold"] > 0


def test_a_full_sentence_cache_is_emptied_before_embedding_not_after(monkeypatch) -> None:
    """A long-running bot fills the sentence-vector cache; the question that overflows it
    still gets every vector (the cache used to be emptied after choosing what to embed,
    dropping vectors of texts it had just counted as cached: a KeyError mid-answer)."""
    import bot.answer.extractive as extractive

    monkeypatch.setattr(extractive, "SENTENCE_CACHE", 2)
    writer, _ = _writer(0.0, 0.5)
    writer._embed(["one", "two", "three"])  # three cached: more than the cache holds
    vectors = writer._embed(["one", "four"])  # "one" was cached until the overflow
    assert len(vectors) == 2 and all(len(v) > 0 for v in vectors)


def test_another_thread_emptying_the_sentence_cache_mid_call_loses_nothing() -> None:
    """`serve` answers on several threads sharing the cache: one of them may empty it while
    this call embeds what it lacks; the vectors it had found cached must still come back."""
    writer, _ = _writer(0.0, 0.5)
    embed = writer.embed_many

    def embed_while_another_thread_clears(texts: list[str]) -> list[list[float]]:
        writer._sentence_vectors.clear()  # what another answer thread's overflow does
        return embed(texts)

    writer._embed(["cached"])
    writer.embed_many = embed_while_another_thread_clears
    vectors = writer._embed(["cached", "new"])
    assert len(vectors) == 2 and all(len(v) > 0 for v in vectors)
