"""How the `wikibot` command ends: a closed pipe, the chat's history, the documented exit
code of a configuration mistake. Real processes, nothing indexed (no model loads)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.commands import clean_command_env, wikibot_command
from tests.support.terminal import Terminal

pytestmark = pytest.mark.slow


def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path: Path) -> None:
    """`wikibot sources | head -1`, with the reader gone before the first line: the
    pipe's read end is closed before the command has started writing."""
    process = subprocess.Popen(
        [*wikibot_command(), "sources"],
        env=clean_command_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    process.stdout.close()
    _, stderr = process.communicate(timeout=120)
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
    assert stderr == ""
    assert process.returncode == 141  # as if killed by SIGPIPE, like other Unix tools


def test_chat_history_is_written_when_the_chat_ends(tmp_path: Path) -> None:
    env = clean_command_env(tmp_path)
    chat = Terminal([*wikibot_command(), "chat"], env)
    chat.expect("you> ")
    chat.type("/forget")
    chat.expect("Forgotten")
    chat.type("exit")
    code, shown = chat.finish()
    assert code == 0, shown
    history = Path(env["WIKIBOT_DATA_DIR"]) / "chat_history"
    assert history.read_text().splitlines()[-2:] == ["/forget", "exit"]
    assert history.stat().st_mode & 0o777 == 0o600


def test_a_broken_sources_file_exits_2_as_documented(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - type: folder\n    name: handbook\n    path: nowhere\n")
    env = clean_command_env(tmp_path, WIKIBOT_SOURCES_FILE=str(sources))
    result = subprocess.run(
        [*wikibot_command(), "sync"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2, result.stderr
    assert 'source "handbook": path:' in result.stderr and "Traceback" not in result.stderr
