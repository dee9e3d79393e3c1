"""Leave-one-corpus-out evaluation of the answer decisions, and the fit of the shipped model.

    python -m bench.generalization [--mode hybrid|dense] [--write-model] [--data-dir DIR]
                                   [--regather] [--no-latency] [--with-training]

Every development handbook in ../shared/corpora (with a qa.jsonl) is indexed (incrementally,
into DIR/<corpus>); each question's evidence is gathered once through the real retriever and
answer writer and cached in DIR/records-<mode>.json (``--regather`` after changing retrieval
or evidence code). Then, per fold, the decision model (bot/answer/decision.py) is fitted on
the other corpora and scored on the held-out one (a fold never trains on its test handbook):

* strict cited-gold: answerable questions answered with a citation of a gold source;
* gold shown: ... or with a gold page among the related ones (of "not sure", or an
  answer's "see also");
* unanswerable answered: unanswerable questions answered with quotes;
* neither: answerable questions with neither an answer nor a gold page among related;
* sources per answer, and warm answer latency p50/p95 (``engine.ask`` per question, after
  one warm-up, with the shipped model).

``--write-model`` fits on all corpora and writes the shipped bot/answer/decision_model.json.

``--with-training`` also fits each fold on the helper-written training questions of its
training handbooks (bench/training_questions; cached in DIR/train-records-<mode>-<hash of
the files>.json), never on the held-out handbook's, and never scores on them. (Measured:
it lowers strict cited-gold; the shipped model is fitted on the development sets only.
docs/benchmarks.md.)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from bench import training_set
from bench.common import CORPORA
from bot.answer.decision import SHIPPED_MODEL
from bot.answer.fitting import Record, fit, score
from bot.app import App, build_app
from bot.config import load_settings
from bot.learning.evaluation import gather_records, load_qa
from connectors.folder import FolderConnector
from tests.support.indexing import index_now

COLUMNS = (
    "| held-out corpus | questions | strict cited-gold | gold shown | unanswerable answered "
    "| answerable with neither | sources per answer | see also per answer | p50 ms | p95 ms |"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", default="hybrid", choices=["hybrid", "dense", "sparse"])
    parser.add_argument("--write-model", action="store_true")
    parser.add_argument("--regather", action="store_true")
    parser.add_argument("--no-latency", action="store_true")
    parser.add_argument("--with-training", action="store_true")
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "wb-gen")
    args = parser.parse_args()
    corpora = sorted(p for p in CORPORA.iterdir() if (p / "qa.jsonl").exists())
    names = [c.name for c in corpora]
    cache = args.data_dir / f"records-{args.mode}.json"
    built: dict[str, App] = {}
    if args.regather or not cache.is_file():
        records = []
        for corpus in corpora:
            parts = _built(corpus, args, built)
            records += gather_records(parts.engine, load_qa(corpus / "qa.jsonl"), corpus.name)
        _save(cache, records)
    records = _load(cache)
    extra: list[Record] = []
    if args.with_training:
        extra = _training_records(corpora, args, built)
    latency: dict[str, tuple[float, float]] = {}
    if not args.no_latency:
        for corpus in corpora:
            latency[corpus.name] = _latency(_built(corpus, args, built), corpus)
    print(f"retrieval: {args.mode}; {len(records)} questions; {len(names)} folds\n")
    print(COLUMNS)
    print("|---" * 10 + "|")
    folds = []
    for held in names:
        model = fit(fold_training(held, records, extra), groups=[n for n in names if n != held])
        m = score(model, [r for r in records if r.group == held])
        m["p50"], m["p95"] = latency.get(held, (0.0, 0.0))
        folds.append(m)
        print(_row(held, m))
    mean = {k: statistics.fmean(f[k] for f in folds) for k in folds[0]}
    print(_row("**mean**", mean))
    print(f"lowest fold strict cited-gold: {min(f['cited_gold'] for f in folds):.2f}")
    if args.write_model:
        model = fit(records + extra, groups=names)
        model.save(SHIPPED_MODEL)
        print(f"\nwrote {SHIPPED_MODEL} (fitted on {', '.join(names)})")
        print("in-sample (all corpora, for reference only):", _row("all", score(model, records)))
    for parts in built.values():
        parts.store.client.close()


def _built(corpus: Path, args: argparse.Namespace, built: dict[str, App]) -> App:
    """The corpus's app, indexed (incrementally) on first use; one loaded model for all."""
    if corpus.name not in built:
        settings = load_settings(data_dir=args.data_dir / corpus.name)
        settings.retrieval.mode = args.mode
        embedder = next(iter(built.values())).embedder if built else None
        parts = build_app(settings, embedder=embedder)
        index_now(parts, [FolderConnector(corpus)])
        built[corpus.name] = parts
    return built[corpus.name]


def fold_training(held: str, records: list[Record], extra: list[Record]) -> list[Record]:
    """What a fold fits on: the development questions and the training questions of every
    handbook but the held-out one (scoring uses only the held-out development questions)."""
    return [r for r in records + extra if r.group != held]


def _training_records(
    corpora: list[Path], args: argparse.Namespace, built: dict[str, App]
) -> list[Record]:
    files = sorted(training_set.QUESTIONS.glob("*.jsonl"))
    version = hashlib.sha1(b"".join(f.read_bytes() for f in files)).hexdigest()[:12]
    cache = args.data_dir / f"train-records-{args.mode}-{version}.json"  # new files: regather
    if args.regather or not cache.is_file():
        records = []
        for corpus in corpora:
            rows = training_set.load(corpus.name)
            records += gather_records(_built(corpus, args, built).engine, rows, corpus.name)
        _save(cache, records)
    return _load(cache)


def _latency(parts: App, corpus: Path) -> tuple[float, float]:
    rows = load_qa(corpus / "qa.jsonl")
    parts.engine.ask(rows[0]["question"])  # warm-up: model, index, vocabulary
    timings = []
    for row in rows:
        started = time.perf_counter()
        parts.engine.ask(row["question"])
        timings.append((time.perf_counter() - started) * 1000)
    q = statistics.quantiles(timings, n=100, method="inclusive")
    return q[49], q[94]


def _save(path: Path, records: list[Record]) -> None:
    rows = [
        {**asdict(r), "gold": sorted(r.gold), "retrieved": sorted(r.retrieved)} for r in records
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows), encoding="utf-8")


def _load(path: Path) -> list[Record]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [
        Record(
            group=r["group"],
            answerable=r["answerable"],
            features=r["features"],
            documents=[(s, f) for s, f in r["documents"]],
            gold=set(r["gold"]),
            retrieved=set(r["retrieved"]),
        )
        for r in rows
    ]


def _row(name: str, m: dict[str, float]) -> str:
    return (
        f"| {name} | {m['questions']:.0f} | {m['cited_gold']:.2f} | {m['gold_shown']:.2f} | "
        f"{m['unanswerable_answered']:.2f} | {m['neither']:.2f} | "
        f"{m['cited_per_answer']:.2f} | {m['see_also_per_answer']:.2f} | "
        f"{m.get('p50', 0.0):.0f} | {m.get('p95', 0.0):.0f} |"
    )


if __name__ == "__main__":
    main()
