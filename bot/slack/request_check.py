"""A strict first look at every HTTP request to ``/slack/events``, before slack-bolt sees it.

Bolt answers 500 (with an ERROR traceback) to some junk: a body that is not UTF-8, a
non-numeric timestamp, a non-ASCII signature, JSON nested too deep, signed bodies of the
wrong shape. Here every such request gets a 4xx and one WARNING line without the body:

* 401: no signing secret configured (Socket Mode only), a missing, non-numeric or stale
  timestamp (more than five minutes off), a missing, non-ASCII or wrong signature;
* 413: a body over 1 MB (Slack's payloads are far smaller);
* 400: a signed body that is not UTF-8, not a JSON object, or a form without a valid payload;
  a payload of a kind wikibot does not handle, or of the wrong shape
  (bot/slack/payload_shape.py: empty or non-list ``actions``, a view without ``user`` or
  ``state``, a list where an object belongs).

The signature check is Slack's v0 scheme (HMAC-SHA256 over ``v0:{ts}:{body}``), compared
in constant time, so nothing is parsed before the sender is known.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

from bot.slack.payload_shape import command_problem, shape_problem

MAX_BODY_BYTES = 1024 * 1024
MAX_CLOCK_SKEW_S = 300


@dataclass(frozen=True)
class Rejection:
    status: int
    reason: str


def check_slack_request(
    body: bytes, headers: Mapping[str, str], signing_secret: str | None, *, now: float | None = None
) -> Rejection | None:
    """Why this request must not reach Bolt, or None when it may."""
    if not signing_secret:
        return Rejection(401, "HTTP events need SLACK_SIGNING_SECRET (Socket Mode is in use)")
    if len(body) > MAX_BODY_BYTES:
        return Rejection(413, "body too large")
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not (timestamp.isascii() and timestamp.isdigit()):
        return Rejection(401, "missing or non-numeric timestamp")
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_CLOCK_SKEW_S:
        return Rejection(401, "stale timestamp")
    if not signature.isascii() or not signature.startswith("v0="):
        return Rejection(401, "missing or malformed signature")
    digest = hmac.new(
        signing_secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(f"v0={digest}", signature):
        return Rejection(401, "bad signature")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Rejection(400, "body is not UTF-8")
    content_type = headers.get("Content-Type", "")
    if "application/x-www-form-urlencoded" in content_type:
        form = parse_qs(text)
        payload = form.get("payload")
        if payload:
            return _payload_rejection(payload[0], "form payload")
        if "ssl_check" in form:
            return None
        if "command" not in form:
            return Rejection(400, "form without a payload or command")
        problem = command_problem(form)
        return Rejection(400, problem) if problem else None
    return _payload_rejection(text, "body")


def _payload_rejection(text: str, what: str) -> Rejection | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, dict):
        return Rejection(400, f"{what} is not a JSON object")
    problem = shape_problem(value)
    return Rejection(400, problem) if problem else None
