"""Progressive chat.update of a placeholder while the LLM streams, throttled.

Tokens arrive on a worker thread. Three limits apply to the intermediate updates: at most
one chat.update per ``interval_s`` per message; a budget shared by every message this
process is streaming (Slack's chat.update allowance is per workspace, ~50 a minute); and a
429 pauses all streaming for its Retry-After. The final answer is always sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.render import slack_streaming_message

logger = logging.getLogger(__name__)


class UpdateBudget:
    """A token bucket shared by all streaming messages: ``per_minute`` intermediate updates,
    and a pause after Slack answers 429 (honouring Retry-After)."""

    def __init__(self, per_minute: float = 40) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, per_minute / 6)  # bursts of up to 10 s worth
        self.tokens = self.capacity
        self.stamp = time.monotonic()
        self.pause_until = 0.0

    def take(self) -> bool:
        now = time.monotonic()
        if now < self.pause_until:
            return False
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def pause(self, seconds: float) -> None:
        self.pause_until = max(self.pause_until, time.monotonic() + seconds)


class ThrottledStreamer:
    def __init__(
        self,
        client: AsyncWebClient,
        channel: str,
        ts: str,
        *,
        interval_s: float = 1.5,
        budget: UpdateBudget | None = None,
    ) -> None:
        self.client, self.channel, self.ts = client, channel, ts
        self.interval_s = interval_s
        self.budget = budget or UpdateBudget()
        self.loop = asyncio.get_running_loop()
        self.parts: list[str] = []
        self.sent_len = 0
        self.last_sent = time.monotonic()  # the placeholder itself was just posted
        self.pending: asyncio.Task[None] | None = None
        self.updates = 0

    def on_token(self, token: str) -> None:
        """Called from the engine's worker thread."""
        self.loop.call_soon_threadsafe(self._add, token)

    def _add(self, token: str) -> None:
        self.parts.append(token)
        if self.pending is None or self.pending.done():
            self.pending = asyncio.ensure_future(self._update_later())

    async def _update_later(self) -> None:
        while True:
            wait = max(self.last_sent + self.interval_s, self.budget.pause_until)
            if wait > time.monotonic():
                await asyncio.sleep(wait - time.monotonic())
            if self.budget.take():
                break
            await asyncio.sleep(self.interval_s)  # the shared budget is spent: skip a beat
        text = "".join(self.parts)
        if len(text) == self.sent_len:
            return
        self.last_sent = time.monotonic()
        self.sent_len = len(text)
        try:
            await self.client.chat_update(
                channel=self.channel, ts=self.ts, **slack_streaming_message(text)
            )
            self.updates += 1
        except SlackApiError as exc:
            response = exc.response
            if response is not None and response.status_code == 429:
                self.budget.pause(float(response.headers.get("Retry-After") or 1))
            else:
                logger.warning("streaming update failed: %s", response.get("error"))

    async def finish(self) -> None:
        """Stop streaming: the final answer replaces whatever was shown."""
        if self.pending is not None and not self.pending.done():
            self.pending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.pending
