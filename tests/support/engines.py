"""Engines standing in for the answer engine in chat tests (the Engine Protocol)."""

from __future__ import annotations

import time
from typing import Any

from bot.models import Answer


class StreamingEngine:
    """Streams tokens like an LLM (``tokens`` of them, ``gap_s`` apart), then returns what
    the real engine answered."""

    def __init__(self, real: Any, tokens: int = 30, gap_s: float = 0.05) -> None:
        self.real, self.tokens, self.gap_s = real, tokens, gap_s

    def ask(
        self, question: str, history: Any = None, *, on_token: Any = None, viewer: Any = None
    ) -> Any:
        answer = self.real.ask(question, history)
        for i in range(self.tokens):
            time.sleep(self.gap_s)
            if on_token:
                on_token(f"word{i} ")
        return answer


class FixedEngine:
    """Always returns the same Answer (e.g. one beyond a platform's size limits)."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer

    def ask(
        self, question: str, history: Any = None, *, on_token: Any = None, viewer: Any = None
    ) -> Answer:
        return self.answer


class SwitchableEngine:
    """The engine a test's app is built with: the real one until a test switches it (to a
    FixedEngine, a StreamingEngine...), so tests pass stand-ins instead of patching."""

    def __init__(self, real: Any) -> None:
        self.real: Any = real  # a callable returning the real engine, built on first use
        self.current: Any = None

    def use(self, engine: Any) -> None:
        self.current = engine

    def ask(
        self, question: str, history: Any = None, *, on_token: Any = None, viewer: Any = None
    ) -> Any:
        engine = self.current or self.real()
        kwargs = {"on_token": on_token} if on_token else {}
        if viewer is not None:
            kwargs["viewer"] = viewer
        return engine.ask(question, history, **kwargs)
