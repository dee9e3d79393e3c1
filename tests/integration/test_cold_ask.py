"""A cold `wikibot ask` (a new process on an indexed handbook): the same cited answer, read
without ever importing LlamaIndex (nor aiohttp or pypdf, which it does not use), with
torch's idle OpenMP threads sleeping (docs/benchmarks.md, "Cold ask without LlamaIndex")."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.commands import REPO, clean_command_env

pytestmark = pytest.mark.slow

PROBE = """
import json, os, sys
import indexing.embedding as embedding
from bot.cli.main import main
set_policy, seen = embedding._passive_openmp, {}
def probe():  # OMP_WAIT_POLICY only counts when set before torch loads
    seen["torch_loaded_first"] = "torch" in sys.modules
    set_policy()
embedding._passive_openmp = probe
code = main(["ask", sys.argv[1], "--json"])
sys.stdout.flush()
print(json.dumps({
    "code": code,
    "llama_index": any(m.startswith("llama_index") for m in sys.modules),
    "aiohttp": "aiohttp" in sys.modules,
    "pypdf": "pypdf" in sys.modules,
    "torch": "torch" in sys.modules,
    "omp": os.environ.get("OMP_WAIT_POLICY"),
    "torch_loaded_first": seen.get("torch_loaded_first"),
}), file=sys.stderr)
"""


def test_a_cold_ask_answers_without_llama_index(indexed_template: Path, tmp_path: Path) -> None:
    env = clean_command_env(tmp_path)
    env.pop("OMP_WAIT_POLICY", None)
    shutil.copytree(indexed_template, env["WIKIBOT_DATA_DIR"])
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "How many vacation days do I get per year?"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    facts = json.loads(done.stderr.strip().splitlines()[-1])
    assert facts["code"] == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["answered"] is True
    assert answer["citations"][0]["source"] == "time-off/vacation.md"
    assert facts == {
        "code": 0,
        "llama_index": False,
        "aiohttp": False,
        "pypdf": False,
        "torch": True,
        "omp": "PASSIVE",
        "torch_loaded_first": False,
    }
