"""Prometheus exposition: outcomes, token counts and the index/sync gauges read at scrape."""

from __future__ import annotations

from bot.models import Answer
from bot.serve.metrics import Metrics


def _values(metrics: Metrics) -> dict[str, float]:
    lines = metrics.exposition().decode().splitlines()
    return {
        line.rpartition(" ")[0]: float(line.rpartition(" ")[2])
        for line in lines
        if line and not line.startswith("#")
    }


def test_outcomes_tokens_and_index_gauges() -> None:
    calls = []

    def facts() -> dict[str, object]:
        calls.append(1)
        return {"documents": 24, "chunks": 81, "sources": [("wiki", "ok", 1_780_000_000.0)]}

    metrics = Metrics(index_facts=facts)
    llm_answer = Answer(
        question="q",
        text="a [1]",
        answered=True,
        writer="llm",
        timings_ms={"embed": 5, "retrieve": 20, "llm": 900, "total": 950},
        llm_tokens={"prompt": 812, "completion": 40},
    )
    metrics.answered("slack", llm_answer)
    metrics.answered("teams", Answer(question="q", text="", answered=False))
    metrics.rejected("slack", "rate_limited")
    metrics.voted("teams", "up")
    values = _values(metrics)
    assert values['wikibot_questions_total{outcome="answered",platform="slack"}'] == 1
    assert values['wikibot_questions_total{outcome="not_found",platform="teams"}'] == 1
    assert values['wikibot_questions_total{outcome="rate_limited",platform="slack"}'] == 1
    assert values['wikibot_questions_total{outcome="error",platform="teams"}'] == 0
    assert values['wikibot_llm_tokens_total{kind="prompt"}'] == 812
    assert values["wikibot_llm_seconds_sum"] == 0.9
    assert values["wikibot_retrieval_seconds_sum"] == 0.025
    assert values['wikibot_feedback_total{platform="teams",vote="up"}'] == 1
    assert values["wikibot_index_documents"] == 24 and values["wikibot_index_chunks"] == 81
    key = 'wikibot_source_last_sync_timestamp_seconds{outcome="ok",source="wiki"}'
    assert values[key] == 1_780_000_000.0
    _values(metrics)
    assert len(calls) == 1  # cached between scrapes: Qdrant is not asked every time


def test_a_failing_index_read_does_not_break_the_scrape() -> None:
    def broken() -> dict[str, object]:
        raise ConnectionError("qdrant down")

    values = _values(Metrics(index_facts=broken))
    assert "wikibot_index_documents" not in values
    assert values['wikibot_questions_total{outcome="answered",platform="slack"}'] == 0
