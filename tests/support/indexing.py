"""Indexing in tests and benchmarks: the product's own reindex path (bot/index_admin/reindex.py),
run in-process."""

from __future__ import annotations

from collections.abc import Sequence

from bot.app import App
from bot.index_admin.reindex import Mode, ReindexRequest
from connectors.base import Connector
from indexing.summary import IndexSummary


def index_now(app: App, connectors: Sequence[Connector], mode: Mode = "index") -> IndexSummary:
    """Index ``connectors`` into ``app``'s store; raises if a whole source failed."""
    outcome = app.reindexer.run_here(ReindexRequest(list(connectors), mode, "tests"))
    if outcome.failed:
        raise RuntimeError("; ".join(r.line() for r in outcome.failed))
    return outcome.total
