"""The LLM boundary: any OpenAI-compatible chat endpoint, through the ``openai`` package.

Timeouts and retries (with the package's exponential backoff) are configured here; every
failure surfaces as :class:`LLMError`, which the answer writer turns into the extractive
fallback, so a failing LLM never costs the user the sources.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Protocol, cast

import openai
from openai.types.chat import ChatCompletionChunk

from bot.config import LLMSettings

logger = logging.getLogger(__name__)

TokenCallback = Callable[[str], None]


class LLMError(RuntimeError):
    """The LLM could not produce an answer (down, timeout, refused, bad response)."""


class LLMClient(Protocol):
    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        on_token: TokenCallback | None = None,
        max_tokens: int | None = None,
        usage: dict[str, int] | None = None,
    ) -> str: ...


class OpenAIChatClient:
    def __init__(self, settings: LLMSettings) -> None:
        self.settings = settings
        api_key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
        self.client = openai.OpenAI(
            base_url=settings.base_url,
            api_key=api_key,
            timeout=settings.timeout_s,
            max_retries=settings.max_retries,
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
        self.last_first_token_s = None
        try:
            if on_token is None:
                response = self.client.chat.completions.create(
                    model=self.settings.model,
                    messages=messages,  # type: ignore[arg-type]
                    max_tokens=max_tokens or self.settings.max_tokens,
                    temperature=self.settings.temperature,
                )
                self.last_first_token_s = time.perf_counter() - started
                if response.usage:
                    usage["prompt"] = response.usage.prompt_tokens
                    usage["completion"] = response.usage.completion_tokens
                return response.choices[0].message.content or ""
            parts: list[str] = []
            stream = self.client.chat.completions.create(
                model=self.settings.model,
                messages=messages,  # type: ignore[arg-type]
                max_tokens=max_tokens or self.settings.max_tokens,
                temperature=self.settings.temperature,
                stream=True,
            )
            for event in cast(Iterable[ChatCompletionChunk], stream):
                if event.usage:
                    usage["prompt"] = event.usage.prompt_tokens
                    usage["completion"] = event.usage.completion_tokens
                if not event.choices:
                    continue
                delta = event.choices[0].delta.content or ""
                if delta:
                    if self.last_first_token_s is None:
                        self.last_first_token_s = time.perf_counter() - started
                    parts.append(delta)
                    on_token(delta)
            usage.setdefault("completion", len(parts))
            return "".join(parts)
        except openai.OpenAIError as exc:
            logger.warning("LLM call failed: %s", type(exc).__name__)
            raise LLMError(f"the language model failed ({type(exc).__name__})") from exc
