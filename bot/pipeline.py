"""Platform-free handling of one question: dedupe -> rate limit -> memory -> answer -> memory.

Adapters (Slack, Teams, the terminal chat) turn their payloads into a ChatEvent and render
the Reply; nothing here knows a platform.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Literal, Protocol

from bot import messages, personal_replies
from bot.conversation_access import (
    ConversationAccess,
    confirmed_answer,
    entra_groups_of,
    uses_restricted,
)
from bot.entra_groups import EntraGroups
from bot.groups import GroupDirectory
from bot.models import PUBLIC, Answer, ChatEvent, Turn, Viewer
from bot.personal import IdentityLookup, PersonalAnswers, about_someone_else, personal_fields
from bot.serve.inflight import InFlight
from bot.serve.metrics import Metrics
from bot.state.log_entries import AnswerRecord
from bot.state.memory import ConversationKey
from bot.state.shared import SharedState

logger = logging.getLogger(__name__)

EMAIL_TIMEOUT_S = 2.0

TokenCallback = Callable[[str], None]


class Engine(Protocol):
    def ask(
        self,
        question: str,
        history: list[Turn] | None = None,
        *,
        on_token: TokenCallback | None = None,
        viewer: Viewer = PUBLIC,
    ) -> Answer: ...


@dataclass
class Reply:
    kind: Literal["answer", "rate_limited", "admitted"]
    text: str
    answer: Answer | None = None
    history: list[Turn] = field(default_factory=list)  # earlier turns of this conversation
    private_text: str = ""  # for the asker alone (their HR figures): ephemeral or DM only
    personal: bool = False  # answered from the asker's HR record


class QuestionPipeline:
    def __init__(
        self,
        *,
        engine: Engine,
        state: SharedState,
        executor: Executor | None = None,
        groups: GroupDirectory | None = None,
        personal: PersonalAnswers | None = None,
        metrics: Metrics | None = None,
        access: ConversationAccess | None = None,
        entra: EntraGroups | None = None,
    ):
        self.engine = engine
        self.state = state
        self.metrics = metrics or Metrics()
        self.in_flight = InFlight()
        # the engine's own threads: the loop's default pool stays free for the small jobs
        # (DNS lookups of outgoing HTTP calls) that replies wait on
        self.executor = executor
        self.groups = groups or GroupDirectory({})
        self.personal = personal
        self.access = access  # None: shared conversations get public documents only
        self.entra = entra  # groups from Entra ID, besides WIKIBOT_GROUPS_FILE

    async def viewer_of(self, event: ChatEvent, identity: IdentityLookup | None) -> Viewer:
        """The asker's own access (their groups, verified email) in a DM; public documents
        anywhere else (shared conversations are decided by :meth:`ask_as`). The question
        text never matters."""
        if not event.is_dm or not event.user:
            return PUBLIC
        viewer = Viewer(user=event.user, groups=self.groups.groups_of(event.platform, event.user))
        return await self.with_email(viewer, identity, event.platform)

    async def ask_as(
        self,
        event: ChatEvent,
        identity: IdentityLookup | None,
        question: str,
        history: list[Turn],
        on_token: TokenCallback | None = None,
    ) -> Answer:
        """The engine's answer with what this conversation may read: the asker's own access
        in a DM; in a shared conversation, what every current member may read, confirmed
        before it is posted (bot/conversation_access.py). Text that may still be withdrawn
        is never streamed: only public-only answers stream there."""
        loop = asyncio.get_running_loop()

        async def compute(viewer: Viewer, stream: TokenCallback | None = None) -> Answer:
            ask = functools.partial(self.engine.ask, question, history, viewer=viewer)
            if stream:
                ask = functools.partial(ask, on_token=stream)
            # the engine is CPU-bound (embedding): keep the event loop free for other events
            return await loop.run_in_executor(self.executor, ask)

        if event.is_dm or self.access is None or not event.user:
            return await compute(await self.viewer_of(event, identity), on_token)

        # a restricted answer's turn is never context elsewhere: its members may have changed
        history = [turn for turn in history if not turn.restricted]

        async def shared(viewer: Viewer) -> Answer:
            return await compute(viewer, on_token if viewer.public_only else None)

        return await confirmed_answer(self.access, event, identity, shared)

    async def handle(self, event: ChatEvent) -> Reply | None:
        """The reply, or None for a duplicate delivery (already being handled)."""
        admission = await self.admit(event)
        if admission is None or admission.kind == "rate_limited":
            return admission
        return await self.answer(event)

    async def with_email(
        self, viewer: Viewer, identity: IdentityLookup | None, platform: str = ""
    ) -> Viewer:
        """Add the asker's verified email (sources such as Confluence restrict pages to people
        by email); without it, only their user id and groups count."""
        if not viewer.user or identity is None:
            return viewer
        try:
            email = await asyncio.wait_for(identity.email_of(viewer.user), EMAIL_TIMEOUT_S)
        except Exception as exc:  # no email: fewer documents, never more
            logger.info("no email for a viewer (%s)", type(exc).__name__)
            email = None
        groups = viewer.groups | self.groups.groups_of_email(email or "")  # listed by e-mail
        if self.entra is not None:
            groups |= await entra_groups_of(self.entra, platform, viewer.user, email)
        if not email and groups == viewer.groups:
            return viewer
        return viewer.model_copy(update={"email": email or "", "groups": groups})

    async def admit(self, event: ChatEvent) -> Reply | None:
        """First step, cheap (adapters call it before posting a placeholder): None for a
        duplicate delivery, a "rate_limited" Reply to send instead, or an "admitted" Reply."""
        if event.event_id and not await self.state.dedupe.first_time(
            f"{event.platform}:{event.event_id}"
        ):
            return None
        decision = await self.state.limiter.check(
            event.workspace, event.user, exempt=event.is_admin
        )
        if not decision.allowed:  # nothing else is done: no retrieval, no LLM, no memory
            self.metrics.rejected(event.platform, "rate_limited")
            return Reply(kind="rate_limited", text=decision.message())
        return Reply(kind="admitted", text="")

    async def answer(
        self,
        event: ChatEvent,
        on_token: TokenCallback | None = None,
        *,
        identity: IdentityLookup | None = None,
        can_send_privately: bool = False,
    ) -> Reply:
        """Second step, for an admitted event: memory -> engine -> memory.
        ``on_token`` is called from a worker thread with each streamed LLM token. Questions
        about the asker's own HR data go to bot/personal_replies.py."""
        try:
            reply = await self._answer(event, on_token, identity, can_send_privately)
        except Exception:
            self.metrics.rejected(event.platform, "error")
            raise
        if reply.answer is not None:
            self.metrics.answered(event.platform, reply.answer, personal=reply.personal)
        return reply

    async def _answer(
        self,
        event: ChatEvent,
        on_token: TokenCallback | None,
        identity: IdentityLookup | None,
        can_send_privately: bool,
    ) -> Reply:
        key = ConversationKey.of(event)
        fields = personal_fields(event.text) if self.personal else []
        if fields and about_someone_else(event.text):
            other = await personal_replies.about_someone_else(self.ask_as, event, fields, identity)
            return Reply(kind="answer", text=other.text, answer=other.answer)
        if fields and self.personal is not None:
            own = await personal_replies.own_figures(
                self.ask_as, self.personal, self.state.memory, event, fields, identity,
                can_send_privately,
            )
            return Reply("answer", own.text, own.answer, private_text=own.private_text,
                         personal=True)
        history = await self.state.memory.history(key)
        answer = await self.ask_as(event, identity, event.text, history, on_token)
        turn = Turn(
            user=event.user,
            question=event.text,
            answer=answer.text,
            cited_doc_ids=[c.doc_id for c in answer.citations],
            at=time.time(),
            standalone=answer.standalone_question,
            restricted=uses_restricted(answer),
        )
        await self.state.memory.append(key, turn)
        return Reply(kind="answer", text=answer.text, answer=answer, history=history)

    async def remember(self, event: ChatEvent, reply: Reply) -> str:
        """Keep what the answer's 👍/👎 buttons refer to (and log it, unless it is a personal
        HR answer); returns the feedback id the buttons carry."""
        assert reply.answer is not None
        record = AnswerRecord.of(
            reply.answer,
            platform=event.platform,
            workspace=event.workspace,
            user=event.user,
            personal=reply.personal,
            conversation=event.channel,  # who may rate it: bot/state/vote_rules.py
            in_dm=event.is_dm,
        )
        return await self.state.feedback.remember(record.model_dump(), reply.answer)

    async def vote(
        self, platform: str, feedback_id: str, user: str, up: bool, reason: str = ""
    ) -> str:
        """Record a 👍/👎 on an earlier answer (a 👎's comment: the vote again, with its
        ``reason``); returns what to tell the voter."""
        vote: Literal["up", "down"] = "up" if up else "down"
        record = await self.state.feedback.vote(feedback_id, user, vote, reason.strip())
        if record is None:
            return messages.TOO_OLD_TO_RATE
        if not reason:  # a comment is the same 👎 again
            self.metrics.voted(platform, vote)
        return messages.THANKS_FOR_FEEDBACK
