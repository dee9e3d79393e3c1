"""The answer engine and both writers with fakes: a hashing embedder, a list retriever, a
coverage-only decision model and a scripted LLM (no model, no index; milliseconds)."""

from __future__ import annotations

import pytest

from bot.answer.engine import AnswerEngine
from bot.answer.extractive import ExtractiveAnswerer
from bot.answer.generative import GenerativeAnswerer
from bot.config import AnswerSettings
from bot.errors import InputError
from bot.models import Turn
from tests.support.fakes import HashingEmbedder, ListRetriever, ScriptedLLM, chunk, coverage_model

VACATION = (
    "Full-time employees get 25 days of paid vacation per year. Unused vacation days "
    "carry over until the end of March."
)
EXPENSES = "Submit expense reports within 30 days of the purchase, with the receipt attached."
PARKING = "The office car park has 40 spaces; cyclists use the racks by the east door."
CHUNKS = [chunk("vacation", VACATION), chunk("expenses", EXPENSES), chunk("parking", PARKING)]


def _engine(llm: ScriptedLLM | None = None) -> AnswerEngine:
    retriever = ListRetriever(CHUNKS)
    embedder = HashingEmbedder()
    extractive = ExtractiveAnswerer(
        settings=AnswerSettings(),
        embed_many=embedder.embed_short,
        vocabulary=retriever.vocabulary,
        model=coverage_model(),
    )
    writer = extractive if llm is None else GenerativeAnswerer(llm=llm, extractive=extractive)
    return AnswerEngine(retriever=retriever, embedder=embedder, writer=writer, llm=llm)


def _normalised(text: str) -> str:
    return " ".join(text.split())


def test_extractive_quotes_and_cites_the_document_that_holds_the_answer() -> None:
    answer = _engine().ask("How many vacation days do full-time employees get per year?")
    assert answer.answered and answer.writer == "extractive"
    assert [c.doc_id for c in answer.citations] == ["vacation"]
    quotes = [line[2:].rsplit(" [", 1)[0] for line in answer.text.splitlines() if line[:2] == "> "]
    assert quotes and all(_normalised(q) in _normalised(VACATION) for q in quotes)
    assert answer.answerable_p is not None and answer.answerable_p > 0.5


def test_extractive_declines_what_no_document_covers() -> None:
    answer = _engine().ask("Does the company offer pet insurance?")
    assert not answer.answered and answer.citations == []
    assert answer.answerable_p is not None and answer.answerable_p < 0.5
    assert answer.retrieved  # the closest documents are still there to show


def test_generative_answer_cites_what_the_llm_cited() -> None:
    llm = ScriptedLLM("Full-time employees get 25 days of paid vacation a year [1].")
    tokens: list[str] = []
    answer = _engine(llm).ask(
        "How many vacation days do full-time employees get per year?", on_token=tokens.append
    )
    assert answer.writer == "llm" and answer.answered
    assert [c.doc_id for c in answer.citations] == ["vacation"]
    assert "".join(tokens).strip().startswith("Full-time employees")
    assert len(llm.calls) == 1 and VACATION[:40] in str(llm.calls[0])


def test_a_failing_llm_still_returns_the_sources() -> None:
    answer = _engine(ScriptedLLM(fail=True)).ask(
        "How many vacation days do full-time employees get per year?"
    )
    assert answer.writer != "llm" and answer.answered
    assert [c.doc_id for c in answer.citations] == ["vacation"]


def test_the_llm_is_not_asked_when_the_documents_do_not_answer() -> None:
    llm = ScriptedLLM("Yes, pets are covered [1].")
    answer = _engine(llm).ask("Does the company offer pet insurance?")
    assert not answer.answered and answer.citations == [] and llm.calls == []


def test_an_empty_question_is_an_input_error() -> None:
    with pytest.raises(InputError, match="empty"):
        _engine().ask("   ")


def test_a_follow_up_is_searched_with_the_earlier_question() -> None:
    earlier = Turn(user="u", question="How do I submit expense reports?", answer="...", at=0.0)
    engine = _engine()
    assert "expense" in engine.standalone("and the deadline?", [earlier])
    answer = engine.ask("and the deadline?", [earlier])
    assert [c.doc_id for c in answer.citations] == ["expenses"]
    assert answer.standalone_question == "How do I submit expense reports? and the deadline?"
