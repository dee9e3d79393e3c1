"""Streamed answer text, pushed to a chat platform at a measured pace.

Tokens arrive on the engine's worker thread; the text so far is pushed at most once per
``interval_s`` (never two pushes in flight, never the same text twice). Slack and Teams
differ only in the push itself and in when a push may go out: Slack shares a per-workspace
update budget and pauses on 429; Teams streams only once its stream is open.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable


class ThrottledText:
    def __init__(
        self,
        push: Callable[[str], Awaitable[None]],
        *,
        interval_s: float,
        enabled: Callable[[], bool] = lambda: True,
        admit: Callable[[], bool] = lambda: True,
        not_before: Callable[[], float] = lambda: 0.0,
    ) -> None:
        """``enabled``: whether to stream at all right now; ``admit``: whether a push may go
        out (a shared budget), asked again every interval; ``not_before``: a monotonic time
        no push may precede (a platform's Retry-After)."""
        self.push, self.interval_s = push, interval_s
        self.enabled, self.admit, self.not_before = enabled, admit, not_before
        self.loop = asyncio.get_running_loop()
        self.parts: list[str] = []
        self.sent_len = 0
        self.last_sent = time.monotonic()
        self.pending: asyncio.Task[None] | None = None
        self.pushing = False  # a push is on the wire (stop() waits for it, never cuts it)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def sent_now(self) -> None:
        """Something was just shown (a placeholder): the next push waits a full interval."""
        self.last_sent = time.monotonic()

    def on_token(self, token: str) -> None:
        """Called from the engine's worker thread."""
        self.loop.call_soon_threadsafe(self._add, token)

    def _add(self, token: str) -> None:
        if not token:  # WRITING_STARTED (bot/answer/llm.py), or nothing at all
            return
        self.parts.append(token)
        if self.enabled() and (self.pending is None or self.pending.done()):
            self.pending = asyncio.ensure_future(self._push_later())

    async def _push_later(self) -> None:
        while True:
            wait = max(self.last_sent + self.interval_s, self.not_before())
            if wait > time.monotonic():
                await asyncio.sleep(wait - time.monotonic())
            if self.admit():
                break
            await asyncio.sleep(self.interval_s)  # the shared budget is spent: skip a beat
        text = self.text
        if len(text) == self.sent_len:
            return
        self.last_sent, self.sent_len = time.monotonic(), len(text)
        self.pushing = True
        try:
            await self.push(text)
        finally:
            self.pushing = False

    async def stop(self) -> None:
        """No more pushes: the final answer replaces whatever was shown. A push already on
        the wire is waited for (cut off, it could land after the final answer, or start a
        stream nobody stops); one still waiting its turn is dropped."""
        if self.pending is not None and not self.pending.done():
            if not self.pushing:
                self.pending.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self.pending
