"""Fakes for fast unit tests: no model, no index, no Redis, no network.

The embedder hashes words into a small vector (texts sharing words are close), the
retriever ranks a fixed list of chunks with it, the LLM returns what the test wants (or
fails), the surface records what the answer sequence asked of it.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from typing import Any

from bot.answer.decision import DecisionModel, LogisticModel
from bot.answer.evidence import Vocabulary
from bot.answer.llm import LLMError
from bot.models import PUBLIC, Answer, RetrievedChunk, Viewer
from indexing.sparse import terms

DIMENSION = 64


class HashingEmbedder:
    model_name = "hashing-test"
    dimension = DIMENSION

    def _one(self, text: str) -> list[float]:
        vector = [0.0] * DIMENSION
        for term in terms(text):
            vector[zlib.crc32(term.encode()) % DIMENSION] += 1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    def get_query_embedding(self, query: str) -> list[float]:
        return self._one(query)

    def embed_short(self, texts: list[str]) -> list[list[float]]:
        return [self._one(t) for t in texts]


def chunk(doc: str, text: str, **extra: Any) -> RetrievedChunk:
    return RetrievedChunk(
        chunk_id=f"{doc}#1", doc_id=doc, title=doc.title(), source=f"{doc}.md", text=text, **extra
    )


class ListRetriever:
    """Ranks its chunks by the hashing embedder's cosine; the viewer's ACL applies."""

    def __init__(self, chunks: list[RetrievedChunk]) -> None:
        self.chunks = chunks
        self.embedder = HashingEmbedder()
        self._vocabulary = Vocabulary.from_texts([c.text for c in chunks])

    def vocabulary(self) -> Vocabulary:
        return self._vocabulary

    def retrieve(
        self,
        question: str,
        query_embedding: list[float] | None,
        *,
        top_k: int | None = None,
        viewer: Viewer = PUBLIC,
    ) -> list[RetrievedChunk]:
        query = query_embedding or self.embedder.get_query_embedding(question)
        scored = []
        for c in self.chunks:
            if not viewer.may_read(c):
                continue
            vector = self.embedder.get_query_embedding(c.text)
            scored.append((sum(a * b for a, b in zip(query, vector, strict=True)), c))
        scored.sort(key=lambda pair: -pair[0])
        return [
            c.model_copy(update={"score": s, "dense_score": s, "dense_rank": i, "sparse_rank": i})
            for i, (s, c) in enumerate(scored[: top_k or 6], start=1)
        ]


def coverage_model() -> DecisionModel:
    """Answers when the best document covers the question's terms, cites by coverage."""
    question = LogisticModel(["coverage_doc1"], [0.5], [0.1], [10.0], 0.0)
    document = LogisticModel(["coverage"], [0.5], [0.1], [10.0], 0.0)
    return DecisionModel(question=question, threshold=0.5, document=document, second_threshold=0.9)


class ScriptedLLM:
    """Returns ``reply`` (streamed word by word), or raises LLMError when ``fail``."""

    def __init__(self, reply: str = "", *, fail: bool = False) -> None:
        self.reply, self.fail = reply, fail
        self.calls: list[list[dict[str, str]]] = []

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        on_token: Callable[[str], None] | None = None,
        max_tokens: int | None = None,
        usage: dict[str, int] | None = None,
    ) -> str:
        self.calls.append(messages)
        if self.fail:
            raise LLMError("the test LLM is down")
        if on_token:
            for word in self.reply.split(" "):
                on_token(word + " ")
        return self.reply


class RecordingEngine:
    """The Engine protocol: answers from a fixed Answer, records what it was asked."""

    def __init__(self, answer: Answer | None = None, *, error: Exception | None = None) -> None:
        self.answer, self.error = answer, error
        self.questions: list[tuple[str, Viewer]] = []

    def ask(
        self,
        question: str,
        history: Any = None,
        *,
        on_token: Callable[[str], None] | None = None,
        viewer: Viewer = PUBLIC,
    ) -> Answer:
        self.questions.append((question, viewer))
        if self.error is not None:
            raise self.error
        assert self.answer is not None
        return self.answer.model_copy(update={"question": question})


class RecordingSurface:
    """The Surface protocol: every call, in order."""

    def __init__(self, *, private_ok: bool = True) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.private_ok = private_ok

    async def say(self, text: str) -> None:
        self.calls.append(("say", text))

    async def started(self) -> None:
        self.calls.append(("started", None))

    async def finish(self, answer: Answer, feedback_id: str) -> None:
        self.calls.append(("finish", (answer, feedback_id)))

    async def failed(self, reason: str) -> None:
        self.calls.append(("failed", reason))

    async def send_privately(self, text: str) -> bool:
        self.calls.append(("private", text))
        return self.private_ok

    async def email_of(self, user: str) -> str | None:
        return None

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.calls]
