"""Leave-one-corpus-out evaluation of the answer decisions, and the fit of the shipped model.

    python -m bench.generalization [--mode hybrid|dense] [--write-model] [--data-dir DIR]

Every development handbook in ../shared/corpora (with a qa.jsonl) is indexed (incrementally,
into DIR/<corpus>); each question's evidence is gathered once through the real retriever and
answer writer. Then, per fold, the decision model (bot/answer/decision.py) is fitted on the
other corpora and scored on the held-out one: cited-gold (answerable questions whose answer
cites a gold source), gold-in-retrieved, declined unanswerable, wrongly declined answerable,
cited sources per answer. ``--write-model`` fits on all corpora and writes the shipped
bot/answer/decision_model.json, then times warm answers with it (p50/p95 over all questions).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import CORPORA
from bot.answer.decision import SHIPPED_MODEL
from bot.answer.fitting import Record, fit, score
from bot.app import App, build_app
from bot.config import load_settings
from bot.learning.evaluation import gather_records, load_qa
from connectors.folder import FolderConnector
from tests.support.indexing import index_now


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", default="hybrid", choices=["hybrid", "dense", "sparse"])
    parser.add_argument("--write-model", action="store_true")
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "wb-gen")
    args = parser.parse_args()
    corpora = sorted(p for p in CORPORA.iterdir() if (p / "qa.jsonl").exists())
    records: list[Record] = []
    built: list[App] = []
    embedder = None
    for corpus in corpora:
        settings = load_settings(data_dir=args.data_dir / corpus.name)
        settings.retrieval.mode = args.mode  # type: ignore[assignment]
        parts = build_app(settings, embedder=embedder)  # one loaded model for all corpora
        embedder = parts.embedder
        index_now(parts, [FolderConnector(corpus)])
        records += gather_records(parts.engine, load_qa(corpus / "qa.jsonl"), corpus.name)
        built.append(parts)
    names = [c.name for c in corpora]
    print(f"retrieval: {args.mode}; {len(records)} questions\n")
    print(
        "| held-out corpus | questions | cited-gold | gold-in-retrieved | declined unanswerable "
        "| wrongly declined | cited per answer |"
    )
    print("|---|---|---|---|---|---|---|")
    folds = []
    for held in names:
        model = fit([r for r in records if r.group != held], groups=[n for n in names if n != held])
        m = score(model, [r for r in records if r.group == held])
        folds.append(m)
        print(_row(held, m))
    mean = {k: statistics.fmean(f[k] for f in folds) for k in folds[0]}
    print(_row("**mean**", mean))
    if args.write_model:
        model = fit(records, groups=names)
        model.save(SHIPPED_MODEL)
        print(f"\nwrote {SHIPPED_MODEL} (fitted on {', '.join(names)})")
        in_sample = score(model, records)
        print("in-sample (all corpora, for reference only):", _row("all", in_sample))
        timings = []
        for built_parts, corpus in zip(built, corpora, strict=True):
            # a new engine over the same index and model, with the model just written
            parts = build_app(
                built_parts.settings, embedder=built_parts.embedder, store=built_parts.store
            )
            for row in load_qa(corpus / "qa.jsonl"):
                started = time.perf_counter()
                parts.engine.ask(row["question"])
                timings.append((time.perf_counter() - started) * 1000)
        q = statistics.quantiles(timings, n=100, method="inclusive")
        print(f"warm extractive answer: p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms")
    for parts in built:
        parts.store.client.close()


def _row(name: str, m: dict[str, float]) -> str:
    return (
        f"| {name} | {m['questions']:.0f} | {m['cited_gold']:.2f} | {m['gold_in_retrieved']:.2f} | "
        f"{m['declined_unanswerable']:.2f} | {m['wrongly_declined']:.2f} | "
        f"{m['cited_per_answer']:.2f} |"
    )


if __name__ == "__main__":
    main()
