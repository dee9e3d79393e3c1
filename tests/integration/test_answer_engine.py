"""Questions over the indexed demo handbook: real embedder, embedded Qdrant, extractive answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import messages
from bot.app import App, build_app
from bot.config import load_settings
from bot.errors import IndexNotReadyError
from connectors.folder import FolderConnector
from tests.support.commands import DEMO
from tests.support.indexing import index_now


@pytest.fixture(scope="module")
def components(tmp_path_factory: pytest.TempPathFactory, embedder):  # type: ignore[no-untyped-def]
    data = tmp_path_factory.mktemp("engine")
    parts = build_app(load_settings(data_dir=data), embedder=embedder)  # one loaded model
    index_now(parts, [FolderConnector(DEMO)])
    yield parts
    parts.store.client.close()


@pytest.mark.parametrize(
    ("question", "source", "expected"),
    [
        ("How many vacation days do I get per year?", "time-off/vacation.md", "25 days"),
        (
            "Can I carry over unused vacation days?",
            "time-off/vacation.md",
            "5 unused vacation days",
        ),
        (
            "When do I need a doctor's note for sick leave?",
            "time-off/sick-leave.md",
            "3 consecutive",
        ),
        (
            "What is the hotel limit per night on business trips?",
            "expenses/business-travel.md",
            "220",
        ),
        ("How do I get onto the guest wifi?", "it/wifi-and-printing.html", "BWL-Guest"),
        ("How long is the probation period?", "onboarding/probation.md", "3 months"),
        ("What are the core hours?", "people/working-hours.txt", "10:00 to 16:00"),
    ],
)
def test_answers_quote_the_right_source_with_citations(
    components: App, question: str, source: str, expected: str
) -> None:
    answer = components.engine.ask(question)
    assert answer.answered, answer.text
    assert source in [c.source for c in answer.citations]
    assert expected in answer.text
    assert len({c.source for c in answer.citations}) <= 3
    # every [n] marker in the text points at a listed citation
    numbers = {c.n for c in answer.citations}
    assert all(f"[{n}]" in answer.text for n in numbers)
    assert {"embed", "retrieve", "answer", "total"} <= set(answer.timings_ms)


@pytest.mark.parametrize(
    "question",
    ["How many stock options do new hires get?", "What is the dress code for the summer party?"],
)
def test_questions_the_documents_do_not_answer_are_declined(components: App, question: str) -> None:
    answer = components.engine.ask(question)
    assert not answer.answered
    assert answer.citations == [] and "> " not in answer.text  # no quote
    if answer.related:  # not sure: up to three distinct pages to check
        assert answer.text == messages.NOT_SURE and len(answer.related) <= 3
        assert len({c.source for c in answer.related}) == len(answer.related)
    else:  # nothing related: the plain decline
        assert answer.text == messages.NOT_IN_DOCUMENTS
    assert answer.retrieved


def test_hidden_html_is_never_retrieved(components: App) -> None:
    answer = components.engine.ask("internal note hidden paragraph")
    assert all("hidden paragraph" not in chunk.text for chunk in answer.retrieved)


def test_empty_question_is_an_error(components: App) -> None:
    with pytest.raises(ValueError, match="empty"):
        components.engine.ask("   ")


def test_asking_before_indexing_says_what_to_do(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    parts = build_app(load_settings(data_dir=tmp_path), embedder=embedder)
    with pytest.raises(IndexNotReadyError, match="wikibot index"):
        parts.engine.ask("How many vacation days?")
    parts.store.client.close()


def test_restricted_chunks_are_never_retrieved(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    parts = build_app(load_settings(data_dir=tmp_path), embedder=embedder)
    index_now(parts, [FolderConnector(DEMO)])
    store = parts.store
    points, _ = store.client.scroll("wikibot", limit=500, with_payload=["source"])
    secret = [p.id for p in points if (p.payload or {}).get("source") == "time-off/vacation.md"]
    store.client.set_payload("wikibot", {"acl_public": False}, points=secret)
    store.invalidate()
    answer = parts.engine.ask("How many vacation days do I get per year?")
    assert "time-off/vacation.md" not in {c.source for c in answer.retrieved}
    store.client.close()


@pytest.mark.parametrize("mode", ["hybrid", "sparse"])
def test_other_retrieval_modes_work(components: App, mode: str) -> None:
    from bot.answer.retrieval import QdrantRetriever

    settings = components.settings.retrieval.model_copy(update={"mode": mode})
    retriever = QdrantRetriever(store=components.store, settings=settings)
    question = "Can I carry over unused vacation days?"
    embedding = components.embedder.get_query_embedding(question)
    chunks = retriever.retrieve(question, embedding)
    assert chunks[0].source == "time-off/vacation.md"
    assert len(chunks) == settings.top_k


def test_asking_an_index_built_by_another_model_fails_clearly(
    components: App,
) -> None:
    from types import SimpleNamespace

    from bot.answer.retrieval import QdrantRetriever
    from indexing.store import EmbedderMismatchError, QdrantIndexStore

    other = SimpleNamespace(model_name="another-model", dimension=384)
    store = QdrantIndexStore(components.store.client, alias="wikibot", embedder=lambda: other)
    retriever = QdrantRetriever(store=store, settings=components.settings.retrieval)
    with pytest.raises(EmbedderMismatchError, match="index --full"):
        retriever.retrieve("vacation", [0.0] * 384)


def _quoted_lines(text: str) -> list[str]:
    import re

    return [
        re.sub(r"\s*\[\d+\]$", "", line[2:]) for line in text.splitlines() if line.startswith("> ")
    ]


def _check_quotes_are_verbatim_and_cited(answer) -> None:  # type: ignore[no-untyped-def]
    if not answer.answered:
        assert not answer.citations
        return
    assert answer.citations, answer.text  # no answer without a citation
    cited = {c.doc_id for c in answer.citations}
    source_text = " ".join(" ".join(c.text.split()) for c in answer.retrieved if c.doc_id in cited)
    quotes = _quoted_lines(answer.text)
    assert quotes
    for quote in quotes:  # list items are quoted one line each; each is in the text
        assert " ".join(quote.split()) in source_text, (quote, answer.question)
    assert len(cited) <= 3


QUESTIONS = [
    "How many vacation days do I get per year?",
    "When do I need a doctor's note for sick leave?",
    "How do I submit an expense report?",
    "What is the parental leave policy?",
    "What is the hotel limit per night when travelling?",
    "How do I get a new laptop?",
    "Can I work remotely from another country?",
    "hey quick question, new here - how does parental leve work?",
    "Does the company offer pet insurance?",
    "What will the weather be in Lisbon tomorrow?",
]


def test_every_answer_quotes_its_cited_documents_verbatim(components: App) -> None:
    answers = [components.engine.ask(q) for q in QUESTIONS]
    for answer in answers:
        _check_quotes_are_verbatim_and_cited(answer)
        assert answer.answerable_p is not None and 0 <= answer.answerable_p <= 1
    by_question = {a.question: a for a in answers}
    assert by_question["hey quick question, new here - how does parental leve work?"].answered
    assert not by_question["What will the weather be in Lisbon tomorrow?"].answered
    assert not by_question["Does the company offer pet insurance?"].answered


def test_quotes_are_verbatim_on_a_real_handbook(corpora: Path, tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    import json

    parts = build_app(load_settings(data_dir=tmp_path / "data"), embedder=embedder)
    corpus = corpora / "clef-handbook"
    index_now(parts, [FolderConnector(corpus)])
    rows = [json.loads(line) for line in (corpus / "qa.jsonl").read_text().splitlines() if line]
    for row in rows:
        _check_quotes_are_verbatim_and_cited(parts.engine.ask(row["question"]))
    parts.store.client.close()
