"""Chunks as the index stores them, read and searched without importing LlamaIndex.

The index run writes chunks through LlamaIndex's ``QdrantVectorStore``
(``node_to_metadata_dict``): the metadata flat in the payload and the whole node as JSON
under ``_node_content``. Reading that back needs no LlamaIndex: importing
``llama_index.core`` costs ~1 s, a fifth of the budget of a cold `wikibot ask`
(docs/benchmarks.md, "Cold ask without LlamaIndex"). The searches are the requests
``QdrantVectorStore.query`` sends (one dense, one BM25 ``QueryRequest`` against the named
vectors, the caller's filter inside the search), so the results are the same points in the
same order (tests/unit/test_stored_chunks.py compares both).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from qdrant_client import models as qm

from indexing.store import DENSE_VECTOR, SPARSE_VECTOR, QdrantIndexStore

_SOURCE = "1"  # LlamaIndex's NodeRelationship.SOURCE: the document a chunk comes from
_KEYS = frozenset({"_node_content", "_node_type", "document_id", "doc_id", "ref_doc_id", "text"})


@dataclass
class StoredChunk:
    """One chunk: its id, its document's id, its text and its metadata (title, section,
    source, url, ACL fields, ...), as ``metadata_dict_to_node`` would give them."""

    chunk_id: str
    doc_id: str
    text: str
    metadata: dict[str, Any]
    score: float = 0.0


def from_payload(payload: dict[str, Any], point_id: str = "") -> StoredChunk:
    """The chunk stored in a point's payload (node JSON first, flat fields otherwise).

    The access fields are the flat ones, what the search filter matched and what a payload
    update changes, narrowed by the node JSON's copy where that says less: public only
    when both say so, readers only those both name. A point without them is restricted."""
    node_json = payload.get("_node_content")
    try:
        node = json.loads(node_json) if isinstance(node_json, str) else None
    except ValueError:
        node = None  # unreadable node JSON: the flat fields are all there is
    if not isinstance(node, dict):
        metadata = {k: v for k, v in payload.items() if k not in _KEYS}
        doc_id = payload.get("ref_doc_id") or payload.get("doc_id") or ""
        chunk = StoredChunk(point_id, str(doc_id), str(payload.get("text", "")), metadata)
    else:
        source = (node.get("relationships") or {}).get(_SOURCE)
        doc_id = source.get("node_id") if isinstance(source, dict) else None
        chunk = StoredChunk(
            chunk_id=str(node.get("id_") or point_id),
            doc_id=str(doc_id or ""),
            text=str(node.get("text", "")),
            metadata=dict(node.get("metadata") or {}),
        )
    chunk.metadata.update(_access(payload, chunk.metadata))
    return chunk


def _access(flat: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """The stricter reading of the two copies of a chunk's access fields."""
    public = flat.get("acl_public") is True and stored.get("acl_public", True) is True
    access: dict[str, Any] = {"acl_public": public}
    for key in ("acl_users", "acl_groups"):
        named = _names(flat.get(key))
        if key in stored:  # a copy that is not a list of names names nobody
            also = set(_names(stored.get(key)))
            named = [v for v in named if v in also]
        access[key] = named
    return access


def _names(value: Any) -> list[str]:
    """A stored list of user or group ids; anything else (a bare string included) is none."""
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def dense_search(
    store: QdrantIndexStore, embedding: list[float], limit: int, *, acl: qm.Filter | None
) -> list[StoredChunk]:
    """The ``limit`` chunks nearest to ``embedding`` among those ``acl`` admits (None:
    every chunk; only when the caller knows none is restricted)."""
    return _search(store, embedding, DENSE_VECTOR, limit, acl)


def sparse_search(
    store: QdrantIndexStore, text: str, limit: int, *, acl: qm.Filter | None
) -> list[StoredChunk]:
    """The ``limit`` best BM25 matches of ``text`` among the chunks ``acl`` admits."""
    indices, values = store.sparse.encode_queries([text])
    vector = qm.SparseVector(indices=indices[0], values=values[0])
    return _search(store, vector, SPARSE_VECTOR, limit, acl)


def _search(
    store: QdrantIndexStore,
    query: list[float] | qm.SparseVector,
    using: str,
    limit: int,
    flt: qm.Filter | None,
) -> list[StoredChunk]:
    request = qm.QueryRequest(query=query, using=using, limit=limit, filter=flt, with_payload=True)
    (response,) = store.client.query_batch_points(store.alias, requests=[request])
    chunks = []
    for point in response.points:
        chunk = from_payload(point.payload or {}, str(point.id))
        chunk.score = float(point.score)
        chunks.append(chunk)
    return chunks
