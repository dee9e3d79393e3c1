"""`wikibot eval`: retrieval and answer metrics over a qa.jsonl development set.

Per question and overall: gold source among retrieved (hit@k, k = retrieval top_k), among
cited, and shown (cited, or among the related pages: of "not sure", or an answer's "see
also"), MRR over
retrieved documents, citation precision (cited sources that are gold), answered when it
should / declined when it should, latency p50/p95.

Each line: ``{"id", "question", "answer", "sources": [paths], "answerable": bool}``.
Sources are paths relative to the indexed folder, as citations report them.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.answer.engine import AnswerEngine
from bot.answer.evidence import clean_query
from bot.answer.fitting import Record, record_of
from bot.errors import InputError


@dataclass
class EvalReport:
    rows: list[dict[str, Any]] = field(default_factory=list)

    def metrics(self) -> dict[str, Any]:
        answerable = [r for r in self.rows if r["answerable"]]
        unanswerable = [r for r in self.rows if not r["answerable"]]
        answered = [r for r in answerable if r["answered"]]
        totals = [r["timings_ms"]["total"] for r in self.rows]

        def mean(values: list[float]) -> float:
            return round(statistics.fmean(values), 3) if values else 0.0

        def pct(values: list[float], q: int) -> float:
            if len(values) < 2:
                return round(values[0], 1) if values else 0.0
            return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 1)

        return {
            "questions": len(self.rows),
            "answerable": len(answerable),
            "cited_gold": mean([r["cited_gold"] for r in answerable]),
            # cited, or among the related pages ("not sure", or an answer's "see also")
            "gold_shown": mean([r["cited_gold"] or r["related_gold"] for r in answerable]),
            "retrieved_gold": mean([r["retrieved_gold"] for r in answerable]),
            "mrr": mean([r["reciprocal_rank"] for r in answerable]),
            "citation_precision": mean([r["citation_precision"] for r in answered]),
            "answered_rate": mean([r["answered"] for r in answerable]),
            "avg_cited_sources": mean([r["cited_sources"] for r in answered]),
            "answered_without_citation": sum(
                1 for r in self.rows if r["answered"] and not r["cited_sources"]
            ),
            "unanswerable": len(unanswerable),
            "declined_unanswerable": mean([not r["answered"] for r in unanswerable]),
            "accuracy": mean([r["answered"] == r["answerable"] for r in self.rows]),
            "latency_ms_p50": pct(totals, 50),
            "latency_ms_p95": pct(totals, 95),
        }


def load_qa(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            row["question"]
        except (ValueError, KeyError) as exc:
            raise InputError(f"{path}:{number}: not a qa.jsonl row ({exc})") from exc
        rows.append(row)
    return rows


def evaluate(engine: AnswerEngine, rows: list[dict[str, Any]]) -> EvalReport:
    report = EvalReport()
    for row in rows:
        answer = engine.ask(row["question"])
        gold = set(row.get("sources") or [])
        cited = {c.source for c in answer.citations}
        ranked = list(dict.fromkeys(c.source for c in answer.retrieved))
        retrieved = set(ranked)
        rank = next((i for i, source in enumerate(ranked, 1) if source in gold), 0)
        report.rows.append(
            {
                "id": row.get("id", ""),
                "question": row["question"],
                "answerable": bool(row.get("answerable", bool(gold))),
                "answered": answer.answered,
                "cited_gold": bool(gold & cited),
                "related_gold": bool(gold & {c.source for c in answer.related}),
                "retrieved_gold": bool(gold & retrieved),
                "cited_sources": len(cited),
                "reciprocal_rank": 1 / rank if rank else 0.0,
                "citation_precision": len(cited & gold) / len(cited) if cited else 0.0,
                "cited": sorted(cited),
                "gold": sorted(gold),
                "timings_ms": answer.timings_ms,
            }
        )
    return report


def gather_records(engine: AnswerEngine, rows: list[dict[str, Any]], group: str) -> list[Record]:
    """What the answer writer sees for each question, with its labels, for fitting the
    decision model (the same retrieval and evidence code as answering)."""
    evidence_of = getattr(engine.writer, "evidence", None) or getattr(
        getattr(engine.writer, "extractive", None), "evidence", None
    )
    if evidence_of is None:
        raise ValueError("this answer writer has no evidence to fit a decision model on")
    records = []
    for row in rows:
        question = clean_query(" ".join(row["question"].split()), engine.retriever.vocabulary())
        embedding = engine.embedder.get_query_embedding(question) if engine.embed_query else None
        chunks = engine.retriever.retrieve(question, embedding)
        evidence = evidence_of(question, embedding, chunks)
        sources = {c.doc_id: c.source for c in chunks}
        records.append(record_of(group, row, evidence.documents, evidence.features, sources))
    return records
