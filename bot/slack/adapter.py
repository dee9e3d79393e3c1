"""Slack adapter (slack-bolt AsyncApp): events -> ChatEvent -> pipeline -> Block Kit.

Thin: converts payloads and calls the platform-free pipeline, commands and feedback store.
Bolt verifies signatures (401 otherwise), answers url_verification, ignores the bot's own
events and acks events at once; slow work runs after the ack.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.admins import AdminRule
from bot.config import SlackSettings
from bot.index_admin.commands import Caller, question_in
from bot.models import ChatEvent
from bot.slack.assistant import AssistantPane, AssistantThreads
from bot.slack.feedback_actions import SlackFeedback
from bot.slack.feedback_modal import COMMENT_CALLBACK
from bot.slack.home import publish_home
from bot.slack.members import SlackMembers, membership_key
from bot.slack.native_stream import RefusedConversations
from bot.slack.people import SlackPeople
from bot.slack.render import FEEDBACK_ACTION
from bot.slack.stream import UpdateBudget
from bot.slack.thread import SlackThread
from bot.state.memory import ConversationKey
from bot.surface import respond as respond_to

if TYPE_CHECKING:
    from bot.app import App

logger = logging.getLogger(__name__)
# Bolt reads SLACK_BOT_TOKEN from the environment itself, then warns that our client wins
logging.getLogger("slack_bolt.AsyncApp").addFilter(
    lambda record: "`token` will be unused" not in record.getMessage()
)
MEMBERSHIP_EVENTS = ("member_joined_channel", "member_left_channel", "channel_shared",
                     "channel_unshared", "channel_left", "group_left")
MENTION = re.compile(r"<@[UW][A-Z0-9]+(\|[^>]*)?>")


def slack_client(settings: SlackSettings, *, retry_429: bool = True) -> AsyncWebClient:
    """A Web API client; with ``retry_429`` it waits out a 429's Retry-After and retries."""
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    client = AsyncWebClient(token=token, base_url=settings.api_url.rstrip("/") + "/")
    if retry_429:
        client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
    return client


class SlackAdapter:
    def __init__(self, settings: SlackSettings, app: App) -> None:
        self.settings, self.pipeline, self.commands = settings, app.pipeline, app.commands
        self.memory, self.wikibot = app.state.memory, app
        self.admins = AdminRule(app.settings)
        self.versions = app.state.membership_versions
        self.client = slack_client(settings)
        self.people = SlackPeople(self.client)  # verified e-mails, our own organisation only
        self.members = SlackMembers(self.client, self.people, app.settings.channel_answers)
        # streaming updates are optional: on a 429 they pause (all of them) rather than retry
        self.stream_client = slack_client(settings, retry_429=False)
        self.stream_budget = UpdateBudget(per_minute=settings.stream_updates_per_minute)
        self.refused = RefusedConversations()  # conversations without native streaming
        self.legacy_feedback = False  # the workspace refused feedback_buttons: plain buttons
        secret = settings.signing_secret.get_secret_value() if settings.signing_secret else None
        threads = AssistantThreads(app.state.client)
        self.app = AsyncApp(
            client=self.client, signing_secret=secret, assistant_thread_context_store=threads
        )
        self.app.use(AssistantPane(self, threads).middleware())
        self.app.event("app_mention")(self.on_mention)
        self.app.event("message")(self.on_message)
        self.app.command("/wikibot")(self.on_command)
        feedback = SlackFeedback(self.client, app.state.feedback, app.pipeline)
        self.app.action(re.compile(f"^(feedback_(up|down)|{FEEDBACK_ACTION})$"))(feedback.on_click)
        self.app.view(COMMENT_CALLBACK)(feedback.on_comment)
        for changed in MEMBERSHIP_EVENTS:
            self.app.event(changed)(self.on_membership_change)
        self.app.event("app_home_opened")(self.on_home_opened)
        self.app.event(re.compile(".*"))(self.ignore)  # other events: 200, quietly

    async def ignore(self) -> None:
        return None

    async def on_membership_change(self, event: dict[str, Any]) -> None:
        """Someone joined or left (or the channel was shared or unshared): an answer in
        flight there is recomputed for the new members before it is posted, on any replica
        (members are read afresh for every answer anyway)."""
        channel = event.get("channel")
        channel = channel.get("id") if isinstance(channel, dict) else channel
        if isinstance(channel, str) and channel:
            await self.versions.bump(membership_key(channel))

    async def on_home_opened(self, event: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home" and event.get("user"):
            user = str(event["user"])
            is_admin = await self.is_admin(user)
            await publish_home(self.client, self.wikibot, user, is_admin=is_admin)

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
        if await self.memory.history(ConversationKey.of(chat_event)):
            await self.answer(body, event, thread=thread)

    def to_chat_event(self, body: dict[str, Any], event: dict[str, Any], thread: str) -> ChatEvent:
        user = event["user"]
        return ChatEvent(
            platform="slack",
            workspace=body.get("team_id") or event.get("team", ""),
            channel=event["channel"],
            thread=thread,
            user=user,
            text=MENTION.sub("", event.get("text", "")).strip(),
            event_id=body.get("event_id", ""),
            is_dm=event.get("channel_type") == "im",
            is_admin=self.admins.named("slack", user),
        )

    async def answer(self, body: dict[str, Any], event: dict[str, Any], *, thread: str) -> None:
        chat_event = self.to_chat_event(body, event, thread)
        await respond_to(self.pipeline, chat_event, SlackThread(self, chat_event, thread))

    async def email_of(self, user: str) -> str | None:
        """The user's verified email (users.info; needs users:read.email), for accounts of
        our own organisation only (bot/slack/people.py)."""
        return await self.people.email_of(user)

    async def on_command(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        from bot.slack.slash_question import SlashReply, slash_event

        user = body["user_id"]
        asked = question_in(body.get("text", ""))
        if asked is not None:  # `/wikibot how many vacation days?`
            await ack(text=messages.SEARCHING)  # ephemeral, within Slack's 3 s
            question, public = asked
            event = slash_event(body, question, public=public, is_admin=await self.is_admin(user))
            await respond_to(self.pipeline, event, SlashReply(self, respond, public=public))
            return
        await ack()  # within Slack's 3 s; everything else goes to response_url

        async def say(text: str) -> None:
            await respond(text=text, response_type="ephemeral", replace_original=False)

        caller = Caller(
            platform="slack",
            workspace=body.get("team_id", ""),
            user=user,
            is_admin=await self.is_admin(user),
            display=f"<@{user}> (Slack)",
        )
        await say(await self.commands.run(body.get("text", ""), caller, say))

    async def is_admin(self, user: str) -> bool:
        """The admin rule, plus members of WIKIBOT_SLACK__ADMIN_USERGROUP."""
        if self.admins.named("slack", user):
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
