"""The chat side's error tree, and the one place that decides what people are told.

::

    WikibotError                message safe to show as is
     ├── ConfigurationError     settings that cannot be used (names the variable)
     ├── IndexNotReadyError     nothing indexed yet
     ├── SourceError            a source (folder, wiki) cannot be read at all
     ├── InputError             input a person gave that cannot be used (an empty question,
     │                          a malformed qa.jsonl line)
     └── LockHeldError          a reindex is already running (says who, since when)
    DependencyError             a service is unreachable; callers degrade, never shown raw
     ├── RedisUnavailableError  (bot/state/health.py)
     └── LLMError               (bot/answer/llm.py: the extractive answer is used instead)

The indexing side and the connectors have trees of their own (indexing/errors.py,
connectors/errors.py); their messages are written for admins and shown as they are.
Anything else is a bug: people get "unexpected error (Type); see the log" and the log gets
the traceback, never the message (it may hold document text or a question).
"""

from __future__ import annotations

import logging

from connectors.errors import ConnectorError
from indexing.errors import IndexingError


class WikibotError(Exception):
    """Base of errors whose message is safe and useful to show as is."""


class ConfigurationError(WikibotError, ValueError):
    """Settings that cannot be used; the message names the variable to fix."""


class IndexNotReadyError(WikibotError):
    def __init__(self) -> None:
        super().__init__("nothing is indexed yet: run `wikibot index PATH` first")


class SourceError(WikibotError):
    """A source cannot be read at all (missing folder, bad credentials)."""


class InputError(WikibotError, ValueError):
    """Input a person gave that cannot be used; the message says what is wrong."""


class LockHeldError(WikibotError):
    """Someone else holds the reindex lock; the message says who and since when."""


class DependencyError(RuntimeError):
    """A service wikibot depends on cannot be used right now."""

    service = "a service wikibot needs"


SHOWN_AS_IS: tuple[type[Exception], ...] = (WikibotError, ConnectorError, IndexingError)


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
    if isinstance(exc, SHOWN_AS_IS):
        return str(exc)
    if isinstance(exc, DependencyError):
        return f"{exc.service} is unavailable right now; please try again shortly"
    if isinstance(exc, OSError) and exc.filename:  # a missing or unreadable path
        return f"{exc.filename}: {exc.strerror or type(exc).__name__}"
    return f"unexpected error ({type(exc).__name__}); see the log for details"
