"""The helper-written training questions (bench/training_questions/<corpus>.jsonl; how they
were written: PROMPT.md there): loading them as qa.jsonl-shaped rows, and checking them.

    python -m bench.training_set [CORPUS ...]     # check (all corpora when none named)

Training data only: bench.generalization fits on them, never scores on them, and a fold
never trains on its held-out handbook's questions.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from bench.common import CORPORA

QUESTIONS = Path(__file__).with_name("training_questions")


def _normal(text: str) -> str:
    """Whitespace and markdown emphasis folded, for the verbatim check."""
    return " ".join(re.sub(r"[*_`]", "", text).split()).lower()


def problems(corpus: str, *, questions: Path = QUESTIONS, corpora: Path = CORPORA) -> list[str]:
    """What is wrong with a corpus's training file: unreadable lines, missing fields, a
    source that does not exist, evidence not found verbatim on its page, duplicates."""
    path = questions / f"{corpus}.jsonl"
    folder = corpora / corpus.split(".")[0]  # "<corpus>.part2": a second writer's file
    found: list[str] = []
    seen: set[str] = set()
    pages: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            row = json.loads(line)
        except ValueError as exc:
            found.append(f"{where}: not JSON ({exc})")
            continue
        if not isinstance(row, dict):
            found.append(f"{where}: not a JSON object")
            continue
        question = str(row.get("question", "")).strip()
        if not question:
            found.append(f"{where}: no question")
            continue
        key = _normal(question)
        if key in seen:
            found.append(f"{where}: duplicate question")
        seen.add(key)
        answerable = row.get("answerable")
        if not isinstance(answerable, bool):
            found.append(f"{where}: 'answerable' must be true or false")
            continue
        page = row.get("source") if answerable else row.get("near")
        if not isinstance(page, str) or not (folder / page).is_file():
            found.append(f"{where}: no such page {page!r}")
            continue
        if answerable:
            if page not in pages:
                text = (folder / page).read_text(encoding="utf-8", errors="replace")
                pages[page] = _normal(text)
            evidence = _normal(str(row.get("evidence", "")))
            if len(evidence) < 10 or evidence not in pages[page]:
                found.append(f"{where}: evidence not verbatim on {page}")
    return found


def load(
    corpus: str, *, questions: Path = QUESTIONS, corpora: Path = CORPORA
) -> list[dict[str, Any]]:
    """The corpus's training questions as qa.jsonl rows ([] when it has none); rows the
    check rejects are left out."""
    path = questions / f"{corpus}.jsonl"
    if not path.is_file():
        return []
    bad = {int(p.split(":")[1]) for p in problems(corpus, questions=questions, corpora=corpora)}
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and number not in bad:
            row = json.loads(line)
            answerable = bool(row.get("answerable"))
            rows.append(
                {
                    "id": f"train-{corpus}-{number}",
                    "question": row["question"],
                    "sources": [row["source"]] if answerable else [],
                    "answerable": answerable,
                }
            )
    return rows


def main() -> None:
    names = sys.argv[1:] or sorted(p.stem for p in QUESTIONS.glob("*.jsonl"))
    failed = False
    for name in names:
        found = problems(name)
        rows = load(name)
        answerable = sum(r["answerable"] for r in rows)
        print(
            f"{name}: {len(rows)} usable ({answerable} answerable, "
            f"{len(rows) - answerable} near-miss), {len(found)} problems"
        )
        for problem in found:
            print("  " + problem)
        failed = failed or bool(found)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
