"""The helper-written training questions (bench/training_set.py): the check that keeps them
honest (evidence verbatim on its page, pages that exist, no duplicates), the loader that
turns them into qa.jsonl rows, and the shipped files passing that check."""

from __future__ import annotations

import json
from pathlib import Path

from bench.training_set import QUESTIONS, load, problems, seal

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
    assert rows[0]["evidence"] == ["employees get 25 days of paid vacation per year."]


def test_sealing_keeps_where_the_evidence_is_not_its_text(tmp_path: Path) -> None:
    evidence = "Employees get 25 days of paid vacation per year."
    corpora, questions = _corpus(
        tmp_path,
        [
            {
                "question": "vacation?",
                "source": "hr/leave.md",
                "evidence": evidence,
                "answerable": True,
            },
            {"question": "sell vacation?", "near": "hr/leave.md", "answerable": False},
        ],
    )
    assert seal("demo", questions=questions, corpora=corpora) == 1
    text = (questions / "demo.jsonl").read_text(encoding="utf-8")
    assert "25 days" not in text and "evidence_sha1" in text
    assert problems("demo", questions=questions, corpora=corpora) == []
    (row,) = [r for r in load("demo", questions=questions, corpora=corpora) if r["answerable"]]
    assert row["evidence"] == [evidence.lower()]
    # the page changed under a sealed line: reported, and the line is not loaded
    (corpora / "demo" / "hr" / "leave.md").write_text(PAGE.replace("25", "30"), encoding="utf-8")
    assert any(
        "evidence not found" in p for p in problems("demo", questions=questions, corpora=corpora)
    )
    assert [r["answerable"] for r in load("demo", questions=questions, corpora=corpora)] == [False]


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
    assert any(":1: evidence not found" in p for p in found)
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
        assert '"evidence":' not in path.read_text(encoding="utf-8"), f"{path.name}: unsealed"


def test_a_fold_never_fits_on_its_held_out_handbook() -> None:
    from bench.generalization import fold_training
    from bot.answer.fitting import Record

    def record(group: str) -> Record:
        return Record(group=group, answerable=True, features={}, documents=[])

    development = [record("a"), record("b")]
    training = [record("a"), record("b"), record("c")]
    fitted_on = fold_training("b", development, training)
    assert {r.group for r in fitted_on} == {"a", "c"} and len(fitted_on) == 3
