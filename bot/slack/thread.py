"""The Surface of one Slack question (bot/surface.py): how the answer appears in a thread,
a DM or the assistant pane.

* Work started: in an assistant thread, ``assistant.threads.setStatus`` ("Searching the
  handbook…", then "Writing the answer…" once the LLM writes); elsewhere (or if the status
  is refused) a placeholder message.
* LLM text: streamed natively where there is a thread and Slack allows it
  (bot/slack/native_stream.py; the placeholder is deleted once the stream has started);
  else chat.update of the placeholder, throttled (bot/slack/stream.py). A refusal falls
  back to chat.update for this answer and is remembered for the conversation.
* The answer: sources and 👍/👎 (``feedback_buttons``) under the streamed text at
  chat.stopStream, and the message rewritten if the final text differs from what streamed
  (citations checked, the model's NOT_FOUND, an LLM failure's extractive fallback);
  extractive answers are posted whole. A workspace refusing ``context_actions``
  (``invalid_blocks``) gets plain buttons from then on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal

from slack_sdk.errors import SlackApiError

from bot import messages
from bot.answer.llm import WRITING_STARTED
from bot.conversation_access import Membership
from bot.models import Answer, ChatEvent
from bot.slack.members import membership_key
from bot.slack.native_stream import NativeStream, StreamRefused, worth_streaming
from bot.slack.render import (
    slack_answer_messages,
    slack_answer_tail,
    slack_escape,
)
from bot.slack.stream import update_partial
from bot.streaming import ThrottledText

if TYPE_CHECKING:
    from bot.slack.adapter import SlackAdapter

logger = logging.getLogger(__name__)


def slack_error(exc: SlackApiError) -> str:
    return str(exc.response.get("error", "")) if exc.response is not None else ""


class SlackThread:
    def __init__(
        self,
        adapter: SlackAdapter,
        event: ChatEvent,
        thread: str,
        *,
        assistant: bool = False,
        context_channel: str = "",
        context_unknown: bool = False,
    ) -> None:
        self.adapter, self.client = adapter, adapter.client
        self.channel, self.user, self.thread = event.channel, event.user, thread
        self.team = event.workspace
        self.assistant = assistant  # an assistant-pane thread: a status, not a placeholder
        self.context_channel = context_channel  # the channel the pane was opened from
        self.context_unknown = context_unknown  # a pane thread whose context is unreadable
        self.ts = ""  # the placeholder (or, in the chat.update path, the answer message)
        self.mode: Literal["native", "update"] = "update"
        self.native: NativeStream | None = None
        self.text: ThrottledText | None = None
        self.tasks: set[asyncio.Task[Any]] = set()

    async def say(self, text: str) -> None:
        await self.client.chat_postMessage(
            channel=self.channel, text=text, thread_ts=self.thread or self.ts or None
        )

    async def started(self) -> Callable[[str], None]:
        if not (self.assistant and await self._status(messages.SEARCHING)):
            await self._placeholder()
        settings = self.adapter.settings
        if settings.native_streaming and self.thread and self.channel not in self.adapter.refused:
            self.mode = "native"
            self.native = NativeStream(
                self.adapter.stream_client,
                channel=self.channel,
                thread_ts=self.thread,
                team=self.team,
                user=self.user,
            )
        budget = self.adapter.stream_budget
        self.text = ThrottledText(
            self._push,
            interval_s=self._interval(),
            admit=lambda: self.mode == "native" or budget.take(),
            not_before=lambda: 0.0 if self.mode == "native" else budget.pause_until,
        )
        loop = asyncio.get_running_loop()

        def on_token(token: str) -> None:  # the engine's worker thread
            if token == WRITING_STARTED:
                if self.assistant and not self.ts:
                    loop.call_soon_threadsafe(self._spawn, self._status(messages.WRITING))
                return
            assert self.text is not None
            self.text.on_token(token)

        return on_token

    def _interval(self) -> float:
        settings = self.adapter.settings
        return settings.stream_interval_s if self.mode == "native" else settings.update_interval_s

    def _spawn(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _status(self, text: str) -> bool:
        try:
            await self.client.assistant_threads_setStatus(
                channel_id=self.channel, thread_ts=self.thread, status=text
            )
        except SlackApiError as exc:
            logger.info("assistant.threads.setStatus refused (%s)", slack_error(exc))
            return False
        return True

    async def _placeholder(self) -> None:
        placeholder = await self.client.chat_postMessage(
            channel=self.channel, text=messages.SEARCHING, thread_ts=self.thread or None
        )
        self.ts = placeholder["ts"]

    async def _push(self, text: str) -> None:
        """The text so far, natively or by chat.update (bot/streaming.py paces the calls)."""
        if self.mode == "native" and self.native is not None:
            if not worth_streaming(text):
                return
            try:
                await self.native.push(text)
            except StreamRefused as exc:
                self._fall_back(exc)
            else:
                if self.ts:  # the stream is the answer's message now
                    placeholder, self.ts = self.ts, ""
                    await self._delete(placeholder)
                return
        if not self.ts:
            await self._placeholder()
        await update_partial(
            self.adapter.stream_client, self.channel, self.ts, text, self.adapter.stream_budget
        )

    def _fall_back(self, exc: StreamRefused) -> None:
        if exc.lasting:
            self.adapter.refused.add(self.channel, exc.error)
        logger.info("Slack refused native streaming (%s): chat.update instead", exc.error)
        self.mode, self.native = "update", None
        if self.text is not None:
            self.text.interval_s = self._interval()

    async def _delete(self, ts: str) -> None:
        try:
            await self.client.chat_delete(channel=self.channel, ts=ts)
        except SlackApiError as exc:
            logger.warning("could not delete the placeholder: %s", slack_error(exc))

    async def finish(self, answer: Answer, feedback_id: str) -> None:
        if self.text is not None:
            await self.text.stop()
        if self.native is not None and self.native.ts:
            if await self._stop_stream(answer, feedback_id):
                return
            self.ts = self.native.ts  # rewrite the streamed message with the answer
        await self._with_feedback_fallback(lambda legacy: self._post(answer, feedback_id, legacy))

    async def _stop_stream(self, answer: Answer, feedback_id: str) -> bool:
        """Stop the stream with the rest of the text, the sources and the buttons; True if it
        shows the answer (False: what streamed is not the answer's beginning)."""
        assert self.native is not None
        rest = self.native.rest_of(answer.text)

        async def stop(legacy: bool) -> None:
            assert self.native is not None
            tail = slack_answer_tail(answer, feedback_id, legacy_feedback=legacy)
            await self.native.stop(tail, rest or "")

        try:
            await self._with_feedback_fallback(stop)
        except SlackApiError as exc:
            logger.warning("chat.stopStream failed (%s): rewriting the message", slack_error(exc))
            return False
        return rest is not None

    async def _post(self, answer: Answer, feedback_id: str, legacy: bool) -> None:
        posts = slack_answer_messages(answer, feedback_id=feedback_id, legacy_feedback=legacy)
        if self.ts:
            await self.client.chat_update(channel=self.channel, ts=self.ts, **posts[0])
        else:  # an assistant thread showed only a status
            first = await self.client.chat_postMessage(
                channel=self.channel, thread_ts=self.thread or None, **posts[0]
            )
            self.ts = first["ts"]
        for more in posts[1:]:
            await self.client.chat_postMessage(
                channel=self.channel, thread_ts=self.thread or self.ts, **more
            )

    async def _with_feedback_fallback(self, send: Callable[[bool], Awaitable[None]]) -> None:
        """Send with native feedback buttons; on invalid_blocks, once more with plain ones
        (and plain ones from then on)."""
        if self.adapter.legacy_feedback:
            await send(True)
            return
        try:
            await send(False)
        except SlackApiError as exc:
            if slack_error(exc) != "invalid_blocks":
                raise
            logger.info("Slack refused feedback_buttons: plain buttons from now on")
            self.adapter.legacy_feedback = True
            await send(True)

    async def failed(self, reason: str) -> None:
        text = messages.FAILED  # the reason is for the log (bot/surface.py logs it)
        if self.text is not None:
            await self.text.stop()
        if self.native is not None and self.native.ts:
            try:
                await self.native.stop([])
            except SlackApiError as exc:
                logger.warning("chat.stopStream failed: %s", slack_error(exc))
            self.ts = self.native.ts
        if self.ts:
            block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
            await self.client.chat_update(
                channel=self.channel, ts=self.ts, text=text, blocks=[block]
            )
        else:
            await self.say(text)

    async def send_privately(self, text: str) -> bool:
        try:
            await self.client.chat_postEphemeral(
                channel=self.channel,
                user=self.user,
                text=slack_escape(text),
                thread_ts=self.thread or self.ts,
            )
        except Exception as exc:
            logger.warning("could not send an ephemeral message: %s", type(exc).__name__)
            return False
        return True

    async def email_of(self, user: str) -> str | None:
        return await self.adapter.email_of(user)

    def membership_keys(self) -> tuple[str, ...]:
        return (membership_key(self.context_channel or self.channel),)

    async def conversation_members(self) -> Membership | None:
        """Who may see the answer: the channel the assistant pane was opened from decides
        there, otherwise this conversation; None (public only) when the pane's context
        could not be read."""
        if self.context_unknown:
            return None
        return await self.adapter.members.of(self.context_channel or self.channel)
