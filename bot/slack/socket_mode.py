"""Slack Socket Mode: events over a websocket the bot opens (SLACK_APP_TOKEN), for bots
without a public HTTPS address. The same Bolt app handles them as HTTP events."""

from __future__ import annotations

from typing import Protocol

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.slack.adapter import SlackAdapter


class SocketConnection(Protocol):
    async def close_async(self) -> None: ...


async def connect_socket_mode(slack: SlackAdapter, app_token: str) -> SocketConnection:
    handler = AsyncSocketModeHandler(slack.app, app_token)
    await handler.connect_async()
    return handler
