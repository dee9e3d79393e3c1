"""The helper-written training questions (bench/training_questions/<corpus>.jsonl; how they
were written: PROMPT.md there): checking them, sealing their evidence, loading them.

    python -m bench.training_set [CORPUS ...]         # check (all corpora when none named)
    python -m bench.training_set --seal CORPUS ...    # evidence text -> position and hash

A writer gives each answerable question the line of its page that answers it
(``"evidence"``); sealing replaces that text by where it is on the page and its hash
(``evidence_at``, ``evidence_chars``, ``evidence_sha1``, over the page's text with
whitespace and emphasis folded, lower case), so the repo keeps no handbook text: the
handbooks stay in ../shared. The check accepts both forms.

Training data only: bench.generalization fits on them, never scores on them, and a fold
never trains on its held-out handbook's questions.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from bench.common import CORPORA

QUESTIONS = Path(__file__).with_name("training_questions")


def normal(text: str) -> str:
    """Whitespace and markdown emphasis folded, lower case: the form evidence is checked in."""
    return " ".join(re.sub(r"[*_`]", "", text).split()).lower()


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class _Pages:
    """A corpus's pages in normal form, read once each."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._text: dict[str, str] = {}

    def exists(self, page: object) -> bool:
        return isinstance(page, str) and (self.folder / page).is_file()

    def text(self, page: str) -> str:
        if page not in self._text:
            raw = (self.folder / page).read_text(encoding="utf-8", errors="replace")
            self._text[page] = normal(raw)
        return self._text[page]


def evidence_of(row: dict[str, Any], pages: _Pages) -> str | None:
    """The evidence of an answerable row, in normal form, when it is on its page."""
    page = pages.text(row["source"])
    if "evidence" in row:
        evidence = normal(str(row["evidence"]))
        return evidence if len(evidence) >= 10 and evidence in page else None
    try:
        at, chars = int(row["evidence_at"]), int(row["evidence_chars"])
    except (KeyError, TypeError, ValueError):
        return None
    found = page[at : at + chars]
    return found if chars >= 10 and _digest(found) == row.get("evidence_sha1") else None


def _rows(path: Path) -> list[tuple[int, Any]]:
    """(line number, parsed JSON or the ValueError) of every non-empty line."""
    rows: list[tuple[int, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append((number, json.loads(line)))
            except ValueError as exc:
                rows.append((number, exc))
    return rows


def problems(corpus: str, *, questions: Path = QUESTIONS, corpora: Path = CORPORA) -> list[str]:
    """What is wrong with a corpus's training file: unreadable lines, missing fields, a
    source that does not exist, evidence not found on its page, duplicates."""
    path = questions / f"{corpus}.jsonl"
    pages = _Pages(corpora / corpus)
    found: list[str] = []
    seen: set[str] = set()
    for number, row in _rows(path):
        where = f"{path.name}:{number}"
        if isinstance(row, ValueError):
            found.append(f"{where}: not JSON ({row})")
            continue
        if not isinstance(row, dict) or not str(row.get("question", "")).strip():
            found.append(f"{where}: not a JSON object with a question")
            continue
        key = normal(str(row["question"]))
        if key in seen:
            found.append(f"{where}: duplicate question")
        seen.add(key)
        answerable = row.get("answerable")
        if not isinstance(answerable, bool):
            found.append(f"{where}: 'answerable' must be true or false")
            continue
        page = row.get("source") if answerable else row.get("near")
        if not pages.exists(page):
            found.append(f"{where}: no such page {page!r}")
        elif answerable and evidence_of(row, pages) is None:
            found.append(f"{where}: evidence not found on {page}")
    return found


def load(
    corpus: str, *, questions: Path = QUESTIONS, corpora: Path = CORPORA
) -> list[dict[str, Any]]:
    """The corpus's training questions as qa.jsonl rows ([] when it has none), the answerable
    ones with their evidence (normal form); rows the check rejects are left out."""
    path = questions / f"{corpus}.jsonl"
    if not path.is_file():
        return []
    bad = {int(p.split(":")[1]) for p in problems(corpus, questions=questions, corpora=corpora)}
    pages = _Pages(corpora / corpus)
    rows = []
    for number, row in _rows(path):
        if number in bad:
            continue
        answerable = bool(row["answerable"])
        rows.append(
            {
                "id": f"train-{corpus}-{number}",
                "question": row["question"],
                "sources": [row["source"]] if answerable else [],
                "evidence": [evidence_of(row, pages)] if answerable else [],
                "answerable": answerable,
            }
        )
    return rows


def seal(corpus: str, *, questions: Path = QUESTIONS, corpora: Path = CORPORA) -> int:
    """Replace each evidence text of a checked file by its position and hash; returns how
    many were sealed. Refuses a file with problems (nothing is written then)."""
    found = problems(corpus, questions=questions, corpora=corpora)
    if found:
        raise ValueError(f"{corpus}: {len(found)} problems; run the check first")
    path = questions / f"{corpus}.jsonl"
    pages = _Pages(corpora / corpus)
    lines, sealed = [], 0
    for _, row in _rows(path):
        if row["answerable"] and "evidence" in row:
            evidence = evidence_of(row, pages) or ""
            row = {
                "question": row["question"],
                "source": row["source"],
                "evidence_at": pages.text(row["source"]).index(evidence),
                "evidence_chars": len(evidence),
                "evidence_sha1": _digest(evidence),
                "answerable": True,
            }
            sealed += 1
        lines.append(json.dumps(row, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sealed


def main() -> None:
    args = sys.argv[1:]
    sealing = args[:1] == ["--seal"]
    names = args[1:] if sealing else args or sorted(p.stem for p in QUESTIONS.glob("*.jsonl"))
    missing = [n for n in names if not (QUESTIONS / f"{n}.jsonl").is_file()]
    if missing or (sealing and not names):
        known = ", ".join(sorted(p.stem for p in QUESTIONS.glob("*.jsonl")))
        sys.exit(f"no training file for {', '.join(missing) or '(none named)'}; known: {known}")
    if sealing:
        for name in names:
            try:
                print(f"{name}: {seal(name)} evidence lines sealed")
            except ValueError as exc:
                sys.exit(str(exc))  # nothing was written
        return
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
