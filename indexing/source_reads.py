"""Reads of the index per source, for `status`, `wikibot sources` and `wikibot remove`: one
pass over the payloads, without loading the embedding model or LlamaIndex."""

from __future__ import annotations

from indexing.store import QdrantIndexStore, of_source


def source_counts(store: QdrantIndexStore) -> dict[str, tuple[int, int]]:
    """source_name -> (documents, chunks)."""
    chunks: dict[str, int] = {}
    documents: dict[str, set[str]] = {}
    if not store.current_collection():
        return {}
    for point in store.scroll(store.alias, None, ["source_name", "doc_id"]):
        payload = point.payload or {}
        name = payload.get("source_name", "?")
        chunks[name] = chunks.get(name, 0) + 1
        documents.setdefault(name, set()).add(payload.get("doc_id", ""))
    return {name: (len(documents[name]), count) for name, count in chunks.items()}


def source_documents(store: QdrantIndexStore, name: str) -> dict[str, str]:
    """doc_id -> the document's location (``source``) for one source's documents."""
    if not store.current_collection():
        return {}
    found: dict[str, str] = {}
    for point in store.scroll(store.alias, of_source(name), ["doc_id", "source"]):
        payload = point.payload or {}
        found.setdefault(payload.get("doc_id", ""), payload.get("source", ""))
    return found
