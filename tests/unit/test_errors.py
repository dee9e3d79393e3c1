import logging

import pytest

from bot.errors import IndexNotReadyError, InputError, report


def test_expected_errors_are_shown_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("t")
    assert "wikibot index" in report(IndexNotReadyError(), log, "question")
    assert "bad input" in report(InputError("bad input"), log, "question")
    assert caplog.records == []


def test_arbitrary_value_errors_are_not_shown_verbatim(caplog: pytest.LogCaptureFixture) -> None:
    """A ValueError's text can carry anything (a document line, a parser's dump): only the
    error trees' messages are shown; a file-system error shows its path and reason."""
    log = logging.getLogger("t")
    shown = report(ValueError("line 3 of salaries.md: Alice 120k"), log, "question")
    assert "Alice" not in shown and shown.startswith("unexpected error (ValueError)")
    missing = report(FileNotFoundError(2, "No such file or directory", "/x/qa.jsonl"), log, "q")
    assert missing == "/x/qa.jsonl: No such file or directory"


def test_unexpected_errors_point_to_a_log_that_has_the_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    message = report(KeyError("secret question text"), logging.getLogger("t"), "question")
    assert message == "unexpected error (KeyError); see the log for details"
    record = caplog.records[0]
    assert record.getMessage() == "question failed" and record.exc_info is not None
