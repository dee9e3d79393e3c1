"""The answer engine: one question (and its conversation) in, one cited Answer out.

A question that may lean on the previous one (bot/answer/follow_up.py) is read two ways
when no LLM is configured: alone, and together with the previous question (the previous
answer's documents boosted); the answer decision's own probability picks the reading, and
the combination wins only when it is clearly better. With an LLM, the LLM rewrites it into a
standalone question. A question that reads as complete on its own is never merged.
"""

from __future__ import annotations

import time
from typing import Protocol

from bot.answer.evidence import clean_query
from bot.answer.follow_up import (
    Focus,
    Reading,
    boost_previous,
    choose,
    combined_query,
    could_follow,
)
from bot.answer.llm import LLMClient, LLMError, TokenCallback
from bot.answer.prompts import condense_messages
from bot.answer.retrieval import Retriever
from bot.errors import InputError
from bot.models import PUBLIC, Answer, RetrievedChunk, Turn, Viewer


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
        focus: Focus | None = None,
    ) -> Answer: ...

    def confidence(
        self, question: str, query_embedding: list[float] | None, chunks: list[RetrievedChunk]
    ) -> float:
        """The decision's probability that these chunks answer the question."""
        ...


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

    def rewritten(self, question: str, history: list[Turn]) -> str | None:
        """The LLM's standalone version of a follow-up; None without an LLM or on failure."""
        if self.llm is None:
            return None
        try:
            rewritten = self.llm.complete(condense_messages(question, history), max_tokens=64)
        except LLMError:
            return None
        rewritten = " ".join(rewritten.split())
        return rewritten if 3 <= len(rewritten) <= 300 else None

    def standalone(self, question: str, history: list[Turn], viewer: Viewer = PUBLIC) -> str:
        """The query the question is searched with (itself, unless taken as a follow-up)."""
        return self.reading(question, history, viewer, {}).query

    def reading(
        self, question: str, history: list[Turn], viewer: Viewer, timings: dict[str, float]
    ) -> Reading:
        """How the question is searched: alone, or (a follow-up) with its conversation."""
        previous = history[-1] if history else None
        if previous is None or not could_follow(question):
            return self._read(question, viewer, None, timings, scored=False)
        started = time.perf_counter()
        rewritten = self.rewritten(question, history)
        timings["condense"] = (time.perf_counter() - started) * 1000
        if rewritten is not None:
            return self._read(rewritten, viewer, previous, timings, scored=False)
        alone = self._read(question, viewer, None, timings, scored=True)
        both = combined_query(question, previous)
        return choose(alone, self._read(both, viewer, previous, timings, scored=True))

    def _read(
        self,
        query: str,
        viewer: Viewer,
        previous: Turn | None,
        timings: dict[str, float],
        *,
        scored: bool,
    ) -> Reading:
        started = time.perf_counter()
        search = clean_query(query, self.retriever.vocabulary())
        embedding = self.embedder.get_query_embedding(search) if self.embed_query else None
        embedded = time.perf_counter()
        chunks = self.retriever.retrieve(search, embedding, viewer=viewer)
        if previous is not None:
            chunks = boost_previous(chunks, previous)
        retrieved = time.perf_counter()
        p = self.writer.confidence(search, embedding, chunks) if scored else 0.0
        for key, ms in (
            ("embed", embedded - started),
            ("retrieve", retrieved - embedded),
            ("condense", time.perf_counter() - retrieved),
        ):
            timings[key] = timings.get(key, 0.0) + ms * 1000
        return Reading(query, search, embedding, chunks, p, follow_up=previous is not None)

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
        timings: dict[str, float] = {"condense": 0.0}
        reading = self.reading(question, history, viewer, timings)
        retrieved = time.perf_counter()
        answer = self.writer.answer(
            reading.search,
            reading.embedding,
            reading.chunks,
            on_token=on_token,
            focus=reading.focus,
        )
        done = time.perf_counter()
        answer.question = question
        answer.standalone_question = reading.query if reading.query != question else ""
        answer.timings_ms.update(
            {
                **timings,
                "answer": (done - retrieved) * 1000,
                "total": (done - started) * 1000,
            }
        )
        return answer
