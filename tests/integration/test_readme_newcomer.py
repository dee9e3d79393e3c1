"""The README's "Use your own docs" section, run verbatim as a newcomer would: a fresh data
directory, a docs folder at ./handbook (here a copy of the demo handbook), the section's first
shell block through bash. The answer must cite an https:// page of the docs site."""

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


def _section_block(title: str) -> str:
    readme = (REPO / "README.md").read_text()
    section = readme.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, re.S)[0]


def test_use_your_own_docs_verbatim(tmp_path: Path) -> None:
    block = _section_block("Use your own docs")
    assert "wikibot index ./handbook" in block  # the section is about the reader's own folder
    work = tmp_path / "newcomer"
    shutil.copytree(DEMO, work / "handbook")
    env = clean_command_env(tmp_path)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        ["bash", "-e", "-c", block],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "https://handbook.example.com/time-off/vacation#" in done.stdout, done.stdout
    assert "file://" not in done.stdout
    assert re.search(r"(?m)^handbook\s+folder\s+24\s", done.stdout), done.stdout  # `sources`
