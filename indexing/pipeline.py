"""Incremental indexing: only new or changed documents are chunked and embedded.

* unchanged content hash -> nothing is done for the document;
* changed -> the new chunks are written first, then the old version's chunks removed
  (a crash in between leaves both versions, never neither);
* gone from the source -> its chunks are deleted (documents that failed to read this time
  keep their previous chunks: a broken file never erases what was indexed; unless the
  connector marks the failure ``withdrawn``: then the previous chunks go too);
* ``full=True`` (and the very first run) builds a new collection and moves the alias only
  when everything succeeded.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path

from llama_index.core.schema import (
    BaseNode,
    MetadataMode,
    NodeRelationship,
    RelatedNodeInfo,
    TextNode,
)

from connectors.base import (
    Connector,
    ConnectorBatch,
    DeltaConnector,
    IncrementalConnector,
    SourceDocument,
)
from indexing.chunking import chunk_document
from indexing.embedding import Embedder
from indexing.errors import IndexRequestError
from indexing.lock import IndexLock
from indexing.settings import ChunkingConfig
from indexing.store import QdrantIndexStore
from indexing.summary import IndexSummary, ProgressCallback
from indexing.vocabulary import refresh_vocabulary

logger = logging.getLogger(__name__)

_EMBED_VISIBLE = ("title", "section")


class IndexPipeline:
    def __init__(
        self,
        *,
        store: QdrantIndexStore,
        embedder: Embedder,
        lock_path: Path | None,
        chunking: ChunkingConfig | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.lock_path = lock_path
        self.chunking = chunking or ChunkingConfig()

    def run(
        self,
        connectors: Sequence[Connector],
        *,
        full: bool = False,
        progress: ProgressCallback | None = None,
    ) -> IndexSummary:
        names = [c.name for c in connectors]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise IndexRequestError(
                f"two sources share the name {sorted(duplicates)[0]!r}; rename one"
            )
        started = time.perf_counter()
        lock = IndexLock(self.lock_path) if self.lock_path else contextlib.nullcontext()
        try:
            with lock:  # without a lock path, the caller holds the lock
                summary = self._run(connectors, names, full=full, progress=progress)
        finally:
            self.store.invalidate()  # cached facts about the index are stale now
        summary.seconds = time.perf_counter() - started
        return summary

    def _run(
        self,
        connectors: Sequence[Connector],
        names: list[str],
        *,
        full: bool,
        progress: ProgressCallback | None,
    ) -> IndexSummary:
        store = self.store
        store.drop_orphans()
        current = store.current_collection()
        summary = IndexSummary(full=full or current is None)
        if current and not full:
            store.check_compatible(current)
            target, existing = current, store.document_hashes(current, names)
        else:
            target, existing = store.new_collection(), {}
            if current:
                copied = store.copy_other_sources(current, target, names)
                logger.info("carried %d chunks of other sources into %s", copied, target)
        seen: set[str] = set()
        for connector in connectors:
            self._apply(connector.load(), target, existing, summary, seen, progress)
        gone = sorted(set(existing) - seen)
        if gone:
            store.delete_documents(target, gone)
        summary.deleted = len(gone)
        summary.chunks_total = store.count(target)
        changed = target != current or bool(summary.new + summary.changed + summary.deleted)
        refresh_vocabulary(store, target, changed=changed)
        if target != current:
            previous = store.swap_alias(target)
            if previous:
                store.client.delete_collection(previous)
        return summary

    def sync(
        self,
        connector: IncrementalConnector,
        *,
        since: datetime,
        check_deletions: bool,
        progress: ProgressCallback | None = None,
    ) -> IndexSummary:
        """Apply the changes one source reports since ``since`` to the current collection:
        changed documents are re-embedded, and (with ``check_deletions``) documents the source
        no longer lists are removed. Without an index yet, there is nothing to sync against:
        use :meth:`run`."""

        def changes() -> Iterable[ConnectorBatch]:
            if check_deletions:  # the ids first: a page created during the poll is not lost
                present.update(connector.list_ids())
            yield from connector.poll(since)

        present: set[str] = set()
        return self._apply_to_current(
            connector.name,
            changes,
            lambda existing, seen: existing - present - seen if check_deletions else set(),
            progress,
        )

    def sync_changes(
        self,
        connector: DeltaConnector,
        cursor: dict[str, str],
        *,
        progress: ProgressCallback | None = None,
    ) -> IndexSummary:
        """Apply what a delta source reports since ``cursor`` to the current collection:
        changed documents re-embedded (unchanged content costs nothing), deleted ones removed."""
        return self._apply_to_current(
            connector.name,
            lambda: connector.changes(cursor),
            lambda existing, seen: _gone(connector, existing) - seen,
            progress,
        )

    def _apply_to_current(
        self,
        name: str,
        changes: Callable[[], Iterable[ConnectorBatch]],
        gone_of: Callable[[set[str], set[str]], set[str]],
        progress: ProgressCallback | None,
    ) -> IndexSummary:
        """One source's changes into the current collection, then the documents ``gone_of``
        (existing ids, ids seen in the changes) names deleted."""
        started = time.perf_counter()
        lock = IndexLock(self.lock_path) if self.lock_path else contextlib.nullcontext()
        try:
            with lock:
                store = self.store
                current = store.current_collection()
                if current is None:
                    raise IndexRequestError("nothing is indexed yet: run a full index first")
                store.check_compatible(current)
                existing = store.document_hashes(current, [name])
                summary = IndexSummary()
                seen: set[str] = set()
                self._apply(changes(), current, existing, summary, seen, progress)
                gone = sorted(gone_of(set(existing), seen))
                if gone:
                    store.delete_documents(current, gone)
                summary.deleted = len(gone)
                summary.chunks_total = store.count(current)
                changed = bool(summary.new + summary.changed + summary.deleted)
                refresh_vocabulary(store, current, changed=changed)
        finally:
            self.store.invalidate()
        summary.seconds = time.perf_counter() - started
        return summary

    def _apply(
        self,
        batches: Iterable[ConnectorBatch],
        target: str,
        existing: dict[str, str],
        summary: IndexSummary,
        seen: set[str],
        progress: ProgressCallback | None,
    ) -> None:
        """Embed and write what is new or changed in ``batches``; count the rest."""
        vector_store = self.store.vector_store(target)
        for batch in batches:
            summary.failed.extend(batch.failed)
            summary.unsupported.extend(batch.unsupported)
            seen.update(f.id for f in batch.failed if not f.withdrawn)  # withdrawn: removed
            to_embed: list[SourceDocument] = []
            for doc in batch.documents:
                seen.add(doc.id)
                previous = existing.get(doc.id)
                if previous == doc.content_hash:
                    summary.unchanged += 1
                    continue
                to_embed.append(doc)
                if previous is None:
                    summary.new += 1
                else:
                    summary.changed += 1
            if to_embed:
                nodes = self._embed(to_embed, summary)
                if any(not doc.acl.public for doc in to_embed):
                    self.store.mark_restricted()
                vector_store.add(nodes)
                for doc in to_embed:
                    if doc.id in existing:
                        self.store.delete_stale_chunks(target, doc.id, doc.content_hash)
            if progress:
                read = summary.new + summary.changed + summary.unchanged + len(summary.failed)
                progress(read, summary.chunks_embedded, summary.unchanged)

    def _embed(self, docs: list[SourceDocument], summary: IndexSummary) -> list[BaseNode]:
        nodes: list[BaseNode] = []
        for doc in docs:
            for chunk in chunk_document(
                doc,
                max_tokens=self.chunking.max_tokens,
                overlap_tokens=self.chunking.overlap_tokens,
                count_tokens=self.embedder.count_tokens,
            ):
                nodes.append(self._node(doc, chunk.index, chunk.text, chunk.section, chunk.anchor))
        texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
        started = time.perf_counter()
        vectors = self.embedder.embed_batch(texts)
        summary.embed_seconds += time.perf_counter() - started
        for node, vector in zip(nodes, vectors, strict=True):
            node.embedding = vector
        summary.chunks_embedded += len(nodes)
        return nodes

    def _node(
        self, doc: SourceDocument, index: int, text: str, section: str, anchor: str
    ) -> TextNode:
        url = f"{doc.url}#{anchor}" if anchor and doc.url and "#" not in doc.url else doc.url
        metadata = {
            "title": doc.title,
            "section": section,
            "source": doc.source,
            "source_name": doc.source_name,
            "url": url,
            "doc_url": doc.url,
            "updated_at": doc.updated_at.isoformat() if doc.updated_at else "",
            "updated_from": doc.updated_from,
            "content_hash": doc.content_hash,
            "acl_public": doc.acl.public,
            "acl_users": doc.acl.users,
            "acl_groups": doc.acl.groups,
            "labels": doc.labels,
            "embed_model": self.store.embed_model,
            "chunk_index": index,
        }
        hidden = [k for k in metadata if k not in _EMBED_VISIBLE]
        return TextNode(
            id_=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{doc.id}#{doc.content_hash}#{index}")),
            text=text,
            metadata=metadata,
            excluded_embed_metadata_keys=hidden,
            excluded_llm_metadata_keys=hidden,
            metadata_template="{value}",
            text_template="{metadata_str}\n\n{content}",
            relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=doc.id)},
        )


def _gone(connector: DeltaConnector, existing: set[str]) -> set[str]:
    """The indexed ids a delta sync reported deleted: named ones, and every one under a
    deleted prefix (the pipeline keeps those the same sync read again)."""
    prefixes = tuple(connector.deleted_prefixes)
    under = {doc for doc in existing if doc.startswith(prefixes)} if prefixes else set()
    return (connector.deleted & existing) | under
