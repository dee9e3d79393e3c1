"""The index vocabulary is counted at index time and stored with the index: a new process
answers from the stored statistics; they follow incremental changes and full rebuilds, and a
stale or missing copy is never used."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.answer.retrieval import QdrantRetriever
from bot.config import RetrievalSettings
from connectors.folder import FolderConnector
from indexing.pipeline import IndexPipeline
from indexing.store import QdrantConfig, QdrantIndexStore, open_client
from indexing.vocabulary import TermStatistics, counted_statistics, stored_vocabulary


@pytest.fixture
def pipeline(tmp_path: Path, embedder) -> Iterator[IndexPipeline]:  # type: ignore[no-untyped-def]
    client = open_client(QdrantConfig(), tmp_path / "data")
    store = QdrantIndexStore(client, alias="wikibot", embedder=lambda: embedder)
    yield IndexPipeline(store=store, embedder=embedder, lock_path=tmp_path / "data" / "index.lock")
    client.close()


def _stored(store: QdrantIndexStore) -> TermStatistics | None:
    collection = store.current_collection()
    assert collection is not None
    return stored_vocabulary(store, collection, store.count())


def _counted(store: QdrantIndexStore) -> TermStatistics:
    return counted_statistics(store)


def test_the_vocabulary_is_stored_and_follows_changes(
    pipeline: IndexPipeline, demo_copy: Path
) -> None:
    store = pipeline.store
    pipeline.run([FolderConnector(demo_copy)])
    stored = _stored(store)
    assert stored is not None and stored == _counted(store)
    assert stored.document_frequency["vacation"] > 0 and stored.surface["vacation"] == "vacation"
    assert "zebrafish" not in stored.document_frequency
    (demo_copy / "aquarium.md").write_text("# Aquarium\n\nThe zebrafish are fed at noon.\n")
    pipeline.run([FolderConnector(demo_copy)])
    changed = _stored(store)
    assert changed is not None and changed == _counted(store)
    assert changed.document_frequency["zebrafish"] == 1
    pipeline.run([FolderConnector(demo_copy)], full=True)
    assert _stored(store) == _counted(store)


def test_the_retriever_uses_the_stored_vocabulary_and_never_a_stale_one(
    pipeline: IndexPipeline, demo_copy: Path
) -> None:
    store = pipeline.store
    pipeline.run([FolderConnector(demo_copy)])
    retriever = QdrantRetriever(store=store, settings=RetrievalSettings())
    assert retriever.vocabulary().df == _counted(store).document_frequency
    removed = store.delete_source(FolderConnector(demo_copy).name)  # outside an index run
    assert removed > 0 and _stored(store) is None  # the stored copy no longer matches
    assert retriever.vocabulary().df == _counted(store).document_frequency == {}


def test_restricted_words_are_never_offered_as_spellings(
    pipeline: IndexPipeline, demo_copy: Path
) -> None:
    """The spelling correction replaces a question's words with the vocabulary's spellings,
    and the corrected question is searched, shown and sent to the LLM: a public asker typing
    "nightjr" must not get a restricted page's codename back."""
    from bot.answer.evidence import clean_query

    (demo_copy / "execs").mkdir()
    (demo_copy / "execs" / "merger.md").write_text(
        "# Merger\n\nProject Nightjar is the acquisition of Globex, closing in March.\n"
    )
    rules = 'rules:\n  - path: "execs/**"\n    groups: [execs]\n'
    (demo_copy / ".wikibot-acl.yaml").write_text(rules)
    pipeline.run([FolderConnector(demo_copy)])
    stored = _stored(pipeline.store)
    assert stored is not None and stored.document_frequency["nightjar"] == 1  # readers rank
    assert "nightjar" not in stored.surface.values() and "globex" not in stored.surface.values()
    assert stored.surface["vacation"] == "vacation"
    vocabulary = QdrantRetriever(store=pipeline.store, settings=RetrievalSettings()).vocabulary()
    assert "nightjar" not in clean_query("what is project nightjr?", vocabulary).lower()
