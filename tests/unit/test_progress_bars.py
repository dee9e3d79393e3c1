"""The terminal's progress bar counts the documents an index run embeds: unchanged documents
leave its total, so the rate it shows is the embedding's (a re-run over thousands of unchanged
files showed "7784 doc/s")."""

from __future__ import annotations

import pytest

from bot.index_admin.output import ProgressBars
from bot.index_admin.progress import Progress


def test_unchanged_documents_leave_the_bar(capsys: pytest.CaptureFixture[str]) -> None:
    bars = ProgressBars()
    bars.update(Progress("handbook", read=64, total=100, chunks=12, unchanged=60))
    bar = bars.bars["handbook"]
    assert (bar.n, bar.total) == (4, 40)
    bars.update(Progress("handbook", read=100, total=100, chunks=30, unchanged=90))
    assert (bar.n, bar.total) == (10, 10)
    assert "unchanged=90" in str(bar)
    bars.close()


def test_a_source_that_cannot_list_up_front_counts_without_a_total() -> None:
    bars = ProgressBars()
    bars.update(Progress("wiki", read=32, total=None, chunks=40, unchanged=2))
    bar = bars.bars["wiki"]
    assert (bar.n, bar.total) == (30, None)
    bars.close()
