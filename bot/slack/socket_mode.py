"""Slack Socket Mode: events over a websocket the bot opens (SLACK_APP_TOKEN), for bots
without a public HTTPS address. The same Bolt app handles them as HTTP events.

The connection is made in the background: an unreachable Slack does not hold up /healthz,
and every failed attempt (the SDK retries on its own) is one warning line."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.slack.adapter import SlackAdapter
from bot.slack.startup import OneLineReconnects

# a child of slack_sdk: capped at WARNING like the SDK's own loggers (bot/log_privacy.py)
SOCKET_LOGGER = logging.getLogger("slack_sdk.socket_mode.wikibot")
SOCKET_LOGGER.addFilter(OneLineReconnects())


class SocketConnection(Protocol):
    async def close_async(self) -> None: ...


def connect_socket_mode(
    slack: SlackAdapter, app_token: str
) -> tuple[SocketConnection, asyncio.Task[None]]:
    """The handler (close it on shutdown) and the task that connects it."""
    handler = AsyncSocketModeHandler(slack.app, app_token, logger=SOCKET_LOGGER)

    async def connect() -> None:
        await handler.connect_async()
        print("Slack Socket Mode connected", flush=True)

    return handler, asyncio.create_task(connect())
