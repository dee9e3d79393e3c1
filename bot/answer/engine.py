"""The answer engine: one question in, one cited Answer out."""

from __future__ import annotations

import time
from typing import Protocol

from bot.answer.retrieval import Retriever
from bot.models import Answer, RetrievedChunk


class QueryEmbedder(Protocol):
    def get_query_embedding(self, query: str) -> list[float]: ...


class AnswerWriter(Protocol):
    def answer(
        self, question: str, query_embedding: list[float] | None, chunks: list[RetrievedChunk]
    ) -> Answer: ...


class AnswerEngine:
    def __init__(
        self,
        *,
        retriever: Retriever,
        embedder: QueryEmbedder,
        writer: AnswerWriter,
        embed_query: bool = True,
    ) -> None:
        self.retriever = retriever
        self.embedder = embedder
        self.writer = writer
        self.embed_query = embed_query

    def ask(self, question: str) -> Answer:
        question = " ".join(question.split())
        if not question:
            raise ValueError("the question is empty")
        started = time.perf_counter()
        embedding = self.embedder.get_query_embedding(question) if self.embed_query else None
        embedded = time.perf_counter()
        chunks = self.retriever.retrieve(question, embedding)
        retrieved = time.perf_counter()
        answer = self.writer.answer(question, embedding, chunks)
        done = time.perf_counter()
        answer.timings_ms = {
            "embed": (embedded - started) * 1000,
            "retrieve": (retrieved - embedded) * 1000,
            "answer": (done - retrieved) * 1000,
            "total": (done - started) * 1000,
        }
        return answer
