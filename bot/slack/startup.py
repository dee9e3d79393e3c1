"""What `serve` checks and says about Slack before it answers anything.

* ``auth.test`` with the bot token (and ``apps.connections.open`` with the app token in
  Socket Mode): a token Slack refuses stops the start with one line naming the variable; a
  Slack that cannot be reached is a warning (HTTP events may still arrive later).
* Before the app is installed there is no bot token yet, but Slack already checks the Request
  URL: with SLACK_SIGNING_SECRET alone, ``/slack/events`` answers signed url_verification
  challenges (and says what is missing to anything else), so the check passes at creation.
* Socket Mode's client logs a full traceback at every reconnection attempt; here each one is a
  single warning line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import ClientError, web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat_settings import SlackSettings
from bot.errors import ConfigurationError
from bot.slack.request_check import check_slack_request

logger = logging.getLogger(__name__)
REFUSED = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
WRONG_KIND = {"not_allowed_token_type"}


async def check_tokens(settings: SlackSettings) -> str:
    """Who the bot is in which workspace ("@wikibot in Acme"); "" when Slack was not reached.
    Raises ConfigurationError for a token Slack refuses."""
    client = AsyncWebClient(
        token=settings.bot_token.get_secret_value() if settings.bot_token else "",
        base_url=settings.api_url.rstrip("/") + "/",
        timeout=10,
    )
    try:
        info = await _checked(client.auth_test(), "SLACK_BOT_TOKEN", BOT_TOKEN_HINT)
        if settings.app_token:
            opened = client.apps_connections_open(app_token=settings.app_token.get_secret_value())
            await _checked(opened, "SLACK_APP_TOKEN", APP_TOKEN_HINT)
    except (ClientError, TimeoutError, OSError) as exc:
        logger.warning(
            "Slack is not reachable at %s (%s): could not check the tokens; starting anyway",
            client.base_url,
            type(exc).__name__,
        )
        return ""
    if info is None:
        return ""
    return f"@{info.get('user') or info.get('user_id')} in {info.get('team') or '?'}"


BOT_TOKEN_HINT = "the Bot User OAuth Token (xoxb-...) from OAuth & Permissions"
APP_TOKEN_HINT = "an app-level token (xapp-...) with the connections:write scope"


async def _checked(call: Awaitable[Any], variable: str, hint: str) -> Any:
    try:
        return await call
    except SlackApiError as exc:
        error = str(exc.response.get("error", "")) if exc.response is not None else ""
        if error in REFUSED or error in WRONG_KIND:
            raise ConfigurationError(
                f"Slack refused {variable} ({error}): set it to {hint}, then start again"
            ) from None
        logger.warning("Slack token check (%s) failed: %s; starting anyway", variable, error)
        return None


def url_check_route(signing_secret: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    """/slack/events before the bot token exists: Slack's signed URL check passes, events
    are told (503, which Slack retries) what is missing."""

    async def slack_events(request: web.Request) -> web.Response:
        body = await request.read()
        rejection = check_slack_request(body, request.headers, signing_secret)
        if rejection is not None:
            return web.json_response({"error": rejection.reason}, status=rejection.status)
        payload = json.loads(body) if body.startswith(b"{") else {}
        if payload.get("type") == "url_verification":
            return web.json_response({"challenge": payload.get("challenge", "")})
        return web.json_response(
            {"error": "SLACK_BOT_TOKEN is not set: install the app, set it, restart wikibot"},
            status=503,
        )

    return slack_events


def not_configured_route() -> Callable[[web.Request], Awaitable[web.Response]]:
    async def slack_events(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "error": "Slack is not configured here: set SLACK_SIGNING_SECRET (and "
                "SLACK_BOT_TOKEN once the app is installed), restart wikibot, then press "
                "Retry next to the Request URL in the Slack app's Event Subscriptions"
            },
            status=503,
        )

    return slack_events


class OneLineReconnects(logging.Filter):
    """Socket Mode's reconnection errors as one line each, without the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.levelno >= logging.ERROR:
            record.msg = f"Slack Socket Mode: {record.getMessage()}"
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.args, record.exc_info, record.exc_text = None, None, None
        return True
