"""The README as a newcomer follows it, verbatim and in order, in one fresh data directory:
the set-up command's demo part (index the demo, ask, a terminal chat), then the first shell
block of "Use your own docs" on a docs folder at ./handbook. The own docs here are the demo
handbook with one figure changed (27 vacation days instead of 25), so the answer shows which
documents it came from: it must cite the docs site's pages and quote the new figure, never the
demo's file:// pages or its 25 days."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.commands import DEMO, REPO, clean_command_env

pytestmark = pytest.mark.slow


def _blocks(title: str) -> list[str]:
    readme = (REPO / "README.md").read_text()
    section = readme.split(f"\n## {title}", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, re.S)


def _demo_part() -> str:
    """The set-up command from its first `wikibot` on (the venv and pip steps before it are
    this test run's own environment)."""
    first = _blocks("Set-up")[0]
    return first[first.index("wikibot index demo/handbook") :]


def _bash(script: str, cwd: Path, env: dict[str, str], stdin: str = "") -> str:
    done = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_demo_then_own_docs_verbatim(tmp_path: Path) -> None:
    work = tmp_path / "newcomer"
    shutil.copytree(DEMO, work / "demo" / "handbook")
    own = work / "handbook"
    shutil.copytree(DEMO, own)
    vacation = own / "time-off" / "vacation.md"
    vacation.write_text(vacation.read_text().replace("25 days", "27 days"))
    env = clean_command_env(tmp_path)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"

    demo = _bash(_demo_part(), work, env, stdin="Is there a company gym?\n")
    assert "25 days of paid vacation" in demo and "file://" in demo  # the demo answered

    block = _blocks("Use your own docs")[0]
    assert "wikibot index ./handbook" in block  # the section is about the reader's own folder
    own_docs = _bash(block, work, env)
    assert "27 days" in own_docs and "25 days" not in own_docs, own_docs
    assert "https://handbook.example.com/time-off/vacation#" in own_docs, own_docs
    assert "file://" not in own_docs and "demo/handbook" not in own_docs
    assert re.search(r"(?m)^handbook\s+folder\s+24\s", own_docs), own_docs  # `sources`
    assert not re.search(r"(?m)^demo\s", own_docs)  # the demo is gone from the list
