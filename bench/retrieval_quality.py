"""Retrieval and citation quality over ../shared/corpora/*/qa.jsonl, per retrieval mode.

    python bench/retrieval_quality.py [--modes hybrid,dense,sparse] [--data-dir DIR]

Indexes each corpus (incrementally, into DIR/<corpus>) and prints a Markdown table:
cited_gold = fraction of answerable questions whose gold source file is among the cited
sources; retrieved_gold = among the retrieved chunks; avg cited = distinct sources per
answered question; declined = unanswerable questions answered "not found".
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.common import CORPORA
from bot.app import build_app
from bot.config import load_settings
from bot.learning.evaluation import evaluate, load_qa
from connectors.folder import FolderConnector
from tests.support.indexing import index_now


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--modes", default="hybrid,dense,sparse")
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "wb-bench")
    args = parser.parse_args()
    print(
        "| corpus | mode | cited_gold | retrieved_gold (top 6) | avg cited sources | "
        "answered (answerable) | declined (unanswerable) | p50 ms |"
    )
    print("|---|---|---|---|---|---|---|---|")
    embedder = None
    for corpus in sorted(p for p in CORPORA.iterdir() if (p / "qa.jsonl").exists()):
        indexed = build_app(load_settings(data_dir=args.data_dir / corpus.name), embedder=embedder)
        embedder = indexed.embedder
        index_now(indexed, [FolderConnector(corpus)])
        rows = load_qa(corpus / "qa.jsonl")
        for mode in args.modes.split(","):
            settings = indexed.settings.model_copy(deep=True)
            settings.retrieval.mode = mode  # type: ignore[assignment]
            parts = build_app(settings, embedder=embedder, store=indexed.store)
            m = evaluate(parts.engine, rows).metrics()
            print(
                f"| {corpus.name} | {mode} | {m['cited_gold']:.3f} | {m['retrieved_gold']:.3f} | "
                f"{m['avg_cited_sources']:.2f} | {m['answered_rate']:.3f} | "
                f"{m['declined_unanswerable']:.2f} ({m['unanswerable']}) | "
                f"{m['latency_ms_p50']} |"
            )
        parts.store.client.close()


if __name__ == "__main__":
    main()
