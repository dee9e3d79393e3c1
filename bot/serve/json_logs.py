"""Structured logs for `serve`: one JSON object per line, with the request or event id of
the work in progress (a context variable the adapters set).

Messages are the same %-style messages as everywhere; nothing here adds payloads. Tokens,
secrets and message bodies are never logged at INFO in the first place (see the SDK
loggers capped in bot/log_privacy.py); this formatter only changes the shape.
"""

from __future__ import annotations

import contextvars
import json
import logging
import time

from bot.log_privacy import cap_sdk_loggers

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            entry["request_id"] = rid
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def use_json_logs(level: str) -> None:
    """Replace the root handlers with one JSON handler on stderr."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    cap_sdk_loggers()
