"""Where the tests find things, and how they run the `wikibot` command."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "demo" / "handbook"
SHARED = Path(os.environ.get("WIKIBOT_SHARED_DIR", REPO.parent / "shared"))
CORPORA = SHARED / "corpora"


def wikibot_command() -> list[str]:
    script = Path(sys.executable).parent / "wikibot"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli.main"]


def clean_command_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WIKIBOT_", "QDRANT_", "OPENAI_", "SLACK_", "MICROSOFT_", "REDIS_"))
    }
    env["WIKIBOT_DATA_DIR"] = str(tmp_path / "data")
    env.update(extra)
    return env
