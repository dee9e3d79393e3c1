"""The question log without Redis: a JSONL file in the data directory."""

from __future__ import annotations

import stat
import time
from pathlib import Path

from bot.state.question_file import FileQuestionLog


async def test_entries_survive_processes_skip_broken_lines_and_age_out(tmp_path: Path) -> None:
    path = tmp_path / "data" / "question_log.jsonl"
    first = FileQuestionLog(path, retention_days=1)
    await first.append({"id": "a", "ts": time.time(), "question": "q1"})
    await first.append({"id": "old", "ts": time.time() - 3 * 86400, "question": "q0"})
    with path.open("a") as handle:
        handle.write('{"id": "cut off by a cra')  # a crash mid-line
    second = FileQuestionLog(path, retention_days=1)  # another process, later
    await second.append({"id": "b", "ts": time.time(), "question": "q2"})
    assert [e["id"] for e in await second.entries()] == ["a", "b"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_the_file_is_compacted_to_the_newest_entries(tmp_path: Path) -> None:
    path = tmp_path / "question_log.jsonl"
    log = FileQuestionLog(path, max_entries=100)
    for i in range(201):
        await log.append({"id": str(i), "ts": time.time()})
    assert len(path.read_text().splitlines()) == 100  # rewritten at 201 lines
    entries = await log.entries()
    assert [e["id"] for e in entries] == [str(i) for i in range(101, 201)]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_an_unwritable_log_never_fails_the_answer(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    log = FileQuestionLog(blocker / "question_log.jsonl")
    await log.append({"id": "a", "ts": time.time()})  # logged as a warning, not raised
    assert await log.entries() == []
