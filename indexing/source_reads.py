"""Reads of the index per source, for `status`, `wikibot sources`, `wikibot remove` and the
Slack Home tab: one pass over the payloads, without loading the embedding model or
LlamaIndex."""

from __future__ import annotations

from dataclasses import dataclass

from indexing.store import QdrantIndexStore, of_source


@dataclass(frozen=True)
class SourceCount:
    documents: int
    chunks: int
    public_documents: int  # documents every chunk of which everyone may read


def source_counts(store: QdrantIndexStore) -> dict[str, tuple[int, int]]:
    """source_name -> (documents, chunks)."""
    return {name: (c.documents, c.chunks) for name, c in source_counts_by_access(store).items()}


def source_counts_by_access(store: QdrantIndexStore) -> dict[str, SourceCount]:
    """source_name -> its documents, chunks and public documents: one pass over the index."""
    if not store.current_collection():
        return {}
    chunks: dict[str, int] = {}
    public: dict[str, dict[str, bool]] = {}  # source -> doc id -> every chunk public so far
    for point in store.scroll(store.alias, None, ["source_name", "doc_id", "acl_public"]):
        payload = point.payload or {}
        name = payload.get("source_name", "?")
        chunks[name] = chunks.get(name, 0) + 1
        documents = public.setdefault(name, {})
        doc = payload.get("doc_id", "")
        documents[doc] = documents.get(doc, True) and payload.get("acl_public") is True
    return {
        name: SourceCount(len(public[name]), count, sum(public[name].values()))
        for name, count in chunks.items()
    }


def source_documents(store: QdrantIndexStore, name: str) -> dict[str, str]:
    """doc_id -> the document's location (``source``) for one source's documents."""
    if not store.current_collection():
        return {}
    found: dict[str, str] = {}
    for point in store.scroll(store.alias, of_source(name), ["doc_id", "source"]):
        payload = point.payload or {}
        found.setdefault(payload.get("doc_id", ""), payload.get("source", ""))
    return found
