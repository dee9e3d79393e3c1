"""Hybrid retrieval over the Qdrant index (the requests LlamaIndex's QdrantVectorStore sends,
made by indexing/stored_chunks.py without importing LlamaIndex: a cold `ask` is faster).

Dense (MiniLM) and sparse (BM25) candidates are fused with reciprocal rank fusion; only
chunks the asker may see are searched: the ACL is a Qdrant payload filter (public, or the
asker's user id, or one of their groups), applied inside the search.

Fail closed: the embedded store may skip the filter while it believes the index holds no
restricted chunk (filters are slow there). That belief can be stale while an index run
writes, so every chunk a search returns is checked against the viewer again from its own
payload; one the viewer may not read means the belief was wrong: it is dropped, the cache
cleared and the search repeated with the filter. A chunk without ACL fields is restricted.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

from qdrant_client import models as qm

from bot.answer.evidence import Vocabulary
from bot.config import RetrievalSettings
from bot.errors import IndexNotReadyError
from bot.models import PUBLIC, RetrievedChunk, Viewer
from indexing.store import QdrantIndexStore
from indexing.stored_chunks import StoredChunk, dense_search, sparse_search
from indexing.vocabulary import counted_statistics, stored_vocabulary

logger = logging.getLogger(__name__)

_PUBLIC_ONLY = qm.Filter(
    must=[qm.FieldCondition(key="acl_public", match=qm.MatchValue(value=True))]
)


def acl_filter(viewer: Viewer) -> qm.Filter:
    """Chunks ``viewer`` may see: public ones, or shared with their user id or a group."""
    should: list[qm.Condition] = [_PUBLIC_ONLY.must[0]]  # type: ignore[index]
    people, groups = viewer.identities()
    if people:
        should.append(qm.FieldCondition(key="acl_users", match=qm.MatchAny(any=sorted(people))))
    if groups:
        should.append(qm.FieldCondition(key="acl_groups", match=qm.MatchAny(any=sorted(groups))))
    return qm.Filter(should=should) if len(should) > 1 else _PUBLIC_ONLY


class Retriever(Protocol):
    def vocabulary(self) -> Vocabulary:
        """Term statistics of the index (for evidence and query cleaning)."""
        ...

    def retrieve(
        self,
        question: str,
        query_embedding: list[float] | None,
        *,
        top_k: int | None = None,
        viewer: Viewer = PUBLIC,
    ) -> list[RetrievedChunk]: ...


class QdrantRetriever:
    def __init__(self, *, store: QdrantIndexStore, settings: RetrievalSettings) -> None:
        self.store = store
        self.settings = settings
        self._ready = False
        self._vocabulary: tuple[tuple[str | None, int, int], Vocabulary] | None = None
        self._vocabulary_lock = threading.Lock()
        self._vocabulary_checked = 0.0

    def vocabulary(self) -> Vocabulary:
        """Term statistics of the whole index (all chunks, whoever asks: document
        frequencies reveal no text), rebuilt when this process writes the index, and when
        the collection or its size changes (another process's writes: checked every 30 s)."""
        with self._vocabulary_lock:
            now = time.monotonic()
            cached = self._vocabulary
            fresh = cached is not None and cached[0][2] == self.store.generation
            if cached is not None and fresh and now - self._vocabulary_checked < 30:
                return cached[1]
            self._vocabulary_checked = now
            collection = self.store.current_collection()
            if collection is None:  # nothing indexed yet: retrieve() says so
                return Vocabulary.from_texts([])
            key = (collection, self.store.count(), self.store.generation)
            if self._vocabulary is None or self._vocabulary[0] != key:
                self._vocabulary = (key, self._load_vocabulary(collection, key[1]))
            return self._vocabulary[1]

    def _load_vocabulary(self, collection: str, chunks: int) -> Vocabulary:
        """The statistics the index run stored with the index; counted here only when
        they are missing or describe another state of the index (an older index)."""
        stored = stored_vocabulary(self.store, collection, chunks)
        if stored is None:
            logger.info("no stored vocabulary for %s: counting terms of every chunk", collection)
            stored = counted_statistics(self.store)
        return Vocabulary(stored.document_frequency, stored.chunks, stored.surface)

    @property
    def needs_embedding(self) -> bool:
        return self.settings.mode != "sparse"

    def retrieve(
        self,
        question: str,
        query_embedding: list[float] | None,
        *,
        top_k: int | None = None,
        viewer: Viewer = PUBLIC,
    ) -> list[RetrievedChunk]:
        if not self._ready:
            collection = self.store.current_collection()
            if collection is None:
                raise IndexNotReadyError()
            self.store.check_compatible(collection)  # vectors of another model rank garbage
            self._ready = True
        k = top_k or self.settings.top_k
        unfiltered = self.store.all_public()
        chunks = self._search(
            question, query_embedding, k, None if unfiltered else acl_filter(viewer)
        )
        if any(not viewer.may_read(c) for c in chunks):
            if unfiltered:  # a restricted chunk appeared since the cache was filled
                logger.warning("restricted chunks appeared in the index; filtering searches")
                self.store.invalidate()
                chunks = self._search(question, query_embedding, k, acl_filter(viewer))
            # a conversation's search matches any member: keep what every member may read
            chunks = [c for c in chunks if viewer.may_read(c)]
        return chunks[:k]

    def _search(
        self, question: str, embedding: list[float] | None, k: int, acl: qm.Filter | None
    ) -> list[RetrievedChunk]:
        """Dense and/or BM25 lists (by mode), fused by reciprocal rank (k=60) in hybrid
        mode; each chunk keeps its rank in each list (the answer writer weighs them)."""
        mode = self.settings.mode
        depth = max(k, self.settings.candidates) if mode == "hybrid" else k
        dense = (
            _retrieved_chunks(dense_search(self.store, embedding, depth, acl=acl))
            if (mode != "sparse" and embedding is not None)
            else []
        )
        sparse = (
            _retrieved_chunks(sparse_search(self.store, question, depth, acl=acl))
            if mode != "dense"
            else []
        )
        by_id: dict[str, RetrievedChunk] = {}
        fused: dict[str, float] = {}
        for rank, chunk in enumerate(dense, 1):
            chunk.dense_rank, chunk.dense_score = rank, chunk.score
            by_id[chunk.chunk_id] = chunk
            fused[chunk.chunk_id] = 1.0 / (60 + rank)
        for rank, chunk in enumerate(sparse, 1):
            known = by_id.setdefault(chunk.chunk_id, chunk)
            known.sparse_rank = rank
            fused[chunk.chunk_id] = fused.get(chunk.chunk_id, 0.0) + 1.0 / (60 + rank)
        if mode != "hybrid":
            return (dense or sparse)[:k]
        ranked = sorted(fused, key=lambda i: fused[i], reverse=True)
        for chunk_id in ranked:
            by_id[chunk_id].score = fused[chunk_id]
        return [by_id[i] for i in ranked[:k]]


def _retrieved_chunks(found: list[StoredChunk]) -> list[RetrievedChunk]:
    chunks = []
    for stored in found:
        meta = stored.metadata
        chunks.append(
            RetrievedChunk(
                chunk_id=stored.chunk_id,
                doc_id=stored.doc_id,
                title=meta.get("title", ""),
                source=meta.get("source", ""),
                url=meta.get("url", ""),
                section=meta.get("section", ""),
                updated_at=meta.get("updated_at", ""),
                updated_from=meta.get("updated_from", ""),
                text=stored.text,
                score=stored.score,
                acl_public=meta.get("acl_public") is True,
                acl_users=list(meta.get("acl_users") or []),
                acl_groups=list(meta.get("acl_groups") or []),
            )
        )
    return chunks
