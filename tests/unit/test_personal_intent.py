from __future__ import annotations

import pytest

from bot.personal import personal_fields


@pytest.mark.parametrize(
    ("question", "fields"),
    [
        ("How many vacation days do I have left?", ["vacation"]),
        ("What's my PTO balance?", ["vacation"]),
        ("how much holiday have I got remaining", ["vacation"]),
        ("Do I still have annual leave this year?", ["vacation"]),
        ("how many days off are left for me?", ["vacation"]),
        ("How many sick days do I have?", ["sick"]),
        ("who is my manager?", ["manager"]),
    ],
)
def test_questions_about_the_askers_own_data(question: str, fields: list[str]) -> None:
    assert personal_fields(question) == fields


@pytest.mark.parametrize(
    "question",
    [
        "How many vacation days do I get per year?",
        "Do unused vacation days roll over?",
        "When do I need a doctor's note for sick leave?",
        "What does a manager approve?",
        "Do I have to bring a doctor's note for sick leave?",
        "Do I still have to ask my manager before taking vacation days?",
    ],
)
def test_policy_questions_are_not_personal(question: str) -> None:
    assert personal_fields(question) == []
