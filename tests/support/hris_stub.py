"""A local HTTP server standing in for a BambooHR-style HRIS API: a paged employee
directory and per-employee time-off balances; can be made slow or failing."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from aiohttp import web

from tests.support.web_site import start_site

PAGE_SIZE = 2


class HRISStub:
    def __init__(self, employees: list[dict[str, Any]], api_key: str = "hris-key") -> None:
        self.employees = employees  # {id, workEmail, displayName, department, supervisor, ...}
        self.api_key = api_key
        self.delay_s = 0.0
        self.fail_with: int | None = None  # answer every request with this status
        self.requests: list[str] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/v1/employees/directory", self._directory)
        app.router.add_get("/v1/employees/{id}/time_off/calculator", self._balances)
        self.runner, self.url = await start_site(app)

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()

    async def _gate(self, request: web.Request) -> web.Response | None:
        self.requests.append(request.path_qs)
        await asyncio.sleep(self.delay_s)
        if self.fail_with:
            return web.json_response({"error": "down"}, status=self.fail_with)
        auth = request.headers.get("Authorization", "")
        expected = aiohttp.BasicAuth(self.api_key, "x").encode()
        if auth != expected:
            return web.json_response({"error": "bad key"}, status=401)
        return None

    async def _directory(self, request: web.Request) -> web.Response:
        refused = await self._gate(request)
        if refused:
            return refused
        page = int(request.query.get("page", "1"))
        chunk = self.employees[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        more = page * PAGE_SIZE < len(self.employees)
        people = [{k: e[k] for k in e if not k.startswith("balance")} for e in chunk]
        return web.json_response({"employees": people, "next_page": page + 1 if more else None})

    async def _balances(self, request: web.Request) -> web.Response:
        refused = await self._gate(request)
        if refused:
            return refused
        person = next(e for e in self.employees if str(e["id"]) == request.match_info["id"])
        return web.json_response(
            [
                {
                    "name": "Vacation",
                    "balance": person["balance_vacation"],
                    "units": "days",
                    "accrued": 25,
                    "used": 25 - person["balance_vacation"],
                    "asOf": "2026-11-20",
                },
                {"name": "Sick", "balance": person["balance_sick"], "units": "days"},
            ]
        )
