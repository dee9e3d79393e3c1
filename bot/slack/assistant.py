"""The assistant pane (Slack's "Agents & AI Apps" split view), through Bolt's AsyncAssistant.

* Thread started: a greeting (saying which channel the pane was opened from, if any) and up
  to four suggested prompts (bot/suggested_questions.py).
* Every message in the thread is a question with the thread as its memory; the first one
  becomes the thread's title.
* Opened from a channel: restricted text only if the asker is a current member of that
  channel and every member may read it (the rule of bot/conversation_access.py, channel
  answers turned on for that kind of channel), because what is said about a channel's work
  tends to be pasted into it; else public documents only. From the app's own DM tab, the
  asker's own access as in any DM.

Which threads are assistant threads, and their channel, is kept by ``AssistantThreads``
(Redis when configured, so every replica knows; in-process otherwise). A DM thread the store
does not know is answered as a DM thread always was; a thread whose context cannot be read
(Redis down on a replica that did not see it start) gets public documents only, never the
asker's own DM access.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from redis.asyncio import Redis
from slack_bolt.context.assistant.thread_context import AssistantThreadContext
from slack_bolt.context.assistant.thread_context_store.async_store import (
    AsyncAssistantThreadContextStore,
)
from slack_bolt.middleware.assistant.async_assistant import AsyncAssistant
from slack_sdk.errors import SlackApiError

from bot import messages
from bot.slack.thread import SlackThread, slack_error
from bot.state.memory import ConversationKey
from bot.suggested_questions import SuggestedQuestions
from bot.surface import respond as respond_to

if TYPE_CHECKING:
    from bot.slack.adapter import SlackAdapter

logger = logging.getLogger(__name__)
THREAD_TTL_S = 30 * 86400
TITLE_CHARS = 80


class ThreadContextUnreadable(Exception):
    """The store could not say whether (and beside which channel) a thread was opened."""


class AssistantThreads(AsyncAssistantThreadContextStore):
    """Assistant threads and the context each was opened from (Bolt's store protocol)."""

    def __init__(self, redis: Redis | None = None, *, limit: int = 50_000) -> None:
        self.redis, self.limit = redis, limit
        self.local: OrderedDict[str, dict[str, str]] = OrderedDict()
        self.unsaved: set[str] = set()  # kept here, not yet in Redis (saved at the next read)

    @staticmethod
    def key(channel_id: str, thread_ts: str) -> str:
        return f"wikibot:assistant_thread:{channel_id}:{thread_ts}"

    async def save(self, *, channel_id: str, thread_ts: str, context: dict[str, str]) -> None:
        key, value = self.key(channel_id, thread_ts), dict(context or {})
        self.local[key] = value
        self.local.move_to_end(key)
        while len(self.local) > self.limit:
            self.unsaved.discard(self.local.popitem(last=False)[0])
        self.unsaved.add(key)
        await self._flush()

    async def _flush(self) -> None:
        """Write what Redis does not have yet (another replica would answer it as a DM)."""
        if self.redis is None:
            self.unsaved.clear()
            return
        for key in list(self.unsaved):
            try:
                await self.redis.set(key, json.dumps(self.local[key]), ex=THREAD_TTL_S)
            except Exception as exc:
                logger.warning("could not keep an assistant thread in Redis: %s", exc)
                return
            self.unsaved.discard(key)

    async def context_of(self, channel_id: str, thread_ts: str) -> dict[str, str] | None:
        """The thread's context ({} if opened without a channel), or None if it is not an
        assistant thread this bot has seen; ThreadContextUnreadable if Redis cannot say.
        With Redis, Redis decides (a context changed on another replica wins over the copy
        here); without it, this process's copy."""
        key = self.key(channel_id, thread_ts)
        if self.redis is None:
            return self.local.get(key)
        try:
            await self._flush()
            raw = await self.redis.get(key)
            context = json.loads(raw) if raw else None
        except Exception as exc:
            logger.warning("could not read an assistant thread from Redis: %s", exc)
            raise ThreadContextUnreadable from exc
        if context is not None and not _is_context(context):
            raise ThreadContextUnreadable
        return context

    async def find(self, *, channel_id: str, thread_ts: str) -> AssistantThreadContext | None:
        try:
            context = await self.context_of(channel_id, thread_ts)
        except ThreadContextUnreadable:
            return None
        return AssistantThreadContext(context) if context and context.get("channel_id") else None


def sent_context(thread: dict[str, Any]) -> dict[str, str]:
    """The thread's context as Slack sent it, string fields only (junk: none)."""
    raw = thread.get("context")
    if not isinstance(raw, dict):
        return {}
    return {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)}


def _is_context(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


class AssistantPane:
    def __init__(self, adapter: SlackAdapter, threads: AssistantThreads) -> None:
        self.adapter, self.threads = adapter, threads
        app = adapter.wikibot
        self.suggestions = SuggestedQuestions(app, adapter.settings.suggested_prompts)

    def middleware(self) -> AsyncAssistant:
        assistant = AsyncAssistant(thread_context_store=self.threads, logger=logger)
        assistant.thread_started(self.on_thread_started)
        assistant.thread_context_changed(self.on_context_changed)
        assistant.user_message(self.on_user_message)
        return assistant

    async def on_thread_started(self, payload: dict[str, Any]) -> None:
        thread = payload["assistant_thread"]
        channel, ts = thread["channel_id"], thread["thread_ts"]
        context = sent_context(thread)
        await self.threads.save(channel_id=channel, thread_ts=ts, context=context)
        opened_from = context.get("channel_id", "")
        client = self.adapter.client
        await client.chat_postMessage(
            channel=channel,
            thread_ts=ts,
            text=messages.assistant_greeting(opened_from if opened_from != channel else ""),
        )
        prompts = await self.suggestions.get()
        if prompts:
            try:
                await client.assistant_threads_setSuggestedPrompts(
                    channel_id=channel, thread_ts=ts, prompts=prompts, title="Try asking"
                )
            except SlackApiError as exc:
                logger.warning("could not set suggested prompts: %s", slack_error(exc))

    async def on_context_changed(self, payload: dict[str, Any]) -> None:
        thread = payload["assistant_thread"]
        await self.threads.save(
            channel_id=thread["channel_id"],
            thread_ts=thread["thread_ts"],
            context=sent_context(thread),
        )

    async def on_user_message(self, body: dict[str, Any], payload: dict[str, Any]) -> None:
        if payload.get("subtype") not in (None, "file_share") or not payload.get("user"):
            return  # edits, joins, other bots
        adapter, channel, thread = self.adapter, payload["channel"], payload["thread_ts"]
        event = adapter.to_chat_event(body, payload, thread)
        try:
            context = await self.threads.context_of(channel, thread)
        except ThreadContextUnreadable:  # fail closed: public documents only
            event = event.model_copy(update={"is_dm": False})
            unknown = SlackThread(adapter, event, thread, assistant=True, context_unknown=True)
            await respond_to(adapter.pipeline, event, unknown)
            return
        if context is None:  # a DM thread outside the pane: answered as before
            await respond_to(adapter.pipeline, event, SlackThread(adapter, event, thread))
            return
        opened_from = context.get("channel_id", "")
        opened_from = "" if opened_from == channel else opened_from
        if opened_from:  # the channel's members decide what the answer may use
            event = event.model_copy(update={"is_dm": False})
        if event.text and not await adapter.memory.history(ConversationKey.of(event)):
            await self.set_title(channel, thread, event.text)
        surface = SlackThread(adapter, event, thread, assistant=True, context_channel=opened_from)
        await respond_to(adapter.pipeline, event, surface)

    async def set_title(self, channel: str, thread: str, question: str) -> None:
        title = question if len(question) <= TITLE_CHARS else question[: TITLE_CHARS - 1] + "…"
        try:
            await self.adapter.client.assistant_threads_setTitle(
                channel_id=channel, thread_ts=thread, title=title
            )
        except SlackApiError as exc:
            logger.info("could not set the thread title: %s", slack_error(exc))
