"""Prometheus metrics for `serve` (GET /metrics), one registry per server.

Questions by platform and outcome, latency histograms (retrieval, LLM, whole answer), LLM
tokens, feedback votes, and, read at scrape time (cached for 30 s), the index's documents
and chunks and each source's last sync. No label ever carries a user, a question or a
document title.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from bot.models import Answer

logger = logging.getLogger(__name__)

OUTCOMES = ("answered", "not_found", "rate_limited", "error", "personal")
_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 30.0, 60.0)

IndexFacts = Callable[[], dict[str, object]]  # documents, chunks, sources: [state...]


class Metrics:
    def __init__(self, index_facts: IndexFacts | None = None) -> None:
        self.registry = CollectorRegistry()
        self.questions = Counter(
            "wikibot_questions",
            "Questions received, by platform and outcome",
            ["platform", "outcome"],
            registry=self.registry,
        )
        self.retrieval_seconds = Histogram(
            "wikibot_retrieval_seconds",
            "Query embedding and retrieval time per question",
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.llm_seconds = Histogram(
            "wikibot_llm_seconds",
            "LLM time per answer (answers written by the LLM only)",
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.answer_seconds = Histogram(
            "wikibot_answer_seconds",
            "Whole answer time (retrieval + writing), by platform",
            ["platform"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.llm_tokens = Counter(
            "wikibot_llm_tokens",
            "LLM tokens, prompt and completion",
            ["kind"],
            registry=self.registry,
        )
        self.feedback = Counter(
            "wikibot_feedback",
            "Feedback votes on answers",
            ["platform", "vote"],
            registry=self.registry,
        )
        for outcome in OUTCOMES:  # series exist from the start (rate() needs a zero)
            for platform in ("slack", "teams"):
                self.questions.labels(platform, outcome)
        if index_facts is not None:
            self.registry.register(_IndexCollector(index_facts))

    def answered(self, platform: str, answer: Answer, *, personal: bool = False) -> None:
        outcome = "personal" if personal else "answered" if answer.answered else "not_found"
        self.questions.labels(platform, outcome).inc()
        timings = answer.timings_ms
        retrieval_ms = timings.get("embed", 0.0) + timings.get("retrieve", 0.0)
        if "retrieve" in timings:
            self.retrieval_seconds.observe(retrieval_ms / 1000)
        if "llm" in timings:
            self.llm_seconds.observe(timings["llm"] / 1000)
        if "total" in timings:
            self.answer_seconds.labels(platform).observe(timings["total"] / 1000)
        for kind, count in answer.llm_tokens.items():
            self.llm_tokens.labels(kind).inc(count)

    def rejected(self, platform: str, outcome: str) -> None:
        self.questions.labels(platform, outcome).inc()

    def voted(self, platform: str, vote: str) -> None:
        self.feedback.labels(platform, vote).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _IndexCollector(Collector):
    """Index size and per-source sync state, read at scrape time (cached 30 s)."""

    def __init__(self, facts: IndexFacts, ttl_s: float = 30.0) -> None:
        self.facts = facts
        self.ttl_s = ttl_s
        self._cached: tuple[float, dict[str, object]] | None = None

    def _read(self) -> dict[str, object]:
        now = time.monotonic()
        if self._cached and now - self._cached[0] < self.ttl_s:
            return self._cached[1]
        try:
            facts = self.facts()
        except Exception as exc:  # a scrape never fails because Qdrant is slow
            logger.info("index facts unavailable for /metrics: %s", type(exc).__name__)
            facts = {}
        self._cached = (now, facts)
        return facts

    def collect(self) -> Iterator[GaugeMetricFamily]:
        facts = self._read()
        documents = GaugeMetricFamily("wikibot_index_documents", "Documents in the index")
        chunks = GaugeMetricFamily("wikibot_index_chunks", "Chunks in the index")
        if "documents" in facts:
            documents.add_metric([], float(facts["documents"]))  # type: ignore[arg-type]
        if "chunks" in facts:
            chunks.add_metric([], float(facts["chunks"]))  # type: ignore[arg-type]
        last = GaugeMetricFamily(
            "wikibot_source_last_sync_timestamp_seconds",
            "When each source last ran (Unix time), by outcome",
            labels=["source", "outcome"],
        )
        for name, outcome, when in facts.get("sources", []):  # type: ignore[attr-defined]
            last.add_metric([name, outcome], when)
        yield from (documents, chunks, last)
