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
from qdrant_client import models as qm

from bot.answer.retrieval import QdrantRetriever, acl_filter
from bot.config import RetrievalSettings
from bot.models import PUBLIC, Viewer
from indexing.store import DENSE_VECTOR, SPARSE_VECTOR, QdrantIndexStore
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
    assert chunk.metadata == {"title": "T", "acl_public": True, "acl_users": [], "acl_groups": []}


def test_unreadable_node_json_falls_back_to_the_flat_fields() -> None:
    payload = {"_node_content": "{not json", "text": "Hi", "doc_id": "d", "acl_public": False}
    chunk = from_payload(payload, "9")
    assert (chunk.chunk_id, chunk.doc_id, chunk.text) == ("9", "d", "Hi")
    assert chunk.metadata["acl_public"] is False


def test_access_is_the_stricter_of_the_flat_fields_and_the_node_json() -> None:
    payload = node_to_metadata_dict(_node(1, *TEXTS[0]), flat_metadata=False)
    payload.update(acl_public=False, acl_users=["boss"])  # a payload update restricted it
    chunk = from_payload(payload)
    assert chunk.metadata["acl_public"] is False
    assert chunk.metadata["acl_users"] == []  # the node JSON named nobody: nobody
    widened = node_to_metadata_dict(_node(2, *TEXTS[2]), flat_metadata=False)
    widened.update(acl_public=True, acl_users=["u1", "u2"])  # flat says more than the JSON
    chunk = from_payload(widened)
    assert chunk.metadata["acl_public"] is False and chunk.metadata["acl_users"] == ["u1"]


def test_access_fields_that_are_not_lists_name_nobody() -> None:
    payload = {"text": "x", "doc_id": "d", "acl_public": False, "acl_users": "u1"}
    assert from_payload(payload, "4").metadata["acl_users"] == []  # not ["u", "1"]
    payload = node_to_metadata_dict(_node(2, *TEXTS[2]), flat_metadata=False)
    payload["acl_groups"] = "hr"
    assert from_payload(payload).metadata["acl_groups"] == []


def test_a_point_without_access_fields_reads_as_restricted() -> None:
    chunk = from_payload({"text": "Secret plan", "doc_id": "d", "title": "T"}, "3")
    assert chunk.metadata["acl_public"] is False
    assert chunk.metadata["acl_users"] == [] and chunk.metadata["acl_groups"] == []


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
    assert _ours(dense_search(store, embedding, 3, acl=acl)) == _theirs(store, dense, acl)
    sparse = VectorStoreQuery(
        query_embedding=None,
        query_str=question,
        similarity_top_k=3,
        sparse_top_k=3,
        mode=VectorStoreQueryMode.SPARSE,
    )
    assert _ours(sparse_search(store, question, 3, acl=acl)) == _theirs(store, sparse, acl)


def test_the_viewer_filter_is_applied_inside_the_search(store: QdrantIndexStore) -> None:
    public = dense_search(store, _vector("vacation"), 5, acl=acl_filter(PUBLIC))
    assert {c.metadata["title"] for c in public} == {"Vacation", "Travel", "Sick leave"}
    u1 = sparse_search(store, "falcon vacation", 5, acl=acl_filter(Viewer(user="u1")))
    assert "Project Falcon" in {c.metadata["title"] for c in u1}
    # the restricted Laptops chunk matches "lost laptop" when nothing filters the search...
    everyone = sparse_search(store, "lost laptop", 5, acl=None)
    assert "Laptops" in {c.metadata["title"] for c in everyone}
    # ... and is absent for a viewer it is not shared with
    for viewer in (PUBLIC, Viewer(user="u1")):
        found = sparse_search(store, "lost laptop", 5, acl=acl_filter(viewer))
        assert "Laptops" not in {c.metadata["title"] for c in found}


def _public_store() -> QdrantIndexStore:
    """An embedded store whose chunks are all public, its "all public" belief cached."""
    client = QdrantClient(location=":memory:")
    store = QdrantIndexStore(client, alias="wikibot", embedder=_Embedder, local=True)
    collection = store.new_collection()
    store.swap_alias(collection)
    rows = [row for row in TEXTS if row[2]]
    store.vector_store(collection).add([_node(i, *row) for i, row in enumerate(rows)])
    assert store.all_public()
    return store


def _titles(store: QdrantIndexStore, question: str) -> set[str]:
    retriever = QdrantRetriever(store=store, settings=RetrievalSettings())
    found = retriever.retrieve(question, _vector(question), top_k=5, viewer=PUBLIC)
    return {c.title for c in found}


def test_a_chunk_restricted_by_a_payload_update_never_reaches_a_public_search() -> None:
    """The flat access fields (what the filter reads) changed behind a cached "all public"
    belief, the node JSON still says public: the result is re-checked on the stricter copy."""
    store = _public_store()
    assert "Vacation" in _titles(store, "vacation days per year")
    (point,) = [
        p for p in store.scroll(store.alias, None, ["title"]) if p.payload["title"] == "Vacation"
    ]
    store.client.set_payload(store.alias, {"acl_public": False, "acl_users": ["boss"]}, [point.id])
    assert "Vacation" not in _titles(store, "vacation days per year")
    store.client.close()


def test_a_point_without_access_fields_never_reaches_a_public_search() -> None:
    store = _public_store()
    store.client.upsert(
        store.alias,
        [
            qm.PointStruct(
                id="00000000-0000-0000-0000-000000000099",
                vector={
                    DENSE_VECTOR: _vector("vacation secret"),
                    SPARSE_VECTOR: qm.SparseVector(indices=[], values=[]),
                },
                payload={"text": "vacation secret", "title": "Unlabelled", "doc_id": "x"},
            )
        ],
    )
    assert "Unlabelled" not in _titles(store, "vacation secret")
    store.invalidate()
    assert not store.all_public()  # a point not marked public makes searches filter
    store.client.close()
