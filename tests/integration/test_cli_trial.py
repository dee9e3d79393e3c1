"""A trial user's terminal: questions asked with `ask` and `chat` feed `report` without Redis,
Redis being down is one line, and Ctrl-C leaves `chat` at once. Real processes."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.commands import DEMO, clean_command_env, wikibot_command
from tests.support.redis_server import free_port

pytestmark = pytest.mark.slow


def run(args: list[str], env: dict[str, str], stdin: str | None = None):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [*wikibot_command(), *args], env=env, input=stdin, capture_output=True, text=True,
        timeout=300,
    )


def test_ask_and_chat_feed_the_report_without_redis(tmp_path: Path) -> None:
    env = clean_command_env(tmp_path)
    assert run(["index", str(DEMO), "--name", "demo"], env).returncode == 0
    nothing = run(["report"], env)
    assert nothing.returncode != 0 and "no questions logged yet" in nothing.stderr

    assert run(["ask", "How many vacation days do I get per year?"], env).returncode == 0
    assert run(["ask", "Is there a company yacht?"], env).returncode == 0
    chat = run(["chat"], env, stdin="Do we have a company submarine?\nexit\n")
    assert chat.returncode == 0

    log = Path(env["WIKIBOT_DATA_DIR"]) / "question_log.jsonl"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    report = run(["report"], env)
    assert report.returncode == 0, report.stderr
    assert "3 questions" in report.stdout
    assert "Is there a company yacht?" in report.stdout
    assert "Do we have a company submarine?" in report.stdout
    exported = run(["feedback", "export"], env)
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert {r["question"]: r["why"] for r in rows} == {
        "Is there a company yacht?": "not found",
        "Do we have a company submarine?": "not found",
    }


def test_learning_commands_with_redis_down_are_one_line(tmp_path: Path) -> None:
    env = clean_command_env(tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    for command in (["report"], ["feedback", "export"], ["finetune", "export"]):
        done = run(command, env)
        assert done.returncode == 1, command
        assert "Traceback" not in done.stderr
        errors = [line for line in done.stderr.splitlines() if line.startswith("wikibot:")]
        assert errors == [
            f"wikibot: cannot read the question log: Redis at {env['REDIS_URL']} is unreachable "
            "(REDIS_URL)"
        ], done.stderr


def test_ctrl_c_leaves_chat_at_once(tmp_path: Path) -> None:
    env = clean_command_env(tmp_path)
    process = subprocess.Popen(
        [*wikibot_command(), "chat"],
        env=env,
        stdin=subprocess.PIPE,  # kept open: chat waits at its prompt
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert "wikibot chat" in process.stdout.readline()
        time.sleep(0.5)
        started = time.monotonic()
        os.kill(process.pid, signal.SIGINT)
        code = process.wait(10)
        assert time.monotonic() - started < 5
        assert code == 0, process.stderr.read() if process.stderr else ""
    finally:
        if process.poll() is None:
            process.kill()
