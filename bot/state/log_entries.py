"""The question log's entries and the record an answer's 👍/👎 buttons refer to, as typed
models: the schema lives here, each entry is built once with everything it holds, and the
log stores ``model_dump()`` (JSON) of them.

Personal HR answers are never logged; users appear only as a salted hash.
"""

from __future__ import annotations

import hashlib
import time
from typing import Literal

from pydantic import BaseModel, Field

from bot.models import Answer

PERSONAL_TEXT = "(a personal HR answer: its text is not stored)"


def hash_user(platform: str, user: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}\x00{platform}\x00{user}".encode()).hexdigest()[:16]


class RetrievedEntry(BaseModel):
    chunk_id: str
    doc_id: str
    source: str
    title: str
    updated_at: str | None = None
    score: float


class AnswerEntry(BaseModel):
    """One answered (or declined) question."""

    kind: Literal["answer"] = "answer"
    id: str  # the feedback id its buttons carry
    ts: float = Field(default_factory=time.time)
    platform: str
    user: str  # salted hash
    question: str
    standalone: str = ""  # the follow-up rewritten as a question of its own
    answer: str
    answered: bool
    answerable_p: float | None = None
    writer: str
    model: str  # the LLM's name, or "extractive"
    latency_ms: float
    retrieved: list[RetrievedEntry]
    cited_doc_ids: list[str]
    cited_chunk_ids: list[str]
    # the pages listed beside the answer ("see also") or instead of one ("not sure")
    related_doc_ids: list[str] = Field(default_factory=list)

    @classmethod
    def of(
        cls, answer: Answer, *, answer_id: str, platform: str, user_hash: str, model: str
    ) -> AnswerEntry:
        cited = {c.doc_id for c in answer.citations}
        return cls(
            id=answer_id,
            platform=platform,
            user=user_hash,
            question=answer.question,
            standalone=answer.standalone_question,
            answer=answer.text,
            answered=answer.answered,
            answerable_p=answer.answerable_p,
            writer=answer.writer,
            model=model if answer.writer == "llm" else "extractive",
            latency_ms=round(answer.timings_ms.get("total", 0.0), 1),
            retrieved=[
                RetrievedEntry(
                    chunk_id=c.chunk_id,
                    doc_id=c.doc_id,
                    source=c.source,
                    title=c.title,
                    updated_at=c.updated_at,
                    score=round(c.score, 4),
                )
                for c in answer.retrieved
            ],
            cited_doc_ids=sorted(cited),
            cited_chunk_ids=[c.chunk_id for c in answer.retrieved if c.doc_id in cited],
            related_doc_ids=[c.doc_id for c in answer.related],
        )


class VoteEntry(BaseModel):
    """One 👍/👎 on an answer (``id`` is the answer's)."""

    kind: Literal["vote"] = "vote"
    id: str
    ts: float = Field(default_factory=time.time)
    platform: str
    user: str  # salted hash
    vote: Literal["up", "down"]
    reason: str = ""


class AnswerRecord(BaseModel):
    """What an answer's feedback buttons refer to (kept 30 days; votes copy it)."""

    platform: str
    workspace: str
    asked_by: str
    question: str
    answer: str
    answered: bool
    cited_doc_ids: list[str]
    writer: str
    at: float = Field(default_factory=time.time)
    personal: bool = False
    # where it was posted: who may rate it (bot/state/feedback.py:may_rate); "" = the asker
    conversation: str = ""
    in_dm: bool = False

    @classmethod
    def of(
        cls,
        answer: Answer,
        *,
        platform: str,
        workspace: str,
        user: str,
        personal: bool,
        conversation: str = "",
        in_dm: bool = False,
    ) -> AnswerRecord:
        return cls(
            platform=platform,
            workspace=workspace,
            conversation=conversation,
            in_dm=in_dm,
            asked_by=user,
            question=answer.question,
            answer=PERSONAL_TEXT if personal else answer.text,
            answered=answer.answered,
            cited_doc_ids=[c.doc_id for c in answer.citations],
            writer=answer.writer,
            personal=personal,
        )
