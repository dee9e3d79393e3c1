"""The learning loop: a question log in a real Redis, built from real answers over the demo
index; evaluation candidates that round-trip through `wikibot eval`, a fine-tuning export
that validates (with RAFT chunks), the HTML report's charts, and the evaluation gate."""

from __future__ import annotations

import asyncio
import base64
import functools
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, build_app
from bot.config import load_settings
from bot.learning.finetune_export import build_export, has_pii, validate_chat_lines
from bot.state.log_entries import AnswerEntry, VoteEntry, hash_user
from bot.state.shared import build_shared_state
from indexing.index_reads import public_chunks
from tests.support.commands import wikibot_command

QUESTIONS = [
    "How many vacation days do I get per year?",
    "When do I need a doctor's note for sick leave?",
    "Can I carry over unused vacation days?",
    "How do I submit an expense report?",
    "What is the parental leave policy?",
    "What is the hotel limit per night?",
    "How long is probation?",
    "Who do I report a code of conduct issue to?",
    "How do I book travel?",
    "What are the core working hours?",
    "Can I work from home?",
    "How are public holidays handled?",
    "How big is the learning budget?",
    "How often do I have to change my password?",
    "When are performance reviews?",
    "Is there a company yacht?",
    "Do we have a rooftop swimming pool?",
    "Can I bring my horse to the office?",
]


@pytest.fixture
def data(indexed_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(indexed_template, target)
    return target


def _log(components: App, days: int = 1, per_day: int = 1) -> list[dict[str, Any]]:
    """Real answers over the demo index, logged as the bot logs them; 👍 for answered ones
    (one with an email in the question), 👎 for two, nothing for the rest."""
    answers = {q: components.engine.ask(q) for q in QUESTIONS}
    entries: list[dict[str, Any]] = []
    for day in range(days):
        for i in range(per_day):
            for n, answer in enumerate(answers.values()):
                answer_id = f"a{day}-{i}-{n}"
                entry = AnswerEntry.of(
                    answer,
                    answer_id=answer_id,
                    platform="slack",
                    user_hash=hash_user("slack", f"U{n}", "salt"),
                    model="",
                ).model_dump()
                assert entry["related_doc_ids"] == [c.doc_id for c in answer.related]
                assert not set(entry["related_doc_ids"]) & set(entry["cited_doc_ids"])
                entry["ts"] = 1_780_000_000 + day * 86400 + i
                if n == 0:
                    entry["question"] = "Mail jane.doe@acme.test: how many vacation days per year?"
                entries.append(entry)
                if answer.answered:
                    vote = "down" if n in (3, 4) else "up"
                    entries.append(
                        VoteEntry(id=answer_id, platform="slack", user="h", vote=vote).model_dump()
                    )
                    entries[-1]["ts"] = entry["ts"] + 5
    return entries


async def _store(redis_url: str, entries: list[dict[str, Any]]) -> None:
    settings = load_settings(redis={"url": redis_url})
    state = build_shared_state(settings.redis, settings.limits, settings.log)
    try:
        for entry in entries:
            await state.question_log.append(entry)
    finally:
        await state.close()


def _run(args: list[str], env: dict[str, str]):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [*wikibot_command(), *args], env=env, capture_output=True, text=True, timeout=300
    )


def _env(data: Path, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIKIBOT_", "REDIS_"))}
    return {**env, "WIKIBOT_DATA_DIR": str(data), "REDIS_URL": redis_url}


@pytest.mark.slow
def test_candidates_round_trip_through_eval(
    data: Path, tmp_path: Path, redis_server, embedder
) -> None:  # type: ignore[no-untyped-def]
    components = build_app(load_settings(data_dir=data), embedder=embedder)
    entries = _log(components)
    components.store.client.close()
    asyncio.run(_store(redis_server.url, entries))
    env = _env(data, redis_server.url)
    out = tmp_path / "candidates.jsonl"
    exported = _run(["feedback", "export", "--out", str(out)], env)
    assert exported.returncode == 0, exported.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    whys = {r["question"]: r["why"] for r in rows}
    assert whys["How do I submit an expense report?"] == "thumbs down"
    assert whys["Is there a company yacht?"] == "not found"
    assert all(r["needs_review"] and r["retrieved_sources"] for r in rows)
    dumped = _run(["feedback", "export", "--all"], env)  # the raw log, users hashed
    assert [json.loads(line) for line in dumped.stdout.splitlines()] == entries
    evaluated = _run(["eval", str(out), "--json"], env)
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["metrics"]["questions"] == len(rows)


@pytest.mark.slow
def test_report_html_has_charts_that_decode(
    data: Path, tmp_path: Path, redis_server, embedder
) -> None:  # type: ignore[no-untyped-def]
    from matplotlib import image

    components = build_app(load_settings(data_dir=data), embedder=embedder)
    entries = _log(components, days=10, per_day=2)  # 360 questions over 10 days
    components.store.client.close()
    asyncio.run(_store(redis_server.url, entries))
    page = tmp_path / "report.html"
    done = _run(["report", "--html", str(page)], _env(data, redis_server.url))
    assert done.returncode == 0, done.stderr
    text = page.read_text()
    assert f"{len(QUESTIONS) * 20} questions" in text and "Top unanswered questions" in text
    assert "Is there a company yacht?" in text  # a content gap, listed
    pngs = re.findall(r'src="data:image/png;base64,([^"]+)"', text)
    assert len(pngs) == 3
    for encoded in pngs:
        pixels = image.imread(io.BytesIO(base64.b64decode(encoded)), format="png")
        assert pixels.shape[0] > 100 and pixels.shape[1] > 300
    assert "<script" not in text and "http" not in text.split("<body>")[1]  # self-contained


def test_finetune_export_validates_and_raft_carries_gold_and_distractors(
    data: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    components = build_app(load_settings(data_dir=data), embedder=embedder)
    entries = _log(components, days=2)  # every liked question twice: de-duplicated
    lookup = functools.partial(public_chunks, components.store)
    plain = build_export(entries, chunks=lookup)
    liked = {e["id"] for e in entries if e.get("kind") == "vote" and e["vote"] == "up"}
    questions = {e["question"] for e in entries if e.get("id") in liked and "question" in e}
    assert plain.total == len(questions) >= 10
    assert plain.validation and plain.train  # split, both non-empty
    lines = [json.dumps(r) for r in plain.train + plain.validation]
    assert validate_chat_lines(lines) == []
    assert not any(has_pii(line) for line in lines)  # the email was scrubbed
    assert any("[email]" in line for line in lines)

    raft = build_export(entries, raft=True, chunks=lookup)
    # an answer that cited everything it retrieved has no distractor: skipped, and counted
    assert raft.total + raft.skipped["no_distractor"] == plain.total and raft.total >= 10
    cited = {
        e["question"]: e["cited_chunk_ids"]
        for e in entries
        if e.get("kind") == "answer" and e["id"] in liked
    }
    texts = lookup([c for ids in cited.values() for c in ids])
    checked = 0
    for example in raft.train + raft.validation:
        user = example["messages"][1]["content"]
        assert user.count("\n[") + user.startswith("Documents:\n\n[") >= 2  # gold + distractor
        question = user.rsplit("Question: ", 1)[1]
        gold = [texts[c]["text"] for c in cited.get(question, []) if c in texts]
        if gold:
            assert any(g[:80] in user for g in gold)  # the cited chunk is in the prompt
            checked += 1
    assert checked >= raft.total - 1  # all but the scrubbed-email question
    assert validate_chat_lines(json.dumps(r) for r in raft.train) == []
    components.store.client.close()


def test_the_validator_rejects_broken_lines() -> None:
    bad = [
        "not json",
        json.dumps({"messages": [{"role": "user", "content": "q"}]}),
        json.dumps(
            {
                "messages": [
                    {"role": "system", "content": "s"},
                    {"role": "user", "content": " "},
                    {"role": "assistant", "content": "call +49 170 1234567"},
                ]
            }
        ),
    ]
    problems = validate_chat_lines(bad)
    assert any("line 1: not JSON" in p for p in problems)
    assert any("line 2: roles" in p for p in problems)
    assert any("line 3: an empty user message" in p for p in problems)
    assert any("line 3: personal data in a assistant message" in p for p in problems)


@pytest.mark.slow
def test_eval_gate_fails_on_an_empty_index_and_passes_on_the_demo(
    data: Path, tmp_path: Path
) -> None:
    qa = tmp_path / "qa.jsonl"
    qa.write_text(
        json.dumps({"question": "How long is probation?", "sources": ["onboarding/probation.md"]})
        + "\n"
        + json.dumps({"question": "Is there a company yacht?", "sources": [], "answerable": False})
        + "\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIKIBOT_", "REDIS_"))}
    good = _run(
        ["eval", str(qa), "--min-hit", "0.9", "--min-decline", "1.0"],
        {**env, "WIKIBOT_DATA_DIR": str(data)},
    )
    assert good.returncode == 0, good.stdout + good.stderr
    empty_dir = tmp_path / "empty"
    components = build_app(load_settings(data_dir=empty_dir))
    store = components.store
    store.swap_alias(store.new_collection())  # a collection with nothing in it
    store.client.close()
    broken = _run(
        ["eval", str(qa), "--min-hit", "0.9", "--min-decline", "1.0"],
        {**env, "WIKIBOT_DATA_DIR": str(empty_dir)},
    )
    assert broken.returncode == 3, broken.stdout + broken.stderr
    assert "below the gate: retrieved_gold 0.0 < 0.9" in broken.stderr
