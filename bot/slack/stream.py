"""Progressive chat.update of a placeholder while the LLM streams, throttled (the path for
conversations without native streaming: bot/slack/native_stream.py).

The pace is bot/streaming.py's. Three limits apply to the intermediate updates: at most
one chat.update per ``interval_s`` per message; a budget shared by every message this
process is streaming (Slack's chat.update allowance is per workspace, ~50 a minute); and a
429 pauses all streaming for its Retry-After. The final answer is always sent.
"""

from __future__ import annotations

import logging
import time

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.render import slack_streaming_message

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


async def update_partial(
    client: AsyncWebClient, channel: str, ts: str, text: str, budget: UpdateBudget
) -> None:
    """chat.update of the message ``ts`` with the text so far; a 429 pauses every stream."""
    try:
        await client.chat_update(channel=channel, ts=ts, **slack_streaming_message(text))
    except SlackApiError as exc:
        response = exc.response
        if response is not None and response.status_code == 429:
            budget.pause(float(response.headers.get("Retry-After") or 1))
        else:
            logger.warning("streaming update failed: %s", response.get("error"))
