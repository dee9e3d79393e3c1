"""The LLM boundary, light to import: the client Protocol, its error and the token callback
(the client itself, with httpx and openai, is in bot/answer/openai_client.py and loads
only when an LLM is configured)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from bot.errors import DependencyError

TokenCallback = Callable[[str], None]
# sent once through a TokenCallback before the first token: the sources are chosen and the
# LLM is writing (a surface may say so); never part of the answer text
WRITING_STARTED = ""


class LLMError(DependencyError):
    """The LLM could not produce an answer (down, timeout, refused, bad response)."""

    service = "the LLM"


class LLMClient(Protocol):
    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        on_token: TokenCallback | None = None,
        max_tokens: int | None = None,
        usage: dict[str, int] | None = None,
    ) -> str: ...
