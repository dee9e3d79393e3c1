"""Follow-ups decided by evidence: which questions may lean on the previous one, and the
engine's choice between the question alone and the question with its conversation (fakes:
hashing embedder, list retriever, coverage-only decision model)."""

from __future__ import annotations

import pytest

from bot.answer.engine import AnswerEngine
from bot.answer.extractive import ExtractiveAnswerer
from bot.answer.follow_up import CLEARLY_BETTER, Reading, boost_previous, choose, could_follow
from bot.config import AnswerSettings
from bot.models import RetrievedChunk, Turn
from tests.support.fakes import HashingEmbedder, ListRetriever, chunk, coverage_model

VACATION = "Full-time employees get 25 days of paid vacation per year."
CARRY = "Unused vacation days carry over until the end of March."
GYM = "The office gym on the second floor is open from 7 to 22; showers are next to it."
EXPENSES = "Submit expense reports within 30 days of the purchase, with the receipt attached."


def _engine() -> AnswerEngine:
    chunks = [chunk("vacation", VACATION), chunk("gym", GYM), chunk("expenses", EXPENSES)]
    chunks.append(chunk("vacation", CARRY).model_copy(update={"chunk_id": "vacation#2"}))
    retriever = ListRetriever(chunks)
    embedder = HashingEmbedder()
    writer = ExtractiveAnswerer(
        settings=AnswerSettings(),
        embed_many=embedder.embed_short,
        vocabulary=retriever.vocabulary,
        model=coverage_model(),
    )
    return AnswerEngine(retriever=retriever, embedder=embedder, writer=writer)


@pytest.mark.parametrize(
    "question",
    ["and for part-timers?", "does it roll over?", "what about bereavement leave?", "why?"],
)
def test_continuations_references_and_bare_questions_may_lean_back(question: str) -> None:
    assert could_follow(question)


@pytest.mark.parametrize(
    "question",
    ["is there a company gym?", "How do I submit an expense report?", "hotel limit abroad"],
)
def test_a_question_complete_on_its_own_never_leans_back(question: str) -> None:
    assert not could_follow(question)


def _reading(p: float, follow_up: bool) -> Reading:
    return Reading("q", "q", None, [], p, follow_up=follow_up)


def test_the_combination_wins_only_when_clearly_better() -> None:
    alone = _reading(0.5, False)
    assert choose(alone, _reading(0.5 + CLEARLY_BETTER / 2, True)) is alone
    assert choose(alone, _reading(0.5 + CLEARLY_BETTER, True)).follow_up


def test_the_previous_documents_are_boosted() -> None:
    def chunks() -> list[RetrievedChunk]:
        return [
            chunk("gym", GYM).model_copy(update={"score": 1.0}),
            chunk("vacation", VACATION).model_copy(update={"score": 0.95}),
        ]

    previous = Turn(user="u", question="q", answer="a", cited_doc_ids=["vacation"])
    assert [c.doc_id for c in boost_previous(chunks(), previous)] == ["vacation", "gym"]
    nothing_cited = Turn(user="u", question="q", answer="a")
    assert [c.doc_id for c in boost_previous(chunks(), nothing_cited)] == ["gym", "vacation"]


def test_a_thread_follow_up_then_a_new_question() -> None:
    engine = _engine()
    first = engine.ask("How many vacation days do employees get per year?")
    assert [c.doc_id for c in first.citations] == ["vacation"]
    turn = Turn(user="u", question=first.question, answer=first.text, cited_doc_ids=["vacation"])
    follow = engine.ask("and until when?", [turn])  # nothing in it names a topic
    assert follow.standalone_question.startswith(first.question)
    assert follow.citations and follow.citations[0].doc_id == "vacation"
    second = Turn(
        user="u",
        question=follow.question,
        answer=follow.text,
        cited_doc_ids=["vacation"],
        standalone=follow.standalone_question,
    )
    gym = engine.ask("is there an office gym?", [turn, second])
    assert gym.standalone_question == ""  # complete on its own: never merged
    assert [c.doc_id for c in gym.citations] == ["gym"]
    assert "vacation" not in gym.text


def test_a_follow_up_that_stands_on_its_own_is_not_merged() -> None:
    engine = _engine()
    turn = Turn(
        user="u",
        question="How many vacation days do employees get?",
        answer="...",
        cited_doc_ids=["vacation"],
    )
    answer = engine.ask("and the expense reports deadline?", [turn])
    assert answer.standalone_question == ""
    assert [c.doc_id for c in answer.citations] == ["expenses"]
