"""Issue 27, findings 12 and 13, with the real `wikibot` command: after `wikibot index` under
umask 022, with a question log an older version left 0644 in a 0755 data dir, every
directory under the data dir is 0700 and every file 0600 (the embedded index holds
restricted text); `wikibot report` shows what people typed with its control characters
escaped, in text and in HTML."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.commands import DEMO, clean_command_env, wikibot_command

ESCAPE = "\x1b[31mred\x1b]0;owned\x07\u202eevil\x9b"


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*wikibot_command(), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=lambda: os.umask(0o022),  # a usual login umask: files 0644, dirs 0755
    )


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = clean_command_env(tmp_path_factory.mktemp("private"))
    data = Path(env["WIKIBOT_DATA_DIR"])
    data.mkdir()
    data.chmod(0o755)
    log = data / "question_log.jsonl"
    now = time.time()
    entries = [
        {"kind": "answer", "id": "a1", "ts": now, "platform": "slack", "user": "h1",
         "question": f"Why {ESCAPE}?", "answer": "x", "answered": False, "writer": "x",
         "model": "x", "latency_ms": 1, "retrieved": [], "cited_doc_ids": [],
         "cited_chunk_ids": []},
        {"kind": "vote", "id": "a1", "ts": now, "platform": "slack", "user": "h2",
         "vote": "down", "reason": f"bad {ESCAPE}\nforged line"},
    ]
    log.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    log.chmod(0o644)
    done = run(["index", str(DEMO), "--name", "demo"], env)
    assert done.returncode == 0, done.stderr
    return env


def test_everything_in_the_data_dir_is_private_after_index(indexed: dict[str, str]) -> None:
    data = Path(indexed["WIKIBOT_DATA_DIR"])
    modes = {str(p.relative_to(data)): stat.S_IMODE(p.lstat().st_mode) for p in data.rglob("*")}
    assert any(name.startswith("qdrant/collection/") for name in modes)  # the index is there
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    wrong = {
        name: oct(mode)
        for name, mode in modes.items()
        if mode != (0o700 if (data / name).is_dir() else 0o600)
    }
    assert wrong == {}
    assert modes["question_log.jsonl"] == 0o600


def test_report_escapes_control_characters(indexed: dict[str, str], tmp_path: Path) -> None:
    done = run(["report"], indexed)
    assert done.returncode == 0, done.stderr
    assert "\\x1b[31mred\\x1b]0;owned\\x07\\u202eevil\\x9b" in done.stdout
    assert "bad \\x1b[31mred" in done.stdout and "\\x0aforged line" in done.stdout
    assert not any(c in done.stdout for c in "\x1b\x07\x9b\u202e")
    assert "\nforged line" not in done.stdout
    page = tmp_path / "report.html"
    done = run(["report", "--html", str(page)], indexed)
    assert done.returncode == 0, done.stderr
    html = page.read_text(encoding="utf-8")
    assert "bad \\x1b[31mred" in html and not any(c in html for c in "\x1b\x07\x9b\u202e")
