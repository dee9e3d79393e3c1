"""Sending to Teams: retries on throttling and transient errors, and streaming in personal
chats (Teams streams 1:1 only).

Teams' streaming protocol: an "informative" typing activity (its id becomes the stream id),
then "streaming" typing activities carrying the text so far, at most one a second, then the
final message carrying the stream id. The SDK has no type for the ``streaminfo`` entity, so
one is declared here.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, Entity, ResourceResponse
from msrest.universal_http.requests import ClientRetryPolicy

from bot.streaming import ThrottledText
from connectors.retry import retry_wait

logger = logging.getLogger(__name__)

# msrest builds a retry list for every connector client (one per turn) by testing 999 codes
# against a 500-item list: 4 ms of event-loop time each. The same codes as a set: ~0.05 ms.
ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]

RETRY_STATUSES = {412, 429, 502, 504}  # what the Bot Connector asks clients to retry


class StreamInfo(Entity):
    _attribute_map: ClassVar[dict[str, dict[str, str]]] = {
        "type": {"key": "type", "type": "str"},
        "stream_id": {"key": "streamId", "type": "str"},
        "stream_type": {"key": "streamType", "type": "str"},
        "stream_sequence": {"key": "streamSequence", "type": "int"},
    }

    def __init__(
        self, *, stream_type: str, stream_sequence: int | None = None, stream_id: str = ""
    ) -> None:
        super().__init__(type="streaminfo")
        self.stream_type, self.stream_sequence = stream_type, stream_sequence
        self.stream_id = stream_id or None


def _status_and_wait(exc: Exception, attempt: int) -> tuple[int | None, float]:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    return status, retry_wait(getattr(response, "headers", None), attempt, cap=30.0)


async def send(context: TurnContext, activity: Activity, attempts: int = 4) -> ResourceResponse:
    """Send with backoff on 429/412/502/504 (honouring Retry-After); other errors raise."""
    for attempt in range(attempts):
        try:
            return await context.send_activity(activity)
        except Exception as exc:
            status, wait = _status_and_wait(exc, attempt)
            if status not in RETRY_STATUSES or attempt == attempts - 1:
                raise
            logger.warning("Teams answered %s; retrying in %.1f s", status, wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")


def as_activity(message: dict[str, Any]) -> Activity:
    return Activity.deserialize(message)


class TeamsStreamer:
    """Streams a personal-chat answer: ``start`` shows the informative line, ``on_token``
    (from the engine's worker thread) feeds text, updates go out at most every
    ``interval_s``; ``final`` marks the answer message as the end of the stream."""

    def __init__(self, context: TurnContext, *, interval_s: float = 1.0) -> None:
        self.context = context
        self.stream_id = ""
        self.sequence = 0
        self.failed = False
        self.text = ThrottledText(
            self._push,
            interval_s=interval_s,
            enabled=lambda: bool(self.stream_id) and not self.failed,
        )
        self.on_token = self.text.on_token

    def _streaming(self, text: str, kind: str) -> Activity:
        self.sequence += 1
        info = StreamInfo(stream_type=kind, stream_sequence=self.sequence, stream_id=self.stream_id)
        channel_data = {"streamType": kind, "streamSequence": self.sequence}
        if self.stream_id:
            channel_data["streamId"] = self.stream_id
        return Activity(type="typing", text=text, entities=[info], channel_data=channel_data)

    async def start(self, text: str) -> None:
        try:
            response = await send(self.context, self._streaming(text, "informative"))
            self.stream_id = response.id if response else ""
        except Exception as exc:
            logger.warning("Teams streaming unavailable: %s", type(exc).__name__)
            self.failed = True
        self.text.sent_now()

    async def _push(self, text: str) -> None:
        try:
            await send(self.context, self._streaming(text, "streaming"))
        except Exception as exc:  # the final answer still goes out as a normal message
            logger.warning("Teams streaming update failed: %s", type(exc).__name__)
            self.failed = True

    async def stop(self) -> None:
        await self.text.stop()

    def final(self, activity: Activity) -> Activity:
        """The answer message, marked as the stream's end when a stream was started."""
        if self.stream_id and not self.failed:
            info = StreamInfo(stream_type="final", stream_id=self.stream_id)
            activity.entities = [*(activity.entities or []), info]
            activity.channel_data = {"streamId": self.stream_id, "streamType": "final"}
        return activity
