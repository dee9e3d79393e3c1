"""Fine-tuning data from the question log: 👍 answers in the OpenAI chat format, optionally
retrieval-augmented (RAFT: the cited chunks plus distractor chunks in the user turn, so a
model learns to answer from context and ignore what does not help).

De-duplicated by normalised question (the latest liked answer wins), PII scrubbed (emails,
phone numbers, chat mentions, long digit runs), split deterministically into train and
validation, and every line checked by :func:`validate_chat_lines`.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

SYSTEM = (
    "You answer staff questions from the company handbook and HR documents. Answer only "
    "from the documents you are given, cite them as [n], and say so when they do not hold "
    "the answer."
)
MIN_RECOMMENDED = 50
_PII = [
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
    (re.compile(r"<@[UW][A-Z0-9]+>|\b[UW][A-Z0-9]{8,}\b"), "[user]"),
    (re.compile(r"(?<!\w)\+?\d[\d ()/-]{7,}\d(?!\w)"), "[number]"),
    (re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}\b"), "[iban]"),
]
ROLES = ("system", "user", "assistant")

ChunkLookup = Callable[[list[str]], dict[str, dict[str, str]]]  # chunk ids -> title/text


def _replace(replacement: str) -> Callable[[re.Match[str]], str]:
    def sub(match: re.Match[str]) -> str:
        if replacement == "[number]" and sum(ch.isdigit() for ch in match.group()) < 9:
            return match.group()  # dates, amounts and short codes stay
        return replacement

    return sub


def scrub(text: str) -> str:
    for pattern, replacement in _PII:
        text = pattern.sub(_replace(replacement), text)
    return text


def has_pii(text: str) -> bool:
    return scrub(text) != text


def _norm(question: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", question.lower()).split())


@dataclass
class FinetuneExport:
    train: list[dict[str, Any]]
    validation: list[dict[str, Any]]
    skipped: dict[str, int]

    @property
    def total(self) -> int:
        return len(self.train) + len(self.validation)


def liked_answers(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Answer entries whose latest vote is 👍, one per normalised question (latest wins)."""
    entries = list(entries)
    votes: dict[str, str] = {}
    for entry in entries:
        if entry.get("kind") == "vote":
            votes[entry["id"]] = entry["vote"]
    chosen: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if (
            entry.get("kind") == "answer"
            and entry.get("answered")
            and votes.get(entry["id"]) == "up"
        ):
            chosen[_norm(entry["question"])] = entry
    return list(chosen.values())


def build_export(
    entries: Iterable[dict[str, Any]],
    *,
    chunks: ChunkLookup,
    raft: bool = False,
    distractors: int = 2,
    validation_share: float = 0.1,
) -> FinetuneExport:
    """Examples from liked answers. Training data reaches everyone who uses the tuned model,
    so an example is kept only when EVERY chunk it cited or retrieved is still in the index
    and public (``chunks`` returns public chunks only); anything else is skipped and counted
    (fail closed: a chunk re-indexed away may have been restricted)."""
    liked = liked_answers(entries)
    skipped = {"not_public_or_gone": 0, "no_distractor": 0}
    examples: list[tuple[str, dict[str, Any]]] = []
    for entry in liked:
        question = scrub(entry["question"])
        user = question
        cited = list(dict.fromkeys(entry.get("cited_chunk_ids") or []))
        others = [
            str(r.get("chunk_id", ""))
            for r in entry.get("retrieved", [])
            if r.get("chunk_id") not in cited
        ]
        found = chunks(cited + others) if cited else {}
        if not cited or any(c not in found for c in [*cited, *others]):
            skipped["not_public_or_gone"] += 1
            continue
        if raft:
            gold = cited
            noise = others[:distractors]
            if not noise:
                skipped["no_distractor"] += 1
                continue
            order = gold + noise
            random.Random(entry["id"]).shuffle(order)  # the gold chunk is not always first
            documents = "\n\n".join(
                f"[{n}] {found[c]['title']}\n{scrub(found[c]['text'])}"
                for n, c in enumerate(order, 1)
            )
            user = f"Documents:\n\n{documents}\n\nQuestion: {question}"
        example = {
            "messages": [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": user},
                {"role": "assistant", "content": scrub(entry["answer"])},
            ]
        }
        examples.append((_norm(entry["question"]), example))
    train: list[dict[str, Any]] = []
    validation: list[dict[str, Any]] = []
    for key, example in examples:
        bucket = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        (validation if bucket < validation_share else train).append(example)
    if len(examples) >= 10 and not validation:  # always something to validate against
        validation.append(train.pop())
    return FinetuneExport(train=train, validation=validation, skipped=skipped)


def validate_chat_lines(lines: Iterable[str]) -> list[str]:
    """Problems with a chat fine-tuning JSONL file, one per line that breaks a rule."""
    problems = []
    for number, line in enumerate(lines, start=1):
        try:
            data = json.loads(line)
        except ValueError:
            problems.append(f"line {number}: not JSON")
            continue
        messages = data.get("messages") if isinstance(data, dict) else None
        if not isinstance(messages, list) or not messages:
            problems.append(f"line {number}: no messages list")
            continue
        roles = [m.get("role") if isinstance(m, dict) else None for m in messages]
        if tuple(roles) != ROLES:
            problems.append(f"line {number}: roles {roles}, expected system, user, assistant")
        for m in messages:
            content = m.get("content") if isinstance(m, dict) else None
            if not isinstance(content, str) or not content.strip():
                problems.append(f"line {number}: an empty {m.get('role')} message")
            elif has_pii(content):
                problems.append(f"line {number}: personal data in a {m.get('role')} message")
    return problems
