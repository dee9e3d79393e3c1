"""The record of the last index run (when, by whom, outcome), for `/wikibot status`.

Kept as JSON in the data directory next to the index lock; written by `wikibot index`
and by `/wikibot reindex`, success or failure.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from indexing.pipeline import IndexSummary

logger = logging.getLogger(__name__)


def _path(data_dir: Path) -> Path:
    return data_dir / "last_index_run.json"


def record_run(data_dir: Path, *, by: str, summary: IndexSummary | None, error: str = "") -> None:
    record: dict[str, Any] = {
        "finished_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "by": by,
        "outcome": "failed" if summary is None else "ok",
        "summary": summary.line() if summary else "",
        "error": error,
    }
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = _path(data_dir).with_suffix(".tmp")
        tmp.write_text(json.dumps(record), encoding="utf-8")
        tmp.replace(_path(data_dir))
    except OSError as exc:  # status then says "unknown"; the run itself is not affected
        logger.warning("could not record the index run: %s", exc)


def last_run(data_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def describe_last_run(data_dir: Path) -> str:
    run = last_run(data_dir)
    if run is None:
        return "last index run: none recorded"
    outcome = run["summary"] if run.get("outcome") == "ok" else f"FAILED: {run.get('error')}"
    return f"last index run: {run.get('finished_at')} by {run.get('by')}: {outcome}"
