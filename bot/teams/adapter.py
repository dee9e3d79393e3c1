"""Microsoft Teams adapter (botbuilder CloudAdapter): activity -> ChatEvent -> pipeline ->
Adaptive Card. Thin: payload conversion here, the rest in the pipeline, commands, feedback.

POST /api/messages: the activity's JWT is validated first (any failure is a 401, whatever
the SDK raised); messages are then answered after the HTTP response, invokes before it.
Without an app id nothing is processed unless dev mode is on (a loud warning then).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import jwt
from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)
from botframework.connector.auth import ChannelValidation

from bot import messages
from bot.admins import AdminRule
from bot.chat_settings import TeamsSettings
from bot.conversation_access import Membership
from bot.index_admin.commands import Caller
from bot.models import Answer, ChatEvent
from bot.surface import respond
from bot.teams import keys as teams_keys
from bot.teams.activity import EmailCache, TeamsIdentity, from_bot, is_command, strip_mentions
from bot.teams.feedback import TeamsFeedback
from bot.teams.members import TeamsMembers, membership_keys
from bot.teams.render import FEEDBACK_KEY, teams_answer_messages
from bot.teams.send import TeamsStreamer, as_activity, send

if TYPE_CHECKING:
    from bot.app import App

logger = logging.getLogger(__name__)
AUTH_TIMEOUT_S = 15.0


def require_expiry(header: str) -> None:
    """Refuse a bearer token without an ``exp`` claim (the SDK accepts one): a token that
    never expires is a token that can be replayed forever. The signature is checked after."""
    scheme, _, token = header.partition(" ")
    if scheme != "Bearer" or not token:
        raise PermissionError("no bearer token")
    claims = jwt.decode(token, options={"verify_signature": False})
    if not isinstance(claims.get("exp"), int | float):
        raise PermissionError("the token has no expiry")


class _SdkConfig:
    """The attribute names botbuilder's configuration classes read."""

    def __init__(self, settings: TeamsSettings) -> None:
        self.APP_ID = settings.app_id
        self.APP_PASSWORD = (
            settings.app_password.get_secret_value() if settings.app_password else ""
        )
        # dev mode has no app id: the SDK only accepts that as an (unauthenticated) multi-tenant
        self.APP_TYPE = settings.app_type if settings.app_id else "MultiTenant"
        self.APP_TENANTID = settings.tenant_id


def startup_problem(settings: TeamsSettings) -> str:
    """Why Teams cannot start as configured ("" when it can)."""
    if settings.enabled and not (settings.app_id or settings.dev_mode):
        return (
            "Teams is enabled (WIKIBOT_TEAMS__ENABLED) but MICROSOFT_APP_ID is not set: set "
            "MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD, or WIKIBOT_TEAMS_DEV_MODE=1 for local "
            "development without authentication"
        )
    if settings.app_id and settings.app_type == "SingleTenant" and not settings.tenant_id:
        return (
            "MICROSOFT_APP_ID is set and the bot is single-tenant (MICROSOFT_APP_TYPE, the "
            "default since Azure stopped creating multi-tenant bots): also set "
            "MICROSOFT_APP_TENANT_ID (the Directory (tenant) ID on the app registration's "
            "Overview page), or MICROSOFT_APP_TYPE=MultiTenant for a bot created before "
            "31 July 2025"
        )
    if settings.app_id and settings.app_type != "UserAssignedMSI" and not settings.app_password:
        return "MICROSOFT_APP_ID is set: also set MICROSOFT_APP_PASSWORD"
    return ""


class TeamsAdapter:
    def __init__(self, settings: TeamsSettings, app: App) -> None:
        self.settings, self.pipeline, self.commands = settings, app.pipeline, app.commands
        self.admins = AdminRule(app.settings)
        if settings.openid_metadata_url:  # the SDK's documented override (sovereign clouds)
            ChannelValidation.open_id_metadata_endpoint = settings.openid_metadata_url
        teams_keys.install()  # signing keys fetched off the event loop, with a timeout
        self.adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(_SdkConfig(settings)))
        self.jobs: set[asyncio.Task[Any]] = set()
        self.emails: EmailCache = {}  # user -> roster email/UPN, for EMAIL_TTL_S
        self.members = TeamsMembers(app.state.membership_versions)
        self.feedback = TeamsFeedback(app.state.feedback, app.pipeline)
        if settings.active and not settings.app_id:
            logger.warning(
                "TEAMS DEV MODE: /api/messages accepts UNAUTHENTICATED activities. "
                "Never run this way in production (set MICROSOFT_APP_ID instead)."
            )

    async def handle(self, request: web.Request) -> web.Response:
        if not self.settings.active:
            return web.json_response({"error": "Teams is not configured here"}, status=401)
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": "expected application/json"}, status=415)
        try:
            raw = json.loads(await request.read())
            activity = Activity.deserialize(raw) if isinstance(raw, dict) else None
        except Exception:
            activity = None
        if activity is None:
            return web.json_response({"error": "the body is not an Activity"}, status=400)
        if not isinstance(activity.type, str) or not activity.type:
            return web.json_response({"error": "the Activity has no type"}, status=400)
        auth = self.adapter.bot_framework_authentication
        header = request.headers.get("Authorization", "")
        try:
            if self.settings.app_id:
                require_expiry(header)
            result = await asyncio.wait_for(
                auth.authenticate_request(activity, header), AUTH_TIMEOUT_S
            )
        except Exception as exc:  # PermissionError, and the SDK's 500s on some bad tokens
            logger.warning("rejected a Teams activity: %s", type(exc).__name__)
            return web.json_response({"error": "unauthorized"}, status=401)
        if activity.type == "invoke":
            invoke = await self.adapter.process_activity(result, activity, self.on_turn)
            status = invoke.status if invoke else 200
            return web.json_response(invoke.body if invoke else {}, status=status)
        job = asyncio.create_task(self.adapter.process_activity(result, activity, self.on_turn))
        self.jobs.add(job)
        job.add_done_callback(self._done)
        return web.Response(status=201)  # answered after the response, like Slack's ack

    def _done(self, job: asyncio.Task[Any]) -> None:
        self.jobs.discard(job)
        if not job.cancelled() and job.exception() is not None:
            logger.error("a Teams turn failed", exc_info=job.exception())

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.type == "invoke":
            context.turn_state[self.adapter._INVOKE_RESPONSE_KEY] = Activity(
                type="invokeResponse", value=InvokeResponse(status=200, body={})
            )
            return
        if await self.members.on_update(context):  # members added or removed
            return
        if activity.type != "message" or from_bot(activity):
            return  # other conversation updates, reactions, other bots: nothing to do
        if isinstance(activity.value, dict) and FEEDBACK_KEY in activity.value:
            await self.feedback.on_click(context)
            return
        event = self.to_chat_event(activity)
        if not event.text:
            return
        words = event.text.lstrip("/").split()
        if is_command(words):
            await self.on_command(context, event, " ".join(words))
            return
        await respond(self.pipeline, event, TeamsConversation(self, context, event))

    def to_chat_event(self, activity: Activity) -> ChatEvent:
        conversation, sender = activity.conversation, activity.from_property
        channel, _, thread = (conversation.id or "").partition(";messageid=")
        tenant = (activity.channel_data or {}).get("tenant", {}).get("id") or getattr(
            conversation, "tenant_id", ""
        )
        user = sender.aad_object_id or sender.id
        return ChatEvent(
            platform="teams",
            workspace=tenant or "",
            channel=channel,
            thread=thread,
            user=user,
            text=strip_mentions(activity),
            event_id=activity.id or "",
            is_dm=conversation.conversation_type == "personal",
            # only a verified Azure AD object id can name an admin
            is_admin=bool(sender.aad_object_id) and self.admins.named("teams", user),
        )

    async def on_command(self, context: TurnContext, event: ChatEvent, text: str) -> None:
        reference = TurnContext.get_conversation_reference(context.activity)
        caller = Caller(
            platform="teams",
            workspace=event.workspace,
            user=event.user,
            is_admin=event.is_admin,
            display=f"{context.activity.from_property.name or event.user} (Teams)",
        )

        async def say(message: str) -> None:  # later messages (reindex progress): proactive
            await self.proactive(reference, message)

        await send(
            context, Activity(type="message", text=await self.commands.run(text, caller, say))
        )

    async def proactive(self, reference: ConversationReference, text: str) -> None:
        async def deliver(context: TurnContext) -> None:
            await send(context, Activity(type="message", text=text))

        await self.adapter.continue_conversation(reference, deliver, self.settings.app_id)

class TeamsConversation:
    """The Surface of one Teams question: typing, then in a personal chat a streamed answer
    (Teams streams 1:1 only); private figures through a 1:1 chat the bot opens."""

    def __init__(self, adapter: TeamsAdapter, context: TurnContext, event: ChatEvent) -> None:
        self.adapter, self.context, self.is_dm = adapter, context, event.is_dm
        self.streamer = TeamsStreamer(context, interval_s=adapter.settings.stream_interval_s)
        self.identity = TeamsIdentity(context, adapter.emails)

    async def say(self, text: str) -> None:
        await send(self.context, Activity(type="message", text=text))

    async def started(self) -> Callable[[str], None] | None:
        await send(self.context, Activity(type="typing"))
        if not self.is_dm:
            return None
        await self.streamer.start(messages.SEARCHING)
        return self.streamer.on_token

    async def finish(self, answer: Answer, feedback_id: str) -> None:
        await self.streamer.stop()
        activities = [
            as_activity(m) for m in teams_answer_messages(answer, feedback_id=feedback_id)
        ]
        await send(self.context, self.streamer.final(activities[0]))
        for more in activities[1:]:
            await send(self.context, more)

    async def failed(self, reason: str) -> None:
        text = messages.FAILED  # the reason is for the log (bot/surface.py logs it)
        await self.streamer.stop()
        await send(self.context, self.streamer.final(Activity(type="message", text=text)))

    async def send_privately(self, text: str) -> bool:
        """Open (or reuse) the 1:1 chat with the asker and send ``text`` there only."""
        activity = self.context.activity
        tenant = (activity.channel_data or {}).get("tenant", {}).get("id") or getattr(
            activity.conversation, "tenant_id", None
        )
        params = ConversationParameters(
            is_group=False,
            bot=activity.recipient,
            members=[ChannelAccount(id=activity.from_property.id)],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}},
        )

        async def deliver(private: TurnContext) -> None:
            await send(private, Activity(type="message", text=text))

        try:
            await self.adapter.adapter.create_conversation(
                self.adapter.settings.app_id,
                deliver,
                params,
                activity.channel_id,
                activity.service_url,
            )
        except Exception as exc:
            logger.warning("could not open a personal chat: %s", type(exc).__name__)
            return False
        return True

    async def email_of(self, user: str) -> str | None:
        return await self.identity.email_of(user)

    def membership_keys(self) -> tuple[str, ...]:
        return membership_keys(self.context)

    async def conversation_members(self) -> Membership | None:
        return await self.adapter.members.of(self.context)
