"""`wikibot serve` as a process: logs, the HTTP site, Socket Mode, and a graceful shutdown.

SIGTERM (or SIGINT): /readyz turns 503 at once ("draining"), the listening socket closes (no
new connections; Slack and Teams retry elsewhere), answers in flight finish, up to
WIKIBOT_SERVER__SHUTDOWN_GRACE_S, then the process exits 0. Keep the pod's
terminationGracePeriodSeconds above the grace period (the Helm chart does).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time

from aiohttp import web

from bot.app import App
from bot.serve.json_logs import use_json_logs
from bot.serve.surfaces import surface_lines
from bot.serve.web import PIPELINE_KEY, READINESS_KEY, SLACK_KEY, build_web_app

logger = logging.getLogger("wikibot.serve")


async def serve(app: App, host: str, port: int) -> bool:
    """Serve until SIGTERM/SIGINT; True when every answer in flight finished in the grace
    period, False when some were abandoned (their worker threads may still be blocked: the
    caller exits the process without waiting for them)."""
    settings = app.settings
    if settings.server.log_format == "json":
        use_json_logs(settings.log_level)
    web_app = build_web_app(app)
    slack_identity = ""
    if settings.slack.enabled:
        from bot.slack.startup import check_tokens

        slack_identity = await check_tokens(settings.slack)  # a refused token: not started
    runner = web.AppRunner(web_app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    print(f"wikibot serving on http://{host}:{port} (/healthz, /readyz, /metrics)", flush=True)
    for line in surface_lines(app, slack_identity):
        print(f"  {line}", flush=True)
    from bot.index_admin.channel_server import open_admin_channel

    channel = await open_admin_channel(app)  # the CLI's index commands run here meanwhile
    if channel is not None:
        print(f"  CLI: `wikibot index|sync|remove|sources|status|ask` run in this process "
              f"(admin socket {channel.path})", flush=True)
    socket_handler, connecting = None, None
    slack = web_app.get(SLACK_KEY)
    if slack is not None and settings.slack.app_token:
        from bot.slack.socket_mode import connect_socket_mode

        token = settings.slack.app_token.get_secret_value()
        socket_handler, connecting = connect_socket_mode(slack, token)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    finished = False
    try:
        await stop.wait()
        finished = await _drain(web_app, site, settings.server.shutdown_grace_s, socket_handler)
    finally:
        if channel is not None:
            await channel.close()
        if connecting is not None:
            connecting.cancel()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await runner.cleanup()
    print("wikibot stopped", flush=True)
    return finished


async def _drain(
    app: web.Application, site: web.TCPSite, grace_s: float, socket_handler: object | None
) -> bool:
    started = time.monotonic()
    app[READINESS_KEY].draining = True
    in_flight = app[PIPELINE_KEY].in_flight
    logger.warning(
        "shutting down: %d answer(s) in flight, waiting up to %.0f s", in_flight.count, grace_s
    )
    if socket_handler is not None:
        await socket_handler.close_async()  # type: ignore[attr-defined]
    await site.stop()  # no new connections
    finished = await in_flight.wait_idle(grace_s)
    if finished:
        logger.warning("all answers finished in %.1f s", time.monotonic() - started)
    else:
        logger.warning("grace period over: %d answer(s) abandoned", in_flight.count)
    return finished
