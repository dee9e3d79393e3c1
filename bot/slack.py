"""Slack adapter (slack-bolt AsyncApp): events -> ChatEvent -> pipeline -> Block Kit.

Thin: converts payloads and calls the platform-free pipeline, commands and feedback store.
Bolt verifies signatures (401 otherwise), answers url_verification, ignores the bot's own
events and acks events at once; slow work runs after the ack.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Literal

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import Caller, Commands
from bot.config import SlackSettings
from bot.memory import ConversationKey
from bot.models import ChatEvent
from bot.pipeline import QuestionPipeline
from bot.render import SEARCHING_TEXT, slack_answer_messages, slack_escape
from bot.shared_state import SharedState
from bot.slack_stream import ThrottledStreamer, UpdateBudget

logger = logging.getLogger(__name__)
MENTION = re.compile(r"<@[UW][A-Z0-9]+(\|[^>]*)?>")


def slack_client(settings: SlackSettings, *, retry_429: bool = True) -> AsyncWebClient:
    """A Web API client; with ``retry_429`` it waits out a 429's Retry-After and retries."""
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    client = AsyncWebClient(token=token, base_url=settings.api_url.rstrip("/") + "/")
    if retry_429:
        client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
    return client


class SlackAdapter:
    def __init__(
        self,
        settings: SlackSettings,
        pipeline: QuestionPipeline,
        commands: Commands,
        state: SharedState,
        admins: set[str],
    ) -> None:
        self.settings, self.pipeline, self.commands, self.state = (
            settings,
            pipeline,
            commands,
            state,
        )
        self.admins = admins | set(settings.admins)
        self.emails: dict[str, str | None] = {}  # user id -> verified email (process lifetime)
        self.client = slack_client(settings)
        # streaming updates are optional: on a 429 they pause (all of them) rather than retry
        self.stream_client = slack_client(settings, retry_429=False)
        self.stream_budget = UpdateBudget(per_minute=settings.stream_updates_per_minute)
        secret = settings.signing_secret.get_secret_value() if settings.signing_secret else None
        self.app = AsyncApp(client=self.client, signing_secret=secret)
        self.app.event("app_mention")(self.on_mention)
        self.app.event("message")(self.on_message)
        self.app.command("/wikibot")(self.on_command)
        self.app.action(re.compile("^feedback_(up|down)$"))(self.on_feedback)
        self.app.event(re.compile(".*"))(self.ignore)  # other events: 200, quietly

    async def ignore(self) -> None:
        return None

    async def on_mention(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("bot_id") or event.get("subtype"):
            return  # other bots (and edits): never answer, no loops
        await self.answer(body, event, thread=event.get("thread_ts") or event["ts"])

    async def on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("bot_id") or event.get("subtype") or not event.get("user"):
            return
        if event.get("channel_type") == "im":
            await self.answer(body, event, thread=event.get("thread_ts", ""))
            return
        # an un-mentioned reply in a thread where the bot already answered (opt-in);
        # mentioned replies arrive as app_mention and are answered there
        thread = event.get("thread_ts")
        if not (self.settings.answer_unmentioned_replies and thread) or MENTION.search(
            event.get("text", "")
        ):
            return
        chat_event = self.to_chat_event(body, event, thread)
        if await self.state.memory.history(ConversationKey.of(chat_event)):
            await self.answer(body, event, thread=thread)

    def to_chat_event(self, body: dict[str, Any], event: dict[str, Any], thread: str) -> ChatEvent:
        is_dm = event.get("channel_type") == "im"
        user = event["user"]
        return ChatEvent(
            platform="slack",
            workspace=body.get("team_id") or event.get("team", ""),
            channel=event["channel"],
            thread=thread,
            user=user,
            text=MENTION.sub("", event.get("text", "")).strip(),
            event_id=body.get("event_id", ""),
            is_dm=is_dm,
            is_admin=user in self.admins,
        )

    async def answer(self, body: dict[str, Any], event: dict[str, Any], *, thread: str) -> None:
        async with self.pipeline.in_flight.track():  # a shutdown waits for it
            await self._answer(body, event, thread=thread)

    async def _answer(self, body: dict[str, Any], event: dict[str, Any], *, thread: str) -> None:
        chat_event = self.to_chat_event(body, event, thread)
        channel, thread_ts = chat_event.channel, thread or None
        if not chat_event.text:
            return
        admission = await self.pipeline.admit(chat_event)
        if admission is None:
            return  # a retry of an event already being answered
        if admission.kind == "rate_limited":
            await self.client.chat_postMessage(
                channel=channel, text=admission.text, thread_ts=thread_ts
            )
            return
        placeholder = await self.client.chat_postMessage(
            channel=channel, text=SEARCHING_TEXT, thread_ts=thread_ts
        )
        ts = placeholder["ts"]
        streamer = ThrottledStreamer(
            self.stream_client,
            channel,
            ts,
            interval_s=self.settings.update_interval_s,
            budget=self.stream_budget,
        )
        try:
            reply = await self.pipeline.answer(
                chat_event, streamer.on_token, identity=self, can_send_privately=True
            )
        except Exception:
            logger.exception("answering a Slack question failed")
            await streamer.finish()
            await self.client.chat_update(
                channel=channel,
                ts=ts,
                text="Sorry, something went wrong while answering. Please try again in a minute.",
            )
            return
        await streamer.finish()
        assert reply.answer is not None
        feedback_id = await self.pipeline.remember(chat_event, reply)
        messages = slack_answer_messages(reply.answer, feedback_id=feedback_id)
        await self.client.chat_update(channel=channel, ts=ts, **messages[0])
        for more in messages[1:]:
            await self.client.chat_postMessage(channel=channel, thread_ts=thread or ts, **more)
        if reply.private_text:  # the asker's own HR figures: visible to them alone
            await self.client.chat_postEphemeral(
                channel=channel,
                user=chat_event.user,
                text=slack_escape(reply.private_text),
                thread_ts=thread or ts,
            )

    async def email_of(self, user: str) -> str | None:
        """The user's verified email (users.info; needs users:read.email), cached."""
        if user in self.emails:
            return self.emails[user]
        try:
            info = await self.client.users_info(user=user)
        except Exception as exc:
            logger.warning("users.info failed: %s", type(exc).__name__)
            return None
        profile = (info.get("user") or {}).get("profile") or {}
        email = profile.get("email") or None
        self.emails[user] = email
        return email

    async def on_command(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()  # within Slack's 3 s; everything else goes to response_url

        async def say(text: str) -> None:
            await respond(text=text, response_type="ephemeral", replace_original=False)

        user = body["user_id"]
        caller = Caller(
            platform="slack",
            workspace=body.get("team_id", ""),
            user=user,
            is_admin=await self.is_admin(user),
            display=f"<@{user}> (Slack)",
        )
        await say(await self.commands.run(body.get("text", ""), caller, say))

    async def is_admin(self, user: str) -> bool:
        if user in self.admins:
            return True
        if not self.settings.admin_usergroup:
            return False
        try:
            members = await self.client.usergroups_users_list(
                usergroup=self.settings.admin_usergroup
            )
        except Exception as exc:
            logger.warning("could not read the admin user group: %s", exc)
            return False
        return user in (members.get("users") or [])

    async def on_feedback(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        action = body["actions"][0]
        vote: Literal["up", "down"] = "up" if action["action_id"] == "feedback_up" else "down"
        user = body["user"]["id"]
        record = await self.state.feedback.vote(action.get("value", ""), user, vote)
        if record:
            self.pipeline.metrics.voted("slack", vote)
        text = "Thanks for the feedback!" if record else "Sorry, that answer is too old to rate."
        channel = (body.get("channel") or body.get("container") or {}).get("id") or body.get(
            "container", {}
        ).get("channel_id")
        message = body.get("message") or {}
        thread = message.get("thread_ts") or message.get("ts")
        await self.client.chat_postEphemeral(
            channel=channel, user=user, text=slack_escape(text), thread_ts=thread
        )
