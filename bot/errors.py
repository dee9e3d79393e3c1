"""The error tree, and the one place that decides what users are told.

::

    WikibotError
     ├── ConfigurationError      settings that cannot be used (names the variable)
     ├── IndexNotReadyError      nothing indexed yet
     └── SourceError             a source (folder, wiki) cannot be read at all

Errors raised by the indexing side (which does not import ``bot``) are translated here too:
``IndexLockedError``, ``StoreBusyError``, ``EmbedderMismatchError``; and the reindex
lock's ``LockHeldError``.
"""

from __future__ import annotations

import logging

from bot.state.locks import LockHeldError
from indexing.lock import IndexLockedError
from indexing.store import EmbedderMismatchError, StoreBusyError


class WikibotError(Exception):
    """Base of errors whose message is safe and useful to show as is."""


class ConfigurationError(WikibotError, ValueError):
    """Settings that cannot be used; the message names the variable to fix."""


class IndexNotReadyError(WikibotError):
    def __init__(self) -> None:
        super().__init__("nothing is indexed yet: run `wikibot index PATH` first")


class SourceError(WikibotError):
    """A source cannot be read at all (missing folder, bad credentials)."""


EXPECTED_ERRORS: tuple[type[Exception], ...] = (
    WikibotError,
    IndexLockedError,
    StoreBusyError,
    EmbedderMismatchError,
    LockHeldError,
)


def report(exc: BaseException, log: logging.Logger, what: str) -> str:
    """The user's text for ``exc``; unexpected errors are also logged with their traceback
    (the text promises "see the log"). Only ``what`` and the traceback are logged, never
    the question itself."""
    message = user_message(exc)
    if message.startswith("unexpected"):
        log.error("%s failed", what, exc_info=exc)
    return message


def user_message(exc: BaseException) -> str:
    """Text for a person: the message of expected errors, a generic line otherwise
    (details go to the log, never secrets or message bodies)."""
    if isinstance(exc, EXPECTED_ERRORS):
        return str(exc)
    if isinstance(exc, ValueError | OSError):  # bad input, missing or unreadable paths
        return f"{exc}"
    return f"unexpected error ({type(exc).__name__}); see the log for details"
