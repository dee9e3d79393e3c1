"""The helper-written training questions (bench/training_set.py): the check that keeps them
honest (evidence verbatim on its page, pages that exist, no duplicates), the loader that
turns them into qa.jsonl rows, and the shipped files passing that check."""

from __future__ import annotations

import json
from pathlib import Path

from bench.training_set import QUESTIONS, load, problems

PAGE = "Leave policy\n\nEmployees get **25 days** of paid\nvacation per year.\n"


def _corpus(tmp_path: Path, rows: list[dict[str, object]]) -> tuple[Path, Path]:
    corpora, questions = tmp_path / "corpora", tmp_path / "questions"
    (corpora / "demo" / "hr").mkdir(parents=True)
    (corpora / "demo" / "hr" / "leave.md").write_text(PAGE, encoding="utf-8")
    questions.mkdir()
    lines = [json.dumps(r) for r in rows]
    (questions / "demo.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpora, questions


def test_good_rows_pass_and_load_as_qa_rows(tmp_path: Path) -> None:
    corpora, questions = _corpus(
        tmp_path,
        [
            {
                "question": "how much vacation do I get?",
                "source": "hr/leave.md",
                "evidence": "Employees get 25 days of paid vacation per year.",
                "answerable": True,
            },
            {"question": "can I sell unused vacation?", "near": "hr/leave.md", "answerable": False},
        ],
    )
    assert problems("demo", questions=questions, corpora=corpora) == []
    rows = load("demo", questions=questions, corpora=corpora)
    assert [(r["sources"], r["answerable"]) for r in rows] == [(["hr/leave.md"], True), ([], False)]


def test_evidence_not_on_the_page_a_missing_page_and_duplicates_are_reported(
    tmp_path: Path,
) -> None:
    corpora, questions = _corpus(
        tmp_path,
        [
            {
                "question": "how much vacation do I get?",
                "source": "hr/leave.md",
                "evidence": "Employees get 30 days of paid vacation per year.",  # not verbatim
                "answerable": True,
            },
            {
                "question": "How much  vacation do I get?",
                "near": "hr/leave.md",
                "answerable": False,
            },
            {"question": "is there a gym?", "near": "hr/gym.md", "answerable": False},
            {"question": "parking?", "near": "hr/leave.md", "answerable": "no"},
            "not an object",
            {"question": "is parking free?", "near": "hr/leave.md", "answerable": False},
        ],
    )
    found = problems("demo", questions=questions, corpora=corpora)
    assert any(":1: evidence not verbatim" in p for p in found)
    assert any(":2: duplicate question" in p for p in found)
    assert any(":3: no such page" in p for p in found)
    assert any(":4: 'answerable' must be" in p for p in found)
    assert any(":5:" in p for p in found)
    kept = load("demo", questions=questions, corpora=corpora)
    assert [r["question"] for r in kept] == ["is parking free?"]  # the one good line


def test_the_shipped_training_questions_pass_the_check(corpora: Path) -> None:
    files = sorted(QUESTIONS.glob("*.jsonl"))
    assert len(files) == 7
    for path in files:
        assert problems(path.stem, corpora=corpora) == [], path.name
