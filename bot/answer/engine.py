"""The answer engine: one question (and its conversation) in, one cited Answer out.

Follow-ups ("and for part-timers?") are rewritten into a standalone query before
retrieval: by the LLM when one is configured, else by prefixing the previous question;
chunks of the documents the previous answer cited get a boost.
"""

from __future__ import annotations

import re
import time
from typing import Protocol

from bot.answer.evidence import clean_query
from bot.answer.llm import LLMClient, LLMError, TokenCallback
from bot.answer.prompts import condense_messages
from bot.answer.retrieval import Retriever
from bot.errors import InputError
from bot.models import PUBLIC, Answer, RetrievedChunk, Turn, Viewer

FOLLOW_UP_BOOST = 1.15
_ANAPHORA = re.compile(
    r"\b(they|them|it|its|that|those|this|these|there|he|she|one|ones)\b|^(and|also|what about|"
    r"how about|but|or)\b",
    re.I,
)


class QueryEmbedder(Protocol):
    def get_query_embedding(self, query: str) -> list[float]: ...


class AnswerWriter(Protocol):
    def answer(
        self,
        question: str,
        query_embedding: list[float] | None,
        chunks: list[RetrievedChunk],
        *,
        on_token: TokenCallback | None = None,
        already_said: str = "",
    ) -> Answer: ...


def is_follow_up(question: str) -> bool:
    return bool(_ANAPHORA.search(question)) or len(question.split()) <= 3


class AnswerEngine:
    def __init__(
        self,
        *,
        retriever: Retriever,
        embedder: QueryEmbedder,
        writer: AnswerWriter,
        llm: LLMClient | None = None,
        embed_query: bool = True,
    ) -> None:
        self.retriever = retriever
        self.embedder = embedder
        self.writer = writer
        self.llm = llm
        self.embed_query = embed_query

    def standalone(self, question: str, history: list[Turn]) -> str:
        if not history or not is_follow_up(question):
            return question
        if self.llm is not None:
            try:
                rewritten = self.llm.complete(condense_messages(question, history), max_tokens=64)
                rewritten = " ".join(rewritten.split())
                if 3 <= len(rewritten) <= 300:
                    return rewritten
            except LLMError:
                pass  # fall back to the heuristic below
        return f"{history[-1].question} {question}"

    def ask(
        self,
        question: str,
        history: list[Turn] | None = None,
        *,
        on_token: TokenCallback | None = None,
        viewer: Viewer = PUBLIC,
    ) -> Answer:
        """``viewer`` decides which documents may be searched (default: public only)."""
        question = " ".join(question.split())
        if not question:
            raise InputError("the question is empty")
        history = history or []
        started = time.perf_counter()
        query = self.standalone(question, history)
        search = clean_query(query, self.retriever.vocabulary())
        condensed = time.perf_counter()
        embedding = self.embedder.get_query_embedding(search) if self.embed_query else None
        embedded = time.perf_counter()
        chunks = self.retriever.retrieve(search, embedding, viewer=viewer)
        if history and history[-1].cited_doc_ids:
            boosted = set(history[-1].cited_doc_ids)
            for chunk in chunks:
                if chunk.doc_id in boosted:
                    chunk.score *= FOLLOW_UP_BOOST
            chunks.sort(key=lambda c: c.score, reverse=True)
        retrieved = time.perf_counter()
        # a follow-up should add to the previous answer, not repeat its quotes
        said = history[-1].answer if history and query != question else ""
        answer = self.writer.answer(search, embedding, chunks, on_token=on_token, already_said=said)
        done = time.perf_counter()
        answer.question = question
        answer.standalone_question = query if query != question else ""
        answer.timings_ms.update(
            {
                "condense": (condensed - started) * 1000,
                "embed": (embedded - condensed) * 1000,
                "retrieve": (retrieved - embedded) * 1000,
                "answer": (done - retrieved) * 1000,
                "total": (done - started) * 1000,
            }
        )
        return answer
