"""Slack's native text streaming for LLM answers: ``chat.startStream`` -> ``appendStream``
-> ``stopStream``, through slack_sdk's ``chat_stream`` helper, paced by bot/streaming.py.

A streamed message is its own message and must reply in a thread (``thread_ts``): answers
in channel threads, DM threads and the assistant pane stream natively; a top-level DM answer
stays a top-level message updated with chat.update (moving it into a thread would hide it).
A workspace or conversation that refuses streaming (``method_not_supported``,
``not_allowed``, ...) is remembered, and gets the chat.update path from then on.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_chat_stream import AsyncChatStream
from slack_sdk.web.async_client import AsyncWebClient

from bot.answer.prompts import NOT_FOUND_TOKEN
from bot.slack.render import slack_stream_text

logger = logging.getLogger(__name__)

# errors that mean "not here, not now or later": remembered for the conversation
REFUSALS = frozenset(
    {
        "method_not_supported",
        "method_not_supported_for_channel_type",
        "not_allowed",
        "not_allowed_token_type",
        "not_supported",
        "unknown_method",
        "feature_not_enabled",
        "missing_scope",
        "team_not_allowed",
        "channel_type_not_supported",
    }
)


class StreamRefused(Exception):
    """Slack would not start a stream for this answer."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error

    @property
    def lasting(self) -> bool:
        return self.error in REFUSALS


class RefusedConversations:
    """Conversations (channel ids) that refused native streaming, for the process lifetime
    (bounded: the oldest are forgotten first, and simply asked again)."""

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self.ids: OrderedDict[str, str] = OrderedDict()

    def add(self, channel: str, error: str) -> None:
        self.ids[channel] = error
        self.ids.move_to_end(channel)
        while len(self.ids) > self.limit:
            self.ids.popitem(last=False)

    def __contains__(self, channel: object) -> bool:
        return channel in self.ids


def worth_streaming(text: str) -> bool:
    """False while the text may still become the model's NOT_FOUND reply (never shown)."""
    head = text.lstrip().upper()
    return bool(head) and not (NOT_FOUND_TOKEN.startswith(head) or head.startswith(NOT_FOUND_TOKEN))


class NativeStream:
    """One answer streamed natively; ``push`` takes the whole text so far."""

    def __init__(
        self, client: AsyncWebClient, *, channel: str, thread_ts: str, team: str, user: str
    ) -> None:
        self.client, self.channel, self.thread_ts = client, channel, thread_ts
        self.team, self.user = team, user
        self.stream: AsyncChatStream | None = None
        self.sent = ""  # the markdown streamed so far

    @property
    def ts(self) -> str:
        """The streamed message's ts ("" until chat.startStream succeeded)."""
        return (self.stream.ts if self.stream is not None else None) or ""

    async def push(self, text: str) -> None:
        """Append what is new; raises StreamRefused if the stream could not be started."""
        rendered = slack_stream_text(text)
        delta = rendered[len(self.sent) :]
        if not delta:
            return
        if self.stream is None:
            self.stream = await self.client.chat_stream(
                channel=self.channel,
                thread_ts=self.thread_ts,
                recipient_team_id=self.team or None,
                recipient_user_id=self.user or None,
                buffer_size=1,  # bot/streaming.py paces the appends
            )
        try:
            await self.stream.append(markdown_text=delta)
        except SlackApiError as exc:
            error = str(exc.response.get("error", "")) if exc.response is not None else ""
            if not self.ts:
                raise StreamRefused(error or "error") from exc
            logger.warning("chat.appendStream failed: %s", error)  # the final answer mends it
            return
        self.sent = rendered

    def rest_of(self, final_text: str) -> str | None:
        """What to append so the stream shows ``final_text`` (None: it cannot, the streamed
        text is not its beginning)."""
        rendered = slack_stream_text(final_text)
        return rendered[len(self.sent) :] if rendered.startswith(self.sent) else None

    async def stop(self, blocks: list[dict[str, Any]], rest: str = "") -> None:
        """End the stream: ``rest`` of the text, then ``blocks`` (sources, feedback)."""
        assert self.stream is not None and self.ts
        await self.stream.stop(markdown_text=rest or None, blocks=blocks)
        self.sent += rest
