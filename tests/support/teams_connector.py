"""A local HTTP server standing in for the Bot Framework Connector service (Teams'
``serviceUrl``): records every activity the bot sends and answers like the service does."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from tests.support.web_site import start_site


class ConnectorStub:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []  # {"method", "conversation", "reply_to", "activity"}
        self.created: list[dict[str, Any]] = []  # POST /v3/conversations (1:1 chats opened)
        self.emails: dict[str, str] = {}  # channel account id -> email (the roster)
        self.rosters: dict[str, list[dict[str, Any]]] = {}  # conversation id -> its members
        # set: a roster request reads its answer at once, then waits for the gate before
        # answering (a lookup held open while events arrive); `roster_arrived` says so
        self.roster_gate: asyncio.Event | None = None
        self.roster_arrived = asyncio.Event()
        self.fail_next: list[int] = []  # statuses to answer the next sends with (429, 502...)
        self.violations: list[str] = []
        self._id = 0
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._send)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._send)
        app.router.add_put("/v3/conversations/{conversation}/activities/{reply_to}", self._send)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        app.router.add_get("/v3/conversations/{conversation}/members", self._roster)
        app.router.add_post("/v3/conversations", self._create)
        self.runner, self.url = await start_site(app)
        self.url += "/"

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()

    async def _send(self, request: web.Request) -> web.Response:
        raw = await request.read()
        if self.fail_next:
            status = self.fail_next.pop(0)
            return web.json_response(
                {"error": {"code": "Throttled", "message": "slow down"}},
                status=status,
                headers={"Retry-After": "1"} if status == 429 else {},
            )
        if len(raw) > 28_000:
            self.violations.append(f"a message of {len(raw)} bytes")
        self._id += 1
        self.sent.append(
            {
                "method": request.method,
                "conversation": unquote(request.match_info["conversation"]),
                "reply_to": unquote(request.match_info.get("reply_to", "")),
                "activity": json.loads(raw),
                "at": time.perf_counter(),
                "authorization": request.headers.get("Authorization", ""),
            }
        )
        return web.json_response({"id": f"reply-{self._id}"})

    async def _create(self, request: web.Request) -> web.Response:
        params = await request.json()
        self.created.append(params)
        member = params["members"][0]["id"]
        return web.json_response({"id": f"a:1on1-{member}", "serviceUrl": self.url})

    async def _roster(self, request: web.Request) -> web.Response:
        conversation = unquote(request.match_info["conversation"])
        if conversation not in self.rosters:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        # members of the bot's tenant unless the test says otherwise (as Teams reports them)
        roster = [{"tenantId": "tenant1", **m} for m in self.rosters[conversation]]
        if self.roster_gate is not None:
            self.roster_arrived.set()
            await self.roster_gate.wait()
        return web.json_response(roster)

    async def _member(self, request: web.Request) -> web.Response:
        member = unquote(request.match_info["member"])
        if member not in self.emails:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        email = self.emails[member]
        return web.json_response(
            {"id": member, "email": email, "userPrincipalName": email, "tenantId": "tenant1"}
        )

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [s for s in self.sent if s["activity"].get("type") == kind]

    def answers(self) -> list[dict[str, Any]]:
        """Sent messages carrying an answer card (with feedback buttons)."""
        return [
            s
            for s in self.of_type("message")
            if any(
                "actions" in a.get("content", {}) for a in s["activity"].get("attachments") or []
            )
        ]

    async def wait_for_answers(self, count: int = 1, timeout: float = 60) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.answers()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{count} answer(s) not seen; sent: {self.sent}")
            await asyncio.sleep(0.05)
        return self.answers()

    async def wait_for_text(
        self, needle: str, timeout: float = 60, since: int = 0
    ) -> dict[str, Any]:
        """The first sent activity (from index ``since`` on) whose text contains ``needle``."""
        deadline = time.monotonic() + timeout
        while True:
            for s in self.sent[since:]:
                if needle in (s["activity"].get("text") or ""):
                    return s
            if time.monotonic() > deadline:
                raise AssertionError(f"no message with {needle!r}; sent: {self.sent}")
            await asyncio.sleep(0.05)
