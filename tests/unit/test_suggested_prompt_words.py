"""What a logged question may carry into everyone's assistant pane (bot/suggested_questions.py
:shareable): plain words found in the public documents, nothing else; and reads of the index
kept per index generation (indexing/index_generation.py)."""

from __future__ import annotations

import pytest

from bot.suggested_questions import shareable
from indexing.index_generation import PerIndexGeneration
from indexing.index_reads import vocabulary_words

PUBLIC_TEXT = (
    "Reset your Okta password yourself at login.brightwater.example. Everyone gets 25 "
    "vacation days per year. Multi-factor authentication is required. Contact the help "
    "desk or IT at it-help@brightwater.example; see the company's policy."
)
VOCABULARY = frozenset(vocabulary_words(PUBLIC_TEXT))


@pytest.mark.parametrize(
    "question",
    [
        "How many vacation days do I get per year?",
        "how do I reset my Okta password",
        "Is multi-factor authentication required?",
        "What's the company's policy on vacation days?",
        "Who do I contact at the help desk, IT?",
    ],
)
def test_plain_questions_in_public_words_are_shareable(question: str) -> None:
    assert shareable(question, VOCABULARY)


@pytest.mark.parametrize(
    "question",
    [
        # links and addresses, even built only of public words
        "How do I reset my password at https://login.brightwater.example/reset?",
        "How do I reset my password at login.brightwater.example?",
        "Reset your password at login-brightwater.example",
        "Contact it-help@brightwater.example to reset your password?",
        "Reset your password <https://evil.example|at the help desk>",
        # mentions and formatting
        "<@U012ABCDEF> how do I reset my password?",
        "@here how do I reset my password?",
        "<!channel> reset your password",
        "Ask in #it-help about your password",
        "*Reset* your password",
        "`reset` your password",
        # a word the public documents do not hold (a confidential name)
        "How many vacation days do Zyntrax staff get?",
        "Does the Zyntrax acquisition change our vacation days?",
        # look-alikes and invisible characters
        "How do I reset my Okta раssword?",  # Cyrillic а and р
        "How do I reset my pass\u200bword?",
        "How do I reset my password?\u202e",
        "Ｒeset your password",  # a full-width letter
        # too long to be a question anyone asks
        " ".join(["password"] * 21),
    ],
)
def test_anything_else_is_not(question: str) -> None:
    assert not shareable(question, VOCABULARY)


def test_nothing_is_shareable_from_an_empty_index() -> None:
    assert not shareable("How many vacation days do I get per year?", frozenset())


def test_a_read_is_repeated_only_when_the_generation_changes() -> None:
    reads: list[int] = []
    generation = ["collection-1", 0]

    def read() -> int:
        reads.append(1)
        return len(reads)

    cached = PerIndexGeneration(read, lambda: tuple(generation))
    assert [cached.get() for _ in range(5)] == [1] * 5
    generation[1] = 1  # a run finished
    assert [cached.get() for _ in range(5)] == [2] * 5
    assert len(reads) == 2
