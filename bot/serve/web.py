"""`wikibot serve`: one aiohttp server for the chat platforms and probes.

POST /slack/events (when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set), POST
/api/messages (Teams: JWT-validated with MICROSOFT_APP_ID, refused without it unless
WIKIBOT_TEAMS_DEV_MODE=1), GET /healthz, GET /readyz; Slack Socket Mode instead of HTTP
events when SLACK_APP_TOKEN is set.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from aiohttp import web

from bot.app import App
from bot.errors import ConfigurationError
from bot.log_privacy import cap_sdk_loggers
from bot.pipeline import QuestionPipeline
from bot.serve.background_sync import sync_forever
from bot.serve.checks import unsafe_settings
from bot.serve.json_logs import request_id
from bot.serve.readiness import Readiness

logger = logging.getLogger(__name__)
# the platform packages load only when their platform is configured
SLACK_KEY: web.AppKey[Any] = web.AppKey("slack")
TEAMS_KEY: web.AppKey[Any] = web.AppKey("teams")
READINESS_KEY = web.AppKey("readiness", Readiness)
PIPELINE_KEY = web.AppKey("pipeline", QuestionPipeline)


def build_web_app(app: App) -> web.Application:
    settings = app.settings
    cap_sdk_loggers()  # SDKs log whole bodies (answers, HR figures) below WARNING
    problems = unsafe_settings(settings)
    if problems:
        raise ConfigurationError("refusing to start:\n  " + "\n  ".join(problems))
    pipeline, state = app.pipeline, app.state
    readiness = Readiness(store=lambda: app.store, state=state, llm=settings.llm)
    web_app = web.Application(middlewares=[_request_ids])
    web_app[READINESS_KEY], web_app[PIPELINE_KEY] = readiness, pipeline

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(request: web.Request) -> web.Response:
        status, body = await readiness.report()
        return web.json_response(body, status=status)

    async def metrics(request: web.Request) -> web.Response:
        data = await asyncio.to_thread(pipeline.metrics.exposition)
        return web.Response(body=data, content_type="text/plain", charset="utf-8")

    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/readyz", readyz)
    web_app.router.add_get("/metrics", metrics)
    jobs: list[set[asyncio.Task[Any]]] = [app.commands.jobs]
    if settings.slack.enabled:
        from bot.slack.adapter import SlackAdapter
        from bot.slack.routes import slack_events_route

        slack = SlackAdapter(settings.slack, app)
        web_app[SLACK_KEY] = slack
        web_app.router.add_post("/slack/events", slack_events_route(slack, settings.slack))
    else:
        from bot.slack.startup import not_configured_route, url_check_route

        secret = settings.slack.signing_secret
        route = url_check_route(secret.get_secret_value()) if secret else not_configured_route()
        web_app.router.add_post("/slack/events", route)
        logger.warning(
            "Slack is off: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode), or "
            "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP events)"
        )
    if settings.teams.active:
        from bot.teams.adapter import TeamsAdapter

        teams = TeamsAdapter(settings.teams, app)
        web_app[TEAMS_KEY] = teams
        web_app.router.add_post("/api/messages", teams.handle)
        jobs.append(teams.jobs)
    else:
        logger.warning("Teams is off: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD")

        async def teams_off(request: web.Request) -> web.Response:
            return web.json_response({"error": "Teams is not configured here"}, status=401)

        web_app.router.add_post("/api/messages", teams_off)

    async def warm_up(web_app: web.Application) -> None:
        # load the embedder, open the index and read its term statistics (~0.5 ms a chunk)
        # before the first question arrives
        try:
            await asyncio.to_thread(lambda: app.answer_engine.retriever.vocabulary())
        except Exception as exc:
            logger.warning("the answer engine is not ready yet: %s", exc)

    background: set[asyncio.Task[None]] = set()
    jobs.append(background)

    async def start_sync(web_app: web.Application) -> None:
        if settings.sync_interval_s:
            logger.info("background sync every %d s", settings.sync_interval_s)
        interval = settings.sync_interval_s
        # the first sync at once when the index is empty, then every interval (if any)
        background.add(asyncio.create_task(sync_forever(app, interval, readiness.first_sync)))

    async def close(web_app: web.Application) -> None:
        for group in jobs:
            for job in list(group):
                job.cancel()
        await app.close()

    web_app.on_startup.append(warm_up)
    web_app.on_startup.append(start_sync)
    web_app.on_cleanup.append(close)
    return web_app


@web.middleware
async def _request_ids(request: web.Request, handler: Any) -> web.StreamResponse:
    """Every log line of a request (and of the work it starts) carries its id."""
    rid = request.headers.get("X-Request-Id") or uuid.uuid4().hex[:16]
    request_id.set(rid)
    response = await handler(request)
    response.headers["X-Request-Id"] = rid
    return response
