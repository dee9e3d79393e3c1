"""`wikibot serve`: one aiohttp server for the chat platforms and probes.

POST /slack/events (when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set), POST
/api/messages (Teams: JWT-validated with MICROSOFT_APP_ID, refused without it unless
WIKIBOT_TEAMS_DEV_MODE=1), GET /healthz, GET /readyz; Slack Socket Mode instead of HTTP
events when SLACK_APP_TOKEN is set.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

from bot.app import Components
from bot.background_sync import sync_forever
from bot.commands import Commands
from bot.config import Settings
from bot.errors import ConfigurationError
from bot.groups import GroupDirectory
from bot.models import PUBLIC
from bot.personal import build_personal_answers
from bot.pipeline import QuestionPipeline
from bot.shared_state import build_shared_state
from bot.slack import SlackAdapter
from bot.teams import TeamsAdapter, startup_problem

logger = logging.getLogger(__name__)
SLACK_KEY = web.AppKey("slack", SlackAdapter)
TEAMS_KEY = web.AppKey("teams", TeamsAdapter)


# these SDKs log whole request and response bodies (answers, HR figures) at DEBUG
QUIET_SDK_LOGGERS = ("slack_sdk", "slack_bolt", "botbuilder", "botframework", "msrest", "msal")


def build_web_app(settings: Settings, components: Components | None = None) -> web.Application:
    for name in QUIET_SDK_LOGGERS:
        sdk_logger = logging.getLogger(name)
        sdk_logger.setLevel(max(sdk_logger.getEffectiveLevel(), logging.INFO))
    problem = startup_problem(settings.teams)
    if problem:
        raise ConfigurationError(problem)
    components = components or Components(settings)
    state = build_shared_state(settings.redis, settings.limits)
    admins = set(settings.limits.admins)
    answering = ThreadPoolExecutor(settings.server.answer_threads, thread_name_prefix="answer")
    pipeline = QuestionPipeline(
        engine=_LazyEngine(components),
        state=state,
        admins=admins,
        executor=answering,
        groups=GroupDirectory.load(settings.groups_file),
        personal=build_personal_answers(components.sources.hr_settings()),
    )
    commands = Commands(components, state)
    app = web.Application()

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", **await state.readiness()})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    if settings.slack.enabled:
        slack = SlackAdapter(settings.slack, pipeline, commands, state, admins)
        app[SLACK_KEY] = slack

        async def slack_events(request: web.Request) -> web.Response:
            response = await slack.app.async_dispatch(await to_bolt_request(request))
            return await to_aiohttp_response(response)

        app.router.add_post("/slack/events", slack_events)
    else:
        logger.warning(
            "Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN)"
        )

    teams = TeamsAdapter(settings.teams, pipeline, commands, state)
    app[TEAMS_KEY] = teams
    app.router.add_post("/api/messages", teams.handle)
    if not settings.teams.active:
        logger.warning("Teams is off: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD")

    async def warm_up(app: web.Application) -> None:
        # load the embedder and open the index before the first question arrives
        try:
            await asyncio.to_thread(lambda: components.engine)
        except Exception as exc:
            logger.warning("the answer engine is not ready yet: %s", exc)

    background: set[asyncio.Task[None]] = set()

    async def start_sync(app: web.Application) -> None:
        if settings.sync_interval_s:
            logger.info("background sync every %d s", settings.sync_interval_s)
            background.add(
                asyncio.create_task(sync_forever(components, state, settings.sync_interval_s))
            )

    async def close(app: web.Application) -> None:
        for job in [*commands.jobs, *teams.jobs, *background]:
            job.cancel()
        await state.close()
        answering.shutdown(wait=False, cancel_futures=True)

    app.on_startup.append(warm_up)
    app.on_startup.append(start_sync)
    app.on_cleanup.append(close)
    return app


class _LazyEngine:
    """The engine is built on first use (it loads the model and opens the index)."""

    def __init__(self, components: Components) -> None:
        self.components = components

    def ask(
        self, question: str, history: Any = None, *, on_token: Any = None, viewer: Any = PUBLIC
    ) -> Any:
        return self.components.engine.ask(question, history, on_token=on_token, viewer=viewer)


async def serve(settings: Settings, host: str, port: int) -> None:
    app = build_web_app(settings)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    print(
        f"wikibot serving on http://{host}:{port} (/slack/events, /api/messages, /healthz, /readyz)"
    )
    socket_handler = None
    slack = app.get(SLACK_KEY)
    if slack is not None and settings.slack.app_token:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        socket_handler = AsyncSocketModeHandler(
            slack.app, settings.slack.app_token.get_secret_value()
        )
        await socket_handler.connect_async()
        print("Slack Socket Mode connected")
    try:
        await asyncio.Event().wait()
    finally:
        if socket_handler is not None:
            await socket_handler.close_async()
        await runner.cleanup()
