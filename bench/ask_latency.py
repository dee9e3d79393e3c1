"""Warm `wikibot ask - --json` latency over a corpus's questions, in one process.

    python bench/ask_latency.py [CORPUS_DIR] [--rounds N]   (default 18f-handbook, 5 rounds)

Indexes the corpus into a temporary data dir, starts one `wikibot ask - --json` process
(models load once), feeds it every question N times, and reports the engine's own
timings_ms.total (embed + retrieve + extractive answer) p50/p95, skipping the first
question (cold caches), plus the child's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import CORPORA, peak_rss_mb, percentile


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPORA / "18f-handbook")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    wikibot = str(Path(sys.executable).parent / "wikibot")
    questions = [
        json.loads(line)["question"]
        for line in (args.corpus / "qa.jsonl").read_text().splitlines()
        if line.strip()
    ]
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "WIKIBOT_DATA_DIR": data}
        subprocess.run(
            [wikibot, "index", str(args.corpus)], env=env, check=True, capture_output=True
        )
        stdin = "\n".join(questions * args.rounds) + "\n"
        out = subprocess.run(
            [wikibot, "ask", "-", "--json"],
            env=env,
            input=stdin,
            text=True,
            capture_output=True,
            check=True,
        ).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    totals = [r["timings_ms"]["total"] for r in rows[1:]]
    parts = {k: [r["timings_ms"][k] for r in rows[1:]] for k in ("embed", "retrieve", "answer")}
    print(f"corpus: {args.corpus.name}, {len(rows)} questions ({len(questions)} x {args.rounds})")
    print(f"total ms: p50 {percentile(totals, 50):.1f}, p95 {percentile(totals, 95):.1f}")
    for name, values in parts.items():
        print(f"  {name} ms: p50 {percentile(values, 50):.1f}, p95 {percentile(values, 95):.1f}")
    print(f"peak RSS of the ask process: {peak_rss_mb(children=True):.0f} MB")


if __name__ == "__main__":
    main()
