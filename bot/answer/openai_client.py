"""The LLM client: any OpenAI-compatible chat endpoint, through the ``openai`` package.

Every call is bounded, whatever the server does: a connect/silence timeout per read
(``timeout_s``), a deadline for the first token (``first_token_timeout_s``) and one for the
whole call, retries included (``total_timeout_s``), both enforced on every byte read (a
server that trickles bytes without finishing an event still hits them), and a token cap
enforced while streaming (a server that ignores ``max_tokens`` is cut off). Every failure,
including a response that is not JSON, surfaces as :class:`LLMError`, which the answer
writer turns into the extractive fallback, so a failing LLM never costs the user the sources.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from typing import cast

import httpx
import openai
from openai.types.chat import ChatCompletionChunk

from bot.answer.llm import LLMError, TokenCallback
from bot.config import LLMSettings

logger = logging.getLogger(__name__)

class _CallDeadline(threading.local):
    """The deadlines of the call running on this thread (httpx runs the transport there)."""

    total_at: float | None = None
    first_token_at: float | None = None
    first_token_seen = False

    def check(self, request: httpx.Request) -> None:
        now = time.monotonic()
        if self.total_at is not None and now >= self.total_at:
            raise httpx.ReadTimeout("the language model call passed its deadline", request=request)
        first_at = None if self.first_token_seen else self.first_token_at
        if first_at is not None and now >= first_at:
            raise httpx.ReadTimeout("no first token before the deadline", request=request)


class _DeadlineStream(httpx.SyncByteStream):
    def __init__(
        self, inner: httpx.SyncByteStream, deadline: _CallDeadline, request: httpx.Request
    ):
        self.inner, self.deadline, self.request = inner, deadline, request

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            self.deadline.check(self.request)
            yield chunk

    def close(self) -> None:
        self.inner.close()


class DeadlineTransport(httpx.BaseTransport):
    """Wraps a transport so the current call's deadlines are checked before each request
    (no retry past the deadline) and on each piece of the response body."""

    def __init__(self, inner: httpx.BaseTransport, deadline: _CallDeadline) -> None:
        self.inner, self.deadline = inner, deadline

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.deadline.check(request)
        response = self.inner.handle_request(request)
        response.stream = _DeadlineStream(
            cast(httpx.SyncByteStream, response.stream), self.deadline, request
        )
        return response

    def close(self) -> None:
        self.inner.close()


def estimated_tokens(pieces: int, characters: int) -> int:
    """Streamed pieces are about one token each; long pieces count about 4 characters each."""
    return max(pieces, characters // 4)


class OpenAIChatClient:
    def __init__(
        self, settings: LLMSettings, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.settings = settings
        api_key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
        self._deadline = _CallDeadline()
        http_client = httpx.Client(
            transport=DeadlineTransport(transport or httpx.HTTPTransport(), self._deadline),
            timeout=httpx.Timeout(settings.timeout_s),
        )
        self.client = openai.OpenAI(
            base_url=settings.base_url,
            api_key=api_key,
            timeout=settings.timeout_s,
            max_retries=settings.max_retries,
            http_client=http_client,
        )
        self.last_first_token_s: float | None = None

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        on_token: TokenCallback | None = None,
        max_tokens: int | None = None,
        usage: dict[str, int] | None = None,
    ) -> str:
        """The reply; ``usage`` (if given) receives the prompt/completion token counts the
        server reports (when streaming without a usage report: completion = chunks seen)."""
        usage = {} if usage is None else usage
        started = time.perf_counter()
        now = time.monotonic()
        self._deadline.total_at = now + self.settings.total_timeout_s
        # without streaming the reply arrives whole: only the total deadline applies
        first = self.settings.first_token_timeout_s if on_token is not None else None
        self._deadline.first_token_at = now + first if first is not None else None
        self._deadline.first_token_seen = False
        self.last_first_token_s = None
        cap = max_tokens or self.settings.max_tokens
        try:
            if on_token is None:
                response = self.client.chat.completions.create(
                    model=self.settings.model,
                    messages=messages,  # type: ignore[arg-type]
                    max_tokens=cap,
                    temperature=self.settings.temperature,
                )
                self.last_first_token_s = time.perf_counter() - started
                if response.usage:
                    usage["prompt"] = response.usage.prompt_tokens
                    usage["completion"] = response.usage.completion_tokens
                return response.choices[0].message.content or ""
            return self._stream(messages, cap, on_token, usage, started)
        except Exception as exc:  # any failure (network, HTTP, not JSON, deadline): fall back
            logger.warning("LLM call failed: %s", type(exc).__name__)
            raise LLMError(f"the language model failed ({type(exc).__name__})") from exc
        finally:
            self._deadline.total_at = self._deadline.first_token_at = None

    def _stream(
        self,
        messages: list[dict[str, str]],
        cap: int,
        on_token: TokenCallback,
        usage: dict[str, int],
        started: float,
    ) -> str:
        parts: list[str] = []
        characters = 0
        stream = self.client.chat.completions.create(
            model=self.settings.model,
            messages=messages,  # type: ignore[arg-type]
            max_tokens=cap,
            temperature=self.settings.temperature,
            stream=True,
        )
        try:
            for event in cast(Iterable[ChatCompletionChunk], stream):
                if event.usage:
                    usage["prompt"] = event.usage.prompt_tokens
                    usage["completion"] = event.usage.completion_tokens
                if not event.choices:
                    continue
                delta = event.choices[0].delta.content or ""
                if not delta:
                    continue
                if self.last_first_token_s is None:
                    self.last_first_token_s = time.perf_counter() - started
                    self._deadline.first_token_seen = True
                parts.append(delta)
                characters += len(delta)
                on_token(delta)
                if estimated_tokens(len(parts), characters) >= cap:
                    logger.warning("LLM reply cut at the token cap (%d)", cap)
                    break
        finally:
            stream.close()  # type: ignore[union-attr]
        usage.setdefault("completion", len(parts))
        return "".join(parts)
