"""Run an aiohttp application on a free local port (tests and benchmarks)."""

from __future__ import annotations

from aiohttp import web


async def start_site(app: web.Application) -> tuple[web.AppRunner, str]:
    """The started runner and the base URL ("http://127.0.0.1:PORT")."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"
