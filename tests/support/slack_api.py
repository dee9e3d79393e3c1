"""A local HTTP server standing in for the Slack Web API and response_url: records every
call (method + parameters) and answers like Slack does."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tests.support.web_site import start_site

BOT_USER = "UBOT"


class SlackAPIStub:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.received_at: list[float] = []  # time.perf_counter() of each call
        self.posted: dict[str, dict[str, Any]] = {}  # ts handed out -> chat.postMessage params
        self.violations: list[str] = []  # calls Slack would reject for size
        self.usergroup_members: list[str] = []
        self.rate_limit_next: dict[str, int] = {}  # method -> how many calls get 429
        self.emails: dict[str, str] = {}  # user id -> verified email (users.info)
        self.user_fields: dict[str, dict[str, Any]] = {}  # user id -> users.info extras
        # method -> gate: the call reads its answer at once, then waits for the gate
        # before answering (a lookup held open while events arrive); `arrived` says so
        self.gates: dict[str, asyncio.Event] = {}
        self.arrived: dict[str, asyncio.Event] = {}
        self.refused_tokens: set[str] = set()  # answered invalid_auth, like a revoked token
        # channel id -> {"is_private", "is_mpim", "members": [...]} (conversations.info/members)
        self.channels: dict[str, dict[str, Any]] = {}
        # native streaming: "" streams; an error name refuses chat.startStream with it
        self.refuse_streaming = ""
        self.refuse_block_types: set[str] = set()  # block types answered with invalid_blocks
        self.streams: dict[str, dict[str, Any]] = {}  # ts -> thread_ts, text, blocks, stopped
        self.socket_url = ""  # apps.connections.open hands it out (tests/support/slack_socket.py)
        self._ts = 1000
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # users.info and friends
        app.router.add_post("/respond/{id}", self._respond)
        self.runner, self.url = await start_site(app)

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        raw = await request.text()
        if request.method == "GET":
            return dict(request.query)
        if request.content_type == "application/json":  # arguments may be in the URL too
            return {**dict(request.query), **json.loads(raw or "{}")}
        params: dict[str, Any] = {**dict(request.query), **dict(parse_qsl(raw))}
        for key in ("blocks", "attachments"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        self.received_at.append(time.perf_counter())
        self._check_limits(method, params)
        if self.rate_limit_next.get(method, 0) > 0:
            self.rate_limit_next[method] -= 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        if method not in ("conversations.info", "conversations.members"):
            await self._held(method)  # those two read their answer first, then wait
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        token = token or str(params.get("token", ""))
        if token in self.refused_tokens:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if method == "auth.test":
            return web.json_response(
                {
                    "ok": True,
                    "user_id": BOT_USER,
                    "user": "wikibot",
                    "bot_id": "BBOT",
                    "team_id": "T1",
                    "team": "Acme",
                }
            )
        if method == "users.info":
            email = self.emails.get(params.get("user", ""))
            if email is None:
                return web.json_response({"ok": False, "error": "user_not_found"})
            fields = {"team_id": "T1", **self.user_fields.get(params["user"], {})}
            user = {"id": params["user"], "profile": {"email": email}, **fields}
            return web.json_response({"ok": True, "user": user})
        if method in ("conversations.info", "conversations.members"):
            channel = self.channels.get(str(params.get("channel", "")))
            if channel is None:
                return web.json_response({"ok": False, "error": "channel_not_found"})
            if method == "conversations.info":
                flags = {k: v for k, v in channel.items() if k != "members"}
                flags["id"] = params["channel"]
                await self._held(method)
                return web.json_response({"ok": True, "channel": flags})
            members = list(channel.get("members", []))
            start = int(params.get("cursor") or 0)
            page = members[start : start + 2]  # small pages: paging is exercised
            more = {"next_cursor": str(start + 2)} if start + 2 < len(members) else {}
            await self._held(method)
            return web.json_response(
                {"ok": True, "members": page, "response_metadata": more}
            )
        if method == "apps.connections.open" and self.socket_url:
            return web.json_response({"ok": True, "url": self.socket_url})
        if method == "usergroups.users.list":
            return web.json_response({"ok": True, "users": self.usergroup_members})
        refused = {b.get("type") for b in params.get("blocks") or []} & self.refuse_block_types
        if refused:
            return web.json_response({"ok": False, "error": "invalid_blocks"})
        if method.startswith("chat.") and method.endswith("Stream"):
            return self._stream(method, params)
        self._ts += 1
        ts = params.get("ts") or f"{self._ts}.000100"
        if method == "chat.postMessage":
            self.posted[ts] = params
        return web.json_response({"ok": True, "channel": params.get("channel"), "ts": ts})

    async def _held(self, method: str) -> None:
        """If a gate is set for ``method``: say the call arrived, wait for the gate."""
        gate = self.gates.get(method)
        if gate is not None:
            self.arrived.setdefault(method, asyncio.Event()).set()
            await gate.wait()

    def _stream(self, method: str, params: dict[str, Any]) -> web.Response:
        """chat.startStream / appendStream / stopStream, as Slack checks them."""
        if method == "chat.startStream":
            if self.refuse_streaming:
                return web.json_response({"ok": False, "error": self.refuse_streaming})
            if not params.get("thread_ts"):
                return web.json_response({"ok": False, "error": "invalid_arguments"})
            self._ts += 1
            ts = f"{self._ts}.000100"
            self.streams[ts] = {
                "channel": params["channel"],
                "thread_ts": params["thread_ts"],
                "text": _streamed_text(params),
                "blocks": [],
                "stopped": False,
            }
            return web.json_response({"ok": True, "channel": params["channel"], "ts": ts})
        stream = self.streams.get(str(params.get("ts", "")))
        if stream is None:
            return web.json_response({"ok": False, "error": "message_not_found"})
        if stream["stopped"]:
            return web.json_response({"ok": False, "error": "message_not_in_streaming_state"})
        stream["text"] += _streamed_text(params)
        if method == "chat.stopStream":
            stream["stopped"], stream["blocks"] = True, params.get("blocks") or []
        return web.json_response({"ok": True, "channel": stream["channel"], "ts": params["ts"]})

    async def _respond(self, request: web.Request) -> web.Response:
        self.calls.append(("response_url", await self._params(request)))
        self.received_at.append(time.perf_counter())
        return web.Response(text="ok")

    def _check_limits(self, method: str, params: dict[str, Any]) -> None:
        if len(params.get("text") or "") > 40000:
            self.violations.append(f"{method}: text of {len(params['text'])} chars")
        blocks = params.get("blocks") or []
        if len(blocks) > 50:
            self.violations.append(f"{method}: {len(blocks)} blocks")
        for block in blocks:
            text = (block.get("text") or {}).get("text") or ""
            if len(text) > 3000:
                self.violations.append(f"{method}: section of {len(text)} chars")

    def delivered(self) -> list[str]:
        """Everything the bot showed, as JSON text: posts, updates, and each native stream
        (its text and the blocks it ended with)."""
        shown = [json.dumps(p) for m, p in self.calls if m in ("chat.postMessage", "chat.update")]
        return shown + [json.dumps([s["text"], s["blocks"]]) for s in self.streams.values()]

    def of(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    def times_of(self, method: str) -> list[float]:
        return [
            t for (name, _), t in zip(self.calls, self.received_at, strict=True) if name == method
        ]

    async def wait_for(
        self, method: str, count: int = 1, timeout: float = 60
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.of(method)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{method} x{count} not seen; calls: {self.calls}")
            await asyncio.sleep(0.05)
        return self.of(method)


def _streamed_text(params: dict[str, Any]) -> str:
    """The markdown a stream call adds: ``markdown_text`` and/or markdown_text chunks."""
    chunks = params.get("chunks") or []
    pieces = [c.get("text", "") for c in chunks if c.get("type") == "markdown_text"]
    return (params.get("markdown_text") or "") + "".join(pieces)
