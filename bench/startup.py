"""Whole-process start-up of the `wikibot` command: `--help`, `status` (must not load the
embedding model) and a cold `ask` (a new process: imports, model load, index open,
vocabulary, one answer), each run several times on the demo handbook; medians printed as a
Markdown table for docs/benchmarks.md.

    python -m bench.startup [--runs 5]
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "WIKIBOT_DATA_DIR": str(Path(tmp) / "data")}
        subprocess.run(
            [*_wikibot(), "index", str(REPO / "demo" / "handbook")],
            env=env,
            check=True,
            capture_output=True,
        )
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


if __name__ == "__main__":
    main()
