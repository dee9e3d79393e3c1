"""Chunks read and searched without LlamaIndex (indexing/stored_chunks.py) are exactly what
LlamaIndex's QdrantVectorStore gives: the same points in the same order with the same
scores, texts, documents and ACL fields, with and without the viewer's filter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
from llama_index.core.vector_stores.types import VectorStoreQuery, VectorStoreQueryMode
from llama_index.core.vector_stores.utils import metadata_dict_to_node, node_to_metadata_dict
from qdrant_client import QdrantClient

from bot.answer.retrieval import acl_filter
from bot.models import PUBLIC, Viewer
from indexing.store import QdrantIndexStore
from indexing.stored_chunks import StoredChunk, dense_search, from_payload, sparse_search

TEXTS = [
    ("Vacation", "Staff get 25 vacation days per year; unused days carry over.", True, []),
    ("Travel", "Book travel through the portal; the hotel limit is 220 per night.", True, []),
    ("Project Falcon", "Falcon vacation plans are secret; ask the project lead.", False, ["u1"]),
    ("Sick leave", "Sick leave accrues four hours per pay period, with no cap.", True, []),
    ("Laptops", "Laptops are issued on the first day; report a lost one at once.", False, []),
]


class _Embedder:
    model_name = "fake"
    dimension = 4

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def embed_batch(self, texts: list[str]) -> list[list[float]]:
        return [_vector(t) for t in texts]


def _vector(text: str) -> list[float]:
    """Distinct directions for distinct texts (no ties: tied points come back in any order)."""
    words = text.lower().split()
    return [
        1.0 + sum("vacation" in w for w in words),
        1.0 + 2 * sum("travel" in w or "hotel" in w for w in words),
        1.0 + 3 * sum("leave" in w for w in words),
        len(words) / 7,
    ]


def _node(i: int, title: str, text: str, public: bool, users: list[str]) -> TextNode:
    node = TextNode(
        id_=f"00000000-0000-0000-0000-00000000000{i}",
        text=text,
        metadata={
            "title": title,
            "section": f"{title} > Rules",
            "source": f"{title.lower().replace(' ', '-')}.md",
            "url": f"https://wiki.example/{i}",
            "acl_public": public,
            "acl_users": users,
            "acl_groups": [],
            "chunk_index": 0,
        },
        embedding=_vector(text),
    )
    node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=f"handbook:{title}")
    return node


@pytest.fixture
def store() -> Iterator[QdrantIndexStore]:
    client = QdrantClient(location=":memory:")
    store = QdrantIndexStore(client, alias="wikibot", embedder=_Embedder, local=True)
    collection = store.new_collection()
    store.swap_alias(collection)
    store.vector_store(collection).add([_node(i, *row) for i, row in enumerate(TEXTS)])
    yield store
    client.close()


def test_a_payload_reads_as_llama_index_reads_it() -> None:
    node = _node(1, *TEXTS[2])
    payload = node_to_metadata_dict(node, flat_metadata=False)
    ours, theirs = from_payload(payload), metadata_dict_to_node(payload)
    assert ours.chunk_id == theirs.node_id
    assert ours.doc_id == theirs.ref_doc_id == "handbook:Project Falcon"
    assert ours.text == theirs.get_content()
    assert ours.metadata == theirs.metadata
    assert ours.metadata["acl_public"] is False and ours.metadata["acl_users"] == ["u1"]


def test_a_payload_without_node_json_keeps_its_flat_fields() -> None:
    payload = {"text": "Hello", "title": "T", "doc_id": "d", "acl_public": True}
    chunk = from_payload(payload, "7")
    assert (chunk.chunk_id, chunk.doc_id, chunk.text) == ("7", "d", "Hello")
    assert chunk.metadata == {"title": "T", "acl_public": True}


def _theirs(store: QdrantIndexStore, query: VectorStoreQuery, acl: Any) -> list[tuple[Any, ...]]:
    result = store.vector_store().query(query, qdrant_filters=acl)
    return [
        (node.node_id, node.ref_doc_id, node.get_content(), node.metadata, float(score))
        for node, score in zip(result.nodes or [], result.similarities or [], strict=True)
    ]


def _ours(chunks: list[StoredChunk]) -> list[tuple[Any, ...]]:
    return [(c.chunk_id, c.doc_id, c.text, c.metadata, c.score) for c in chunks]


@pytest.mark.parametrize("viewer", [None, PUBLIC, Viewer(user="u1")])
@pytest.mark.parametrize("question", ["vacation days per year", "hotel travel leave", "zebra"])
def test_searches_match_the_llama_index_vector_store(
    store: QdrantIndexStore, viewer: Viewer | None, question: str
) -> None:
    acl = None if viewer is None else acl_filter(viewer)
    embedding = _vector(question)
    dense = VectorStoreQuery(
        query_embedding=embedding, query_str=question, similarity_top_k=3, sparse_top_k=3
    )
    assert _ours(dense_search(store, embedding, 3, acl)) == _theirs(store, dense, acl)
    sparse = VectorStoreQuery(
        query_embedding=None,
        query_str=question,
        similarity_top_k=3,
        sparse_top_k=3,
        mode=VectorStoreQueryMode.SPARSE,
    )
    assert _ours(sparse_search(store, question, 3, acl)) == _theirs(store, sparse, acl)


def test_the_viewer_filter_is_applied_inside_the_search(store: QdrantIndexStore) -> None:
    public = dense_search(store, _vector("vacation"), 5, acl_filter(PUBLIC))
    assert {c.metadata["title"] for c in public} == {"Vacation", "Travel", "Sick leave"}
    u1 = sparse_search(store, "falcon vacation", 5, acl_filter(Viewer(user="u1")))
    assert "Project Falcon" in {c.metadata["title"] for c in u1}
    assert all(c.metadata["title"] != "Laptops" for c in u1)
