"""The Qdrant side of the index: collections behind an alias, payload indexes, hashes.

Searches always go through the alias (``wikibot`` by default). A full rebuild writes a
new timestamped collection and moves the alias in one atomic operation when it is
complete, so a failed or killed rebuild leaves the old collection serving; leftovers of
killed runs are dropped by the next run. The same code runs against qdrant-client's
local (embedded) mode and a Qdrant server.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from qdrant_client import QdrantClient
from qdrant_client import models as qm

from indexing.data_dir import private_dir, secure_data_dir
from indexing.errors import EmbedderMismatchError, StoreBusyError
from indexing.settings import QdrantConfig
from indexing.sparse import BM25SparseEncoder

if TYPE_CHECKING:
    from llama_index.vector_stores.qdrant import QdrantVectorStore

    from indexing.embedding import Embedder

logger = logging.getLogger(__name__)

DENSE_VECTOR = "text-dense"
SPARSE_VECTOR = "text-sparse-new"
KEYWORD_FIELDS = ("doc_id", "source_name", "content_hash", "acl_users", "acl_groups")


def open_client(config: QdrantConfig, data_dir: Path) -> QdrantClient:
    """A Qdrant server client when a URL is configured, else local mode in the data dir.
    Either way the data dir is made private first (indexing/data_dir.py)."""
    secure_data_dir(data_dir, create=not config.url)
    if config.url:
        api_key = config.api_key.get_secret_value() if config.api_key else None
        return QdrantClient(url=config.url, api_key=api_key, timeout=int(config.timeout_s))
    path = private_dir(data_dir / "qdrant")
    try:
        return QdrantClient(path=str(path))
    except RuntimeError as exc:
        if "already accessed" in str(exc):
            raise StoreBusyError(
                f"the embedded index in {path} is open in another wikibot process "
                "(an index run?); wait for it to finish, or use a Qdrant server (QDRANT_URL) "
                "to index and answer at the same time"
            ) from exc
        raise


class QdrantIndexStore:
    """Collections, alias and bookkeeping for one index (one alias)."""

    def __init__(
        self,
        client: QdrantClient,
        *,
        alias: str,
        embedder: Callable[[], Embedder],
        local: bool = False,
        replication_factor: int = 1,
    ) -> None:
        """``embedder`` is called only by what writes or checks vectors (new collections,
        compatibility checks): reading counts and payloads never loads the model."""
        self.client = client
        self.local = local
        self.replication_factor = replication_factor
        self._all_public: bool | None = None
        self.generation = 0  # bumped by every write this process makes (caches key on it)
        self.alias = alias
        self._embedder = embedder
        self.sparse = BM25SparseEncoder()

    @property
    def dimension(self) -> int:
        return self._embedder().dimension

    @property
    def embed_model(self) -> str:
        """The index fingerprint: embedding model and sparse encoder version."""
        return f"{self._embedder().model_name}+{self.sparse.VERSION}"

    # -- collections and alias ------------------------------------------------
    def current_collection(self) -> str | None:
        for alias in self.client.get_aliases().aliases:
            if alias.alias_name == self.alias:
                return alias.collection_name
        return None

    def new_collection(self) -> str:
        name = f"{self.alias}-{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 10**6:06d}"
        self.client.create_collection(
            collection_name=name,
            vectors_config={
                DENSE_VECTOR: qm.VectorParams(size=self.dimension, distance=qm.Distance.COSINE)
            },
            sparse_vectors_config={SPARSE_VECTOR: qm.SparseVectorParams(modifier=qm.Modifier.IDF)},
            replication_factor=None if self.local else self.replication_factor,
        )
        with warnings.catch_warnings():  # local mode warns that indexes do nothing there
            warnings.simplefilter("ignore", UserWarning)
            for field in KEYWORD_FIELDS:
                self.client.create_payload_index(name, field, qm.PayloadSchemaType.KEYWORD)
            self.client.create_payload_index(name, "acl_public", qm.PayloadSchemaType.BOOL)
        return name

    def swap_alias(self, collection: str) -> str | None:
        """Point the alias at ``collection`` atomically; returns the previous collection."""
        previous = self.current_collection()
        operations: list[qm.AliasOperations] = []
        if previous:
            operations.append(
                qm.DeleteAliasOperation(delete_alias=qm.DeleteAlias(alias_name=self.alias))
            )
        operations.append(
            qm.CreateAliasOperation(
                create_alias=qm.CreateAlias(collection_name=collection, alias_name=self.alias)
            )
        )
        self.client.update_collection_aliases(change_aliases_operations=operations)
        return previous

    def drop_orphans(self) -> list[str]:
        """Drop collections of this index that no alias points to (killed rebuilds)."""
        current = self.current_collection()
        dropped = []
        for collection in self.client.get_collections().collections:
            name = collection.name
            if name.startswith(f"{self.alias}-") and name != current:
                self.client.delete_collection(name)
                dropped.append(name)
        if dropped:
            logger.info("dropped %d unfinished collection(s): %s", len(dropped), ", ".join(dropped))
        return dropped

    def check_compatible(self, collection: str) -> None:
        info = self.client.get_collection(collection)
        vectors = info.config.params.vectors
        size = vectors[DENSE_VECTOR].size if isinstance(vectors, dict) else None
        points, _ = self.client.scroll(collection, limit=1, with_payload=["embed_model"])
        model = points[0].payload.get("embed_model") if points and points[0].payload else None
        if size != self.dimension or (model and model != self.embed_model):
            raise EmbedderMismatchError(
                f"the index was built with {model or 'another model'} ({size} dims) but the "
                f"configured embedder is {self.embed_model} ({self.dimension} dims); "
                "run `wikibot index --full` to rebuild it"
            )

    def all_public(self) -> bool:
        """True when no indexed chunk is restricted, so searches may skip the ACL filter.

        Only for the embedded store: no other process can write it (its folder is locked),
        and this process's writes call ``invalidate()``. Local mode evaluates filters point
        by point in Python, which is most of a query's time; a server uses payload indexes,
        so there the filter is always applied."""
        if not self.local:
            return False
        if self._all_public is None:
            # restricted: anything not marked public, a point without the field included
            restricted = qm.Filter(
                must_not=[qm.FieldCondition(key="acl_public", match=qm.MatchValue(value=True))]
            )
            self._all_public = self.client.count(self.alias, count_filter=restricted).count == 0
        return self._all_public

    def invalidate(self) -> None:
        self._all_public = None
        self.generation += 1

    def mark_restricted(self) -> None:
        """Called BEFORE restricted chunks are written: searches filter from now on (the
        retriever also re-checks every result, so a stale cache never shows one)."""
        self._all_public = False
        self.generation += 1

    # -- documents ------------------------------------------------------------
    def vector_store(self, collection: str | None = None) -> QdrantVectorStore:
        from llama_index.vector_stores.qdrant import QdrantVectorStore  # heavy: on first use

        return QdrantVectorStore(
            collection_name=collection or self.alias,
            client=self.client,
            enable_hybrid=True,
            sparse_doc_fn=self.sparse.encode_documents,
            sparse_query_fn=self.sparse.encode_queries,
            dense_vector_name=DENSE_VECTOR,
            sparse_vector_name=SPARSE_VECTOR,
            batch_size=64,
        )

    def scroll(
        self,
        collection: str,
        flt: qm.Filter | None,
        payload: list[str] | bool,
        vectors: bool = False,
    ) -> Iterator[qm.Record]:
        offset = None
        while True:
            points, offset = self.client.scroll(
                collection,
                scroll_filter=flt,
                limit=512,
                offset=offset,
                with_payload=payload,
                with_vectors=vectors,
            )
            yield from points
            if offset is None:
                return

    def document_hashes(self, collection: str, source_names: list[str]) -> dict[str, str]:
        """doc_id -> content_hash of the indexed documents of these sources."""
        flt = qm.Filter(
            must=[qm.FieldCondition(key="source_name", match=qm.MatchAny(any=source_names))]
        )
        hashes: dict[str, str] = {}
        for point in self.scroll(collection, flt, ["doc_id", "content_hash"]):
            if point.payload:
                hashes[point.payload["doc_id"]] = point.payload["content_hash"]
        return hashes

    def delete_documents(self, collection: str, doc_ids: list[str]) -> None:
        for start in range(0, len(doc_ids), 256):
            flt = qm.Filter(
                must=[
                    qm.FieldCondition(
                        key="doc_id", match=qm.MatchAny(any=doc_ids[start : start + 256])
                    )
                ]
            )
            self.client.delete(collection, points_selector=qm.FilterSelector(filter=flt), wait=True)

    def delete_stale_chunks(self, collection: str, doc_id: str, keep_hash: str) -> None:
        """Remove a document's chunks from versions other than ``keep_hash``."""
        flt = qm.Filter(
            must=[qm.FieldCondition(key="doc_id", match=qm.MatchValue(value=doc_id))],
            must_not=[qm.FieldCondition(key="content_hash", match=qm.MatchValue(value=keep_hash))],
        )
        self.client.delete(collection, points_selector=qm.FilterSelector(filter=flt), wait=True)

    def copy_other_sources(self, source: str, target: str, rebuilt: list[str]) -> int:
        """Carry the points of sources not being rebuilt into the new collection."""
        flt = qm.Filter(
            must_not=[qm.FieldCondition(key="source_name", match=qm.MatchAny(any=rebuilt))]
        )
        batch: list[qm.PointStruct] = []
        copied = 0
        for point in self.scroll(source, flt, True, vectors=True):
            batch.append(
                qm.PointStruct(
                    id=point.id, vector=cast(Any, point.vector or {}), payload=point.payload
                )
            )
            if len(batch) >= 256:
                self.client.upsert(target, batch, wait=True)
                copied += len(batch)
                batch = []
        if batch:
            self.client.upsert(target, batch, wait=True)
            copied += len(batch)
        return copied

    def count(self, collection: str | None = None) -> int:
        return self.client.count(collection or self.alias, exact=True).count

    def document_count(self) -> int:
        """Documents in the index (each has exactly one chunk number 0)."""
        first = qm.Filter(must=[qm.FieldCondition(key="chunk_index", match=qm.MatchValue(value=0))])
        return self.client.count(self.alias, count_filter=first, exact=True).count

    def delete_source(self, name: str) -> int:
        """Delete every chunk of one source from the serving collection; returns how many."""
        collection = self.current_collection()
        if collection is None:
            return 0
        flt = of_source(name)
        chunks = self.client.count(collection, count_filter=flt, exact=True).count
        self.client.delete(collection, points_selector=qm.FilterSelector(filter=flt), wait=True)
        self.invalidate()
        return chunks


def of_source(name: str) -> qm.Filter:
    return qm.Filter(must=[qm.FieldCondition(key="source_name", match=qm.MatchValue(value=name))])
