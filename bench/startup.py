"""Whole-process start-up of the `wikibot` command: `--help`, `status` (must not load the
embedding model) and a cold `ask` (a new process: imports, model load, index open,
vocabulary, one answer), each run several times on the demo handbook (or ``--folder``);
medians printed as a Markdown table for docs/benchmarks.md. ``--drop-vocabulary`` removes
the vocabulary stored at index time, as an index built before it was stored (the ask then
counts the terms of every chunk itself).

    python -m bench.startup [--runs 5] [--folder PATH] [--drop-vocabulary]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import REPO

COMMANDS = {
    "wikibot --help": ["--help"],
    "wikibot status": ["status"],
    "wikibot ask (cold)": ["ask", "How many vacation days do I get per year?", "--json"],
}
TARGETS = {"wikibot --help": 1.0, "wikibot status": 2.0, "wikibot ask (cold)": 5.0}


def _wikibot() -> list[str]:
    script = shutil.which("wikibot")
    return [script] if script else ["python", "-m", "bot.cli"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--folder", type=Path, default=REPO / "demo" / "handbook")
    parser.add_argument("--drop-vocabulary", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "WIKIBOT_DATA_DIR": str(Path(tmp) / "data")}
        subprocess.run(
            [*_wikibot(), "index", str(args.folder)],
            env=env,
            check=True,
            capture_output=True,
        )
        if args.drop_vocabulary:
            _drop_vocabulary(Path(tmp) / "data")
        print("| command | median s | min s | max s | target s |")
        print("|---|---|---|---|---|")
        for label, argv in COMMANDS.items():
            seconds = []
            for _ in range(args.runs):
                started = time.perf_counter()
                subprocess.run([*_wikibot(), *argv], env=env, check=True, capture_output=True)
                seconds.append(time.perf_counter() - started)
            print(
                f"| `{label}` | {statistics.median(seconds):.2f} | {min(seconds):.2f} | "
                f"{max(seconds):.2f} | < {TARGETS[label]:.0f} |"
            )


def _drop_vocabulary(data: Path) -> None:
    from bot.config import load_settings
    from indexing.store import open_client

    settings = load_settings(data_dir=data)
    client = open_client(settings.qdrant, data)
    client.delete_collection(f"{settings.qdrant.collection}_vocabulary")
    client.close()


if __name__ == "__main__":
    main()
