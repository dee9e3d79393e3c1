"""The index vocabulary, computed at index time and stored with the index.

The answer path weighs question words by how many chunks use them (inverse document
frequency) and maps misspelt words to the corpus's own. Counting that from every chunk at
the first question made a one-shot `wikibot ask` read the whole index; instead every index
run that changed something counts the terms once and stores them in a small side
collection of the same Qdrant (``<alias>_vocabulary``, one point), keyed by the collection
and chunk count it describes. A reader whose key does not match counts for itself.

Spellings come from public chunks only: the spelling correction replaces a question's word
with the corpus's own spelling, and the corrected question is searched, shown and sent to the
LLM, so a restricted document's words (a codename) must never be among the corrections
anyone gets. Term frequencies count every chunk (readers of restricted pages need them).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from qdrant_client.http import models as qm

from indexing.sparse import stem, terms
from indexing.store import QdrantIndexStore
from indexing.stored_chunks import from_payload

logger = logging.getLogger(__name__)

_PUBLIC = qm.Filter(must=[qm.FieldCondition(key="acl_public", match=qm.MatchValue(value=True))])
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_POINT = 1
_VERSION = 2  # 2: spellings from public chunks only


@dataclass
class TermStatistics:
    """Term -> number of chunks using it; the chunk count; each term's common spelling."""

    document_frequency: Counter[str] = field(default_factory=Counter)
    chunks: int = 0
    surface: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_texts(cls, texts: list[str], public: list[str] | None = None) -> TermStatistics:
        """Frequencies over ``texts``; spellings over ``public`` (default: ``texts``)."""
        df: Counter[str] = Counter()
        spellings: dict[str, Counter[str]] = {}
        for text in texts:
            df.update(set(terms(text)))
        for text in texts if public is None else public:
            for word in _WORD.findall(text.lower()):
                spellings.setdefault(stem(word), Counter())[word] += 1
        surface = {t: c.most_common(1)[0][0] for t, c in spellings.items() if t in df}
        return cls(df, len(texts), surface)

    def payload(self, collection: str, indexed: int) -> dict[str, Any]:
        return {
            "version": _VERSION,
            "collection": collection,
            "indexed": indexed,  # the collection's chunk count when counted: the key
            "chunks": self.chunks,
            "df": dict(self.document_frequency),
            "surface": self.surface,
        }


def vocabulary_collection(store: QdrantIndexStore) -> str:
    return f"{store.alias}_vocabulary"  # not "<alias>-...": those are index collections


def chunk_texts(
    store: QdrantIndexStore, collection: str | None = None, *, public_only: bool = False
) -> list[str]:
    """The text (with title and section) of every chunk (or every public chunk) of
    ``collection`` (default: the serving one)."""
    name = collection or store.current_collection()
    if name is None:
        return []
    texts = []
    offset = None
    while True:
        points, offset = store.client.scroll(
            name,
            limit=512,
            offset=offset,
            with_payload=True,
            scroll_filter=_PUBLIC if public_only else None,
        )
        for point in points:
            payload = point.payload or {}
            if public_only and payload.get("acl_public") is not True:
                continue
            text = from_payload(payload).text
            texts.append(f"{payload.get('title', '')} {payload.get('section', '')} {text}")
        if offset is None:
            return texts


def counted_statistics(store: QdrantIndexStore, collection: str | None = None) -> TermStatistics:
    """Frequencies of every chunk, spellings of the public ones."""
    return TermStatistics.of_texts(
        chunk_texts(store, collection), chunk_texts(store, collection, public_only=True)
    )


def store_vocabulary(store: QdrantIndexStore, collection: str) -> TermStatistics:
    """Count the terms of ``collection`` and store them beside it."""
    indexed = store.count(collection)
    statistics = counted_statistics(store, collection)
    side = vocabulary_collection(store)
    if not store.client.collection_exists(side):
        store.client.create_collection(
            side, vectors_config=qm.VectorParams(size=1, distance=qm.Distance.DOT)
        )
    payload = statistics.payload(collection, indexed)
    point = qm.PointStruct(id=_POINT, vector=[1.0], payload=payload)
    store.client.upsert(side, [point], wait=True)
    logger.info("stored the index vocabulary: %d terms", len(statistics.document_frequency))
    return statistics


def stored_vocabulary(
    store: QdrantIndexStore, collection: str, chunks: int
) -> TermStatistics | None:
    """The stored statistics when they describe ``collection`` with ``chunks`` chunks (all of
    them, public or not)."""
    side = vocabulary_collection(store)
    if not store.client.collection_exists(side):
        return None
    found = store.client.retrieve(side, [_POINT], with_payload=True)
    payload = found[0].payload if found else None
    if (
        not payload
        or payload.get("version") != _VERSION
        or payload.get("collection") != collection
        or payload.get("indexed") != chunks
    ):
        return None
    return TermStatistics(Counter(payload["df"]), int(payload["chunks"]), dict(payload["surface"]))


def refresh_vocabulary(store: QdrantIndexStore, collection: str, *, changed: bool) -> None:
    """After an index run: count again when the run changed something or nothing (or
    something stale) is stored; an unchanged index costs one lookup."""
    if changed or stored_vocabulary(store, collection, store.count(collection)) is None:
        store_vocabulary(store, collection)
