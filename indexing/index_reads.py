"""Reads of the index for reports and exports (not the answer path): the documents it holds,
chunk texts by id for fine-tuning data (public chunks only: training data is seen by
everyone who uses the tuned model), and the words of public documents (what a suggested
prompt may say)."""

from __future__ import annotations

import re

from qdrant_client.http import models as qm

from indexing.store import QdrantIndexStore
from indexing.stored_chunks import from_payload


def indexed_documents(store: QdrantIndexStore) -> dict[str, dict[str, str]]:
    """doc id -> {"title", "source", "updated_at"} of every document in the index."""
    if store.current_collection() is None:
        return {}
    first = qm.Filter(must=[qm.FieldCondition(key="chunk_index", match=qm.MatchValue(value=0))])
    documents = {}
    offset = None
    while True:
        points, offset = store.client.scroll(
            store.alias,
            scroll_filter=first,
            limit=512,
            offset=offset,
            with_payload=["doc_id", "ref_doc_id", "title", "source", "updated_at"],
        )
        for point in points:
            payload = point.payload or {}
            doc = str(payload.get("ref_doc_id") or payload.get("doc_id") or "")
            if doc:
                documents[doc] = {
                    "title": str(payload.get("title", "")),
                    "source": str(payload.get("source", "")),
                    "updated_at": str(payload.get("updated_at", "")),
                }
        if offset is None:
            return documents


def public_chunks(store: QdrantIndexStore, chunk_ids: list[str]) -> dict[str, dict[str, str]]:
    """chunk id -> {"title", "text"} for the ids still in the index and readable by all."""
    if not chunk_ids or store.current_collection() is None:
        return {}
    found = {}
    for point in store.client.retrieve(store.alias, list(dict.fromkeys(chunk_ids))):
        payload = point.payload or {}
        chunk = from_payload(payload, str(point.id))
        if chunk.metadata["acl_public"] is not True:  # missing or restricted: not public
            continue
        found[str(point.id)] = {"title": str(payload.get("title", "")), "text": chunk.text}
    return found


WORD = re.compile(r"[^\W_]+")  # letters and digits, any script


def vocabulary_words(text: str) -> list[str]:
    """The words of ``text`` as the public vocabulary holds them (casefolded)."""
    return WORD.findall(text.casefold())


def public_vocabulary(store: QdrantIndexStore) -> frozenset[str]:
    """Every word of the documents everyone may read (titles, sections and text)."""
    if store.current_collection() is None:
        return frozenset()
    public = qm.Filter(must=[qm.FieldCondition(key="acl_public", match=qm.MatchValue(value=True))])
    found: set[str] = set()
    for point in store.scroll(store.alias, public, True):
        payload = point.payload or {}
        chunk = from_payload(payload, str(point.id))
        if chunk.metadata["acl_public"] is not True:  # the filter, checked again
            continue
        text = chunk.text
        found.update(vocabulary_words(f"{payload.get('title', '')} {payload.get('section', '')}"))
        found.update(vocabulary_words(text))
    return frozenset(found)


def public_document_titles(store: QdrantIndexStore, limit: int = 200) -> list[tuple[str, str]]:
    """(title, updated_at) of documents everyone may read, newest first (at most ``limit``)."""
    if store.current_collection() is None:
        return []
    first_public = qm.Filter(
        must=[
            qm.FieldCondition(key="chunk_index", match=qm.MatchValue(value=0)),
            qm.FieldCondition(key="acl_public", match=qm.MatchValue(value=True)),
        ]
    )
    found: dict[str, str] = {}
    offset = None
    while len(found) < 10 * limit:
        points, offset = store.client.scroll(
            store.alias,
            scroll_filter=first_public,
            limit=512,
            offset=offset,
            with_payload=["title", "updated_at"],
        )
        for point in points:
            payload = point.payload or {}
            title = " ".join(str(payload.get("title", "")).split())
            if title:
                found[title] = max(found.get(title, ""), str(payload.get("updated_at") or ""))
        if offset is None:
            break
    newest = sorted(found.items(), key=lambda item: (item[1], item[0]), reverse=True)
    return newest[:limit]
