"""POST /slack/events: our own strict request check (bot/slack/request_check.py), then Bolt."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

from bot.config import SlackSettings
from bot.slack.adapter import SlackAdapter
from bot.slack.request_check import check_slack_request

logger = logging.getLogger(__name__)


def slack_events_route(
    slack: SlackAdapter, settings: SlackSettings
) -> Callable[[web.Request], Awaitable[web.Response]]:
    secret = settings.signing_secret
    signing_secret = secret.get_secret_value() if secret else None

    async def slack_events(request: web.Request) -> web.Response:
        body = await request.read()
        rejection = check_slack_request(body, request.headers, signing_secret)
        if rejection is not None:
            logger.warning("refused a Slack request: %s", rejection.reason)
            return web.json_response({"error": rejection.reason}, status=rejection.status)
        try:
            response = await slack.app.async_dispatch(await to_bolt_request(request))
        except Exception as exc:  # a signed body Bolt cannot handle: the sender's fault
            logger.warning("could not handle a Slack request: %s", type(exc).__name__)
            return web.json_response({"error": "unprocessable request"}, status=400)
        return await to_aiohttp_response(response)

    return slack_events
