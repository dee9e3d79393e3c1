"""Loggers of the SDKs we call can carry whole request and response bodies at DEBUG/INFO:
the ``openai`` package logs prompts (restricted document text, HR figures), ``httpx`` and
``httpcore`` log URLs and headers, Slack's and the Bot Framework's SDKs log payloads. They are
capped at WARNING whatever ``WIKIBOT_LOG_LEVEL`` says, twice over: their levels are raised,
and a filter on every root handler drops their records below WARNING (the SDKs may reset
their own levels, e.g. ``OPENAI_LOG=debug``; a handler filter also catches child loggers).
"""

from __future__ import annotations

import logging

BODY_CARRYING_LOGGERS = (
    "openai",
    "httpx",
    "httpcore",
    "urllib3",
    "slack_sdk",
    "slack_bolt",
    "botbuilder",
    "botframework",
    "msrest",
    "msal",
    "aiohttp.client",
)


class SdkBodyFilter(logging.Filter):
    """Drops records below WARNING from the SDK loggers (and their children)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        name = record.name
        return not any(name == p or name.startswith(p + ".") for p in BODY_CARRYING_LOGGERS)


def cap_sdk_loggers() -> None:
    """Apply the cap; call after the root handlers are configured (idempotent)."""
    for name in BODY_CARRYING_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, SdkBodyFilter) for f in handler.filters):
            handler.addFilter(SdkBodyFilter())
