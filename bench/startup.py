"""Whole-process start-up of the `wikibot` command: `--help`, `status` (must not load the
embedding model) and a cold `ask` (a new process: imports, model load, index open,
vocabulary, one answer), each run several times on the demo handbook (or ``--folder``);
medians printed as a Markdown table for docs/benchmarks.md. ``--drop-vocabulary`` removes
the vocabulary stored at index time, as an index built before it was stored (the ask then
counts the terms of every chunk itself).

``--index DATA_DIR`` starts from a copy of an existing data dir instead of indexing (the
original is never written). ``--before TREE`` also runs another source tree (e.g.
``git archive <commit> | tar -x -C TREE``) on the same index, alternating before/after
run by run so both see the same machine load; the load average is printed too. With
``--before`` both sides run as ``python -m bot.cli`` from their own tree.

    python -m bench.startup [--runs 5] [--folder PATH | --index DATA_DIR] [--before TREE]
                            [--drop-vocabulary]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
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
    parser.add_argument("--index", type=Path, metavar="DATA_DIR", help="copy this data dir")
    parser.add_argument("--before", type=Path, metavar="TREE", help="another source tree")
    parser.add_argument("--drop-vocabulary", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        env = {**os.environ, "WIKIBOT_DATA_DIR": str(data)}
        if args.index:
            shutil.copytree(args.index, data, ignore=shutil.ignore_patterns("*.lock", "*.sock"))
        else:
            subprocess.run(
                [*_wikibot(), "index", str(args.folder)],
                env=env,
                check=True,
                capture_output=True,
            )
        if args.drop_vocabulary:
            _drop_vocabulary(data)
        trees = {"after": REPO} if args.before is None else {"before": args.before, "after": REPO}
        print(f"load average at start: {_load()}")
        print(f"| command | {' | '.join(f'{t} median s (min-max)' for t in trees)} | target s |")
        print(f"|---|{'---|' * len(trees)}---|")
        for label, argv in COMMANDS.items():
            seconds: dict[str, list[float]] = {tree: [] for tree in trees}
            for _ in range(args.runs):
                for tree, path in trees.items():  # alternate: both sides see the same load
                    seconds[tree].append(_run(argv, env, path if args.before else None))
            cells = " | ".join(
                f"{statistics.median(s):.2f} ({min(s):.2f}-{max(s):.2f})" for s in seconds.values()
            )
            print(f"| `{label}` | {cells} | < {TARGETS[label]:.0f} |")
        print(f"load average at end: {_load()}")


def _run(argv: list[str], env: dict[str, str], tree: Path | None) -> float:
    command = [sys.executable, "-m", "bot.cli"] if tree else _wikibot()
    started = time.perf_counter()
    subprocess.run([*command, *argv], env=env, cwd=tree, check=True, capture_output=True)
    return time.perf_counter() - started


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _drop_vocabulary(data: Path) -> None:
    from bot.config import load_settings
    from indexing.store import open_client

    settings = load_settings(data_dir=data)
    client = open_client(settings.qdrant, data)
    client.delete_collection(f"{settings.qdrant.collection}_vocabulary")
    client.close()


if __name__ == "__main__":
    main()
