import logging

import pytest

from bot.errors import IndexNotReadyError, report


def test_expected_errors_are_shown_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("t")
    assert "wikibot index" in report(IndexNotReadyError(), log, "question")
    assert "bad input" in report(ValueError("bad input"), log, "question")
    assert caplog.records == []


def test_unexpected_errors_point_to_a_log_that_has_the_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    message = report(KeyError("secret question text"), logging.getLogger("t"), "question")
    assert message == "unexpected error (KeyError); see the log for details"
    record = caplog.records[0]
    assert record.getMessage() == "question failed" and record.exc_info is not None
