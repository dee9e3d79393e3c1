"""What a cold `wikibot ask` imports: the answer path never loads LlamaIndex (~1 s of the
5 s budget, docs/benchmarks.md), nor the HR system's HTTP client (aiohttp) or the PDF
reader (pypdf), which only an HR lookup or an index run needs; and nothing loads torch
before the embedder is built (it sets torch's OpenMP threads to sleep when idle first)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from tests.support.commands import REPO

ASK_PATH = [
    "bot.cli.main",
    "bot.terminal.ask",
    "bot.app",
    "bot.pipeline",
    "bot.personal",
    "bot.index_admin.sources",
    "bot.answer.engine",
    "bot.answer.retrieval",
    "bot.answer.extractive",
    "bot.answer.decision",
    "indexing.embedding",
    "indexing.store",
    "indexing.stored_chunks",
    "indexing.vocabulary",
]


def _loaded_after(code: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    probe = (
        f"{code}\nimport json, os, sys\n"
        "print(json.dumps({'modules': sorted({m.split('.')[0] for m in sys.modules}),"
        " 'omp': os.environ.get('OMP_WAIT_POLICY')}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    loaded: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return loaded


def test_the_answer_path_imports_none_of_what_it_does_not_use() -> None:
    loaded = _loaded_after("\n".join(f"import {module}" for module in ASK_PATH))
    for heavy in ("llama_index", "torch", "aiohttp", "pypdf"):
        assert heavy not in loaded["modules"]
    assert "qdrant_client" in loaded["modules"]  # the probe did import the answer path


def test_idle_openmp_threads_sleep_unless_the_environment_chose_otherwise() -> None:
    """(That building the embedder sets it before torch loads: test_cold_ask.py.)"""
    loaded = _loaded_after("import indexing.embedding as e\ne._passive_openmp()")
    assert loaded["omp"] == "PASSIVE"
    kept = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, indexing.embedding as e; e._passive_openmp(); "
            "print(os.environ['OMP_WAIT_POLICY'])",
        ],
        cwd=REPO,
        env={**os.environ, "OMP_WAIT_POLICY": "ACTIVE"},
        capture_output=True,
        text=True,
    )
    assert kept.stdout.strip() == "ACTIVE"  # an explicit choice is kept
