"""Incremental indexing against embedded Qdrant with the real MiniLM embedder."""

from __future__ import annotations

from pathlib import Path

import pytest
from qdrant_client import models as qm

from connectors.folder import FolderConnector
from indexing.pipeline import IndexPipeline
from indexing.store import EmbedderMismatchError, QdrantConfig, QdrantIndexStore, open_client


@pytest.fixture
def pipeline(tmp_path: Path, embedder):  # type: ignore[no-untyped-def]
    client = open_client(QdrantConfig(), tmp_path / "data")
    store = QdrantIndexStore(client, alias="wikibot", embedder=lambda: embedder)
    yield IndexPipeline(store=store, embedder=embedder, lock_path=tmp_path / "data" / "index.lock")
    client.close()


def _doc_ids(store: QdrantIndexStore) -> dict[str, int]:
    counts: dict[str, int] = {}
    points, _ = store.client.scroll(store.alias, limit=10_000, with_payload=["doc_id"])
    for p in points:
        counts[p.payload["doc_id"]] = counts.get(p.payload["doc_id"], 0) + 1  # type: ignore[index]
    return counts


def test_incremental_runs_embed_only_what_changed(pipeline: IndexPipeline, demo_copy: Path) -> None:
    first = pipeline.run([FolderConnector(demo_copy)])
    assert first.full and first.new == 24 and first.chunks_embedded == first.chunks_total > 24

    again = pipeline.run([FolderConnector(demo_copy)])
    assert (again.new, again.changed, again.unchanged, again.deleted) == (0, 0, 24, 0)
    assert again.chunks_embedded == 0
    assert "nothing to embed" in again.line()
    assert again.chunks_total == first.chunks_total

    vacation = demo_copy / "time-off" / "vacation.md"
    vacation.write_text(vacation.read_text().replace("25 days", "27 days"))
    before = _doc_ids(pipeline.store)
    edited = pipeline.run([FolderConnector(demo_copy)])
    assert (edited.new, edited.changed, edited.unchanged) == (0, 1, 23)
    assert edited.chunks_embedded == before["handbook:time-off/vacation.md"]
    assert _doc_ids(pipeline.store) == before  # old version's chunks replaced, not added

    (demo_copy / "benefits" / "wellness.md").unlink()
    removed = pipeline.run([FolderConnector(demo_copy)])
    assert removed.deleted == 1 and removed.chunks_embedded == 0
    assert "handbook:benefits/wellness.md" not in _doc_ids(pipeline.store)


def test_a_file_that_breaks_keeps_its_previous_chunks(
    pipeline: IndexPipeline, demo_copy: Path
) -> None:
    pipeline.run([FolderConnector(demo_copy)])
    (demo_copy / "it" / "equipment.md").write_bytes(b"\xff\xfe broken \x00 now")
    result = pipeline.run([FolderConnector(demo_copy)])
    assert [f.source for f in result.errors] == ["it/equipment.md"]
    assert result.deleted == 0
    assert "handbook:it/equipment.md" in _doc_ids(pipeline.store)


def test_sources_are_scoped(pipeline: IndexPipeline, demo_copy: Path, tmp_path: Path) -> None:
    other = tmp_path / "notes"
    other.mkdir()
    (other / "a.md").write_text("# Notes\n\nThe office plant is watered on Fridays.\n")
    pipeline.run([FolderConnector(demo_copy)])
    result = pipeline.run([FolderConnector(other)])
    assert result.new == 1 and result.deleted == 0
    ids = _doc_ids(pipeline.store)
    assert "notes:a.md" in ids and "handbook:time-off/vacation.md" in ids


def test_full_rebuild_swaps_the_alias_and_keeps_other_sources(
    pipeline: IndexPipeline, demo_copy: Path, tmp_path: Path
) -> None:
    other = tmp_path / "notes"
    other.mkdir()
    (other / "a.md").write_text("# Notes\n\nThe office plant is watered on Fridays.\n")
    pipeline.run([FolderConnector(demo_copy), FolderConnector(other)])
    store = pipeline.store
    old = store.current_collection()
    rebuilt = pipeline.run([FolderConnector(demo_copy)], full=True)
    assert rebuilt.full and rebuilt.new == 24
    new = store.current_collection()
    assert new != old
    names = {c.name for c in store.client.get_collections().collections}
    assert old not in names and new in names
    assert "notes:a.md" in _doc_ids(store)  # carried over, not re-embedded


def test_embedder_change_requires_a_full_rebuild(pipeline: IndexPipeline, demo_copy: Path) -> None:
    from types import SimpleNamespace

    pipeline.run([FolderConnector(demo_copy)])
    other = SimpleNamespace(model_name="some-other-model", dimension=pipeline.store.dimension)
    store = QdrantIndexStore(pipeline.store.client, alias="wikibot", embedder=lambda: other)
    changed = IndexPipeline(store=store, embedder=pipeline.embedder, lock_path=None)
    with pytest.raises(EmbedderMismatchError, match="--full"):
        changed.run([FolderConnector(demo_copy)])


def test_payload_carries_citation_and_acl_fields(pipeline: IndexPipeline, demo_copy: Path) -> None:
    pipeline.run([FolderConnector(demo_copy)])
    flt = qm.Filter(
        must=[qm.FieldCondition(key="source", match=qm.MatchValue(value="time-off/vacation.md"))]
    )
    points, _ = pipeline.store.client.scroll("wikibot", scroll_filter=flt, limit=50)
    payload = points[0].payload or {}
    for key in (
        "title",
        "source",
        "url",
        "section",
        "updated_at",
        "acl_public",
        "acl_users",
        "acl_groups",
    ):
        assert key in payload
    assert payload["title"] == "Vacation"
    assert payload["updated_at"].startswith("2026-08-15")
    assert {p.payload["section"] for p in points} >= {"Vacation > Carry-over"}  # type: ignore[index]


def test_acl_filter_is_skipped_only_while_everything_is_public(
    pipeline: IndexPipeline, demo_copy: Path
) -> None:
    store = pipeline.store
    store.local = True
    pipeline.run([FolderConnector(demo_copy)])
    assert store.all_public()
    points, _ = store.client.scroll("wikibot", limit=1)
    store.client.set_payload("wikibot", {"acl_public": False}, points=[points[0].id])
    assert store.all_public()  # cached: only this process writes the embedded store...
    pipeline.run([FolderConnector(demo_copy)])
    assert not store.all_public()  # ...and every index run refreshes it
    store.local = False
    assert not store.all_public()  # a server always filters


def test_progress_reports_what_was_found_unchanged(
    pipeline: IndexPipeline, demo_copy: Path
) -> None:
    calls: list[tuple[int, int, int]] = []
    pipeline.run([FolderConnector(demo_copy)])
    again = pipeline.run(
        [FolderConnector(demo_copy)],
        progress=lambda read, chunks, unchanged: calls.append((read, chunks, unchanged)),
    )
    assert calls and calls[-1] == (24, 0, 24) == (again.unchanged, 0, again.unchanged)
