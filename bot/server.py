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
from bot.json_logs import request_id
from bot.log_privacy import cap_sdk_loggers
from bot.metrics import Metrics
from bot.models import PUBLIC
from bot.personal import build_personal_answers
from bot.pipeline import QuestionPipeline
from bot.readiness import Readiness
from bot.serve_checks import unsafe_settings
from bot.shared_state import build_shared_state
from bot.slack import SlackAdapter
from bot.slack_request_check import check_slack_request
from bot.teams import TeamsAdapter

logger = logging.getLogger(__name__)
SLACK_KEY = web.AppKey("slack", SlackAdapter)
TEAMS_KEY = web.AppKey("teams", TeamsAdapter)
READINESS_KEY = web.AppKey("readiness", Readiness)
PIPELINE_KEY = web.AppKey("pipeline", QuestionPipeline)


def build_web_app(settings: Settings, components: Components | None = None) -> web.Application:
    cap_sdk_loggers()  # SDKs log whole bodies (answers, HR figures) below WARNING
    problems = unsafe_settings(settings)
    if problems:
        raise ConfigurationError("refusing to start:\n  " + "\n  ".join(problems))
    components = components or Components(settings)
    state = build_shared_state(settings.redis, settings.limits, settings.log)
    admins = set(settings.limits.admins)
    answering = ThreadPoolExecutor(settings.server.answer_threads, thread_name_prefix="answer")
    pipeline = QuestionPipeline(
        engine=_LazyEngine(components),
        state=state,
        admins=admins,
        executor=answering,
        groups=GroupDirectory.load(settings.groups_file),
        personal=build_personal_answers(components.sources.hr_settings()),
        metrics=Metrics(index_facts=lambda: _index_facts(components)),
    )
    commands = Commands(components, state)
    readiness = Readiness(store=lambda: components.store, state=state, llm=settings.llm)
    app = web.Application(middlewares=[_request_ids])
    app[READINESS_KEY], app[PIPELINE_KEY] = readiness, pipeline

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(request: web.Request) -> web.Response:
        status, body = await readiness.report()
        return web.json_response(body, status=status)

    async def metrics(request: web.Request) -> web.Response:
        data = await asyncio.to_thread(pipeline.metrics.exposition)
        return web.Response(body=data, content_type="text/plain", charset="utf-8")

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    if settings.slack.enabled:
        slack = SlackAdapter(settings.slack, pipeline, commands, state, admins)
        app[SLACK_KEY] = slack

        secret = settings.slack.signing_secret
        signing_secret = secret.get_secret_value() if secret else None

        async def slack_events(request: web.Request) -> web.Response:
            body = await request.read()
            rejection = check_slack_request(body, request.headers, signing_secret)
            if rejection is not None:
                logger.warning("refused a Slack request: %s", rejection.reason)
                return web.json_response({"error": rejection.reason}, status=rejection.status)
            try:
                response = await slack.app.async_dispatch(await to_bolt_request(request))
            except Exception as exc:  # a signed body Bolt cannot handle: the sender's fault
                logger.warning("could not handle a Slack request: %s", type(exc).__name__)
                return web.json_response({"error": "unprocessable request"}, status=400)
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
        # load the embedder, open the index and read its term statistics (~0.5 ms a chunk)
        # before the first question arrives
        try:
            await asyncio.to_thread(lambda: components.engine.retriever.vocabulary())
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


@web.middleware
async def _request_ids(request: web.Request, handler: Any) -> web.StreamResponse:
    """Every log line of a request (and of the work it starts) carries its id."""
    rid = request.headers.get("X-Request-Id") or uuid.uuid4().hex[:16]
    request_id.set(rid)
    response = await handler(request)
    response.headers["X-Request-Id"] = rid
    return response


def _index_facts(components: Components) -> dict[str, object]:
    """For /metrics: index size and each source's last sync (read at scrape time)."""
    store = components.store
    if store.current_collection() is None:
        return {"documents": 0, "chunks": 0, "sources": []}
    sources = [
        (s.name, s.outcome, s.last_run_at.timestamp())
        for s in components.sync_states.all()
        if s.last_run_at is not None
    ]
    return {"documents": store.document_count(), "chunks": store.count(), "sources": sources}
