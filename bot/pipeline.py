"""Platform-free handling of one question: dedupe -> rate limit -> memory -> answer -> memory.

Adapters (Slack, Teams, the terminal chat) turn their payloads into a ChatEvent and render
the Reply; nothing here knows a platform.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Literal, Protocol

from bot.memory import ConversationKey
from bot.models import Answer, ChatEvent, Turn
from bot.shared_state import SharedState


class Engine(Protocol):
    def ask(self, question: str, history: list[Turn] | None = None) -> Answer: ...


@dataclass
class Reply:
    kind: Literal["answer", "rate_limited"]
    text: str
    answer: Answer | None = None
    history: list[Turn] = field(default_factory=list)  # earlier turns of this conversation


class QuestionPipeline:
    def __init__(self, *, engine: Engine, state: SharedState, admins: set[str] | None = None):
        self.engine = engine
        self.state = state
        self.admins = admins or set()

    async def handle(self, event: ChatEvent) -> Reply | None:
        """The reply, or None for a duplicate delivery (already being handled)."""
        if event.event_id and not await self.state.dedupe.first_time(
            f"{event.platform}:{event.event_id}"
        ):
            return None
        exempt = event.is_admin or event.user in self.admins
        decision = await self.state.limiter.check(event.workspace, event.user, exempt=exempt)
        if not decision.allowed:  # nothing else is done: no retrieval, no LLM, no memory
            return Reply(kind="rate_limited", text=decision.message())
        key = ConversationKey.of(event)
        history = await self.state.memory.history(key)
        # the engine is CPU-bound (embedding): keep the event loop free for other events
        answer = await asyncio.to_thread(self.engine.ask, event.text, history)
        turn = Turn(
            user=event.user,
            question=event.text,
            answer=answer.text,
            cited_doc_ids=[c.doc_id for c in answer.citations],
            at=time.time(),
        )
        await self.state.memory.append(key, turn)
        return Reply(kind="answer", text=answer.text, answer=answer, history=history)
