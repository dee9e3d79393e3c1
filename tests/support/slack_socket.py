"""A local WebSocket server standing in for Slack's Socket Mode endpoint: the bot gets its
address from apps.connections.open (the Web API stand-in), connects, is greeted with
"hello", receives event envelopes and must acknowledge each by its envelope_id."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

from aiohttp import WSMsgType, web

from tests.support.web_site import start_site


class SocketModeStandIn:
    def __init__(self) -> None:
        self.sockets: list[web.WebSocketResponse] = []
        self.acks: list[str] = []
        self.connected = asyncio.Event()
        self.ids = itertools.count(1)
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/link", self._link)
        self.runner, base = await start_site(app)
        self.url = base.replace("http://", "ws://") + "/link"

    async def stop(self) -> None:
        for socket in self.sockets:
            await socket.close()
        if self.runner:
            await self.runner.cleanup()

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        await socket.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}
        )
        self.connected.set()
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                envelope_id = json.loads(message.data).get("envelope_id")
                if envelope_id:
                    self.acks.append(envelope_id)
        return socket

    async def send_event(self, event: dict[str, Any], event_id: str) -> str:
        """One events_api envelope on the open connection; returns its envelope id."""
        await asyncio.wait_for(self.connected.wait(), 30)
        envelope_id = f"env-{next(self.ids)}"
        body = {"type": "event_callback", "team_id": "T1", "event_id": event_id, "event": event}
        await self.sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": "events_api",
                "accepts_response_payload": False,
                "retry_attempt": 0,
                "retry_reason": "",
                "payload": body,
            }
        )
        return envelope_id

    async def wait_for_ack(self, envelope_id: str, timeout: float = 30) -> None:
        async def acked() -> None:
            while envelope_id not in self.acks:
                await asyncio.sleep(0.02)

        await asyncio.wait_for(acked(), timeout)
