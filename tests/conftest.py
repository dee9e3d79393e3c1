"""Shared fixtures: the real MiniLM embedder (loaded once), the demo handbook, ../shared."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.commands import CORPORA, DEMO, REPO, SHARED  # noqa: F401 (used by fixtures)


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    from indexing.embedding import MiniLMEmbedding

    return MiniLMEmbedding()


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A writable copy of the demo handbook."""
    target = tmp_path / "handbook"
    shutil.copytree(DEMO, target)
    return target


@pytest.fixture
def corpora() -> Path:
    if not (CORPORA / "18f-handbook").is_dir():
        pytest.skip(f"the shared corpora are not present at {CORPORA}")
    return CORPORA


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No WIKIBOT_/QDRANT_/OPENAI_ variables from the developer's shell; data dir in tmp."""
    for name in list(os.environ):
        if name.startswith(("WIKIBOT_", "QDRANT_", "OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    monkeypatch.setenv("WIKIBOT_DATA_DIR", str(data))
    yield data


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[object]:
    from tests.support.redis_server import RedisServer

    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def indexed_template(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:  # type: ignore[no-untyped-def]
    """A data dir with the demo handbook indexed; tests copy it (shutil.copytree)."""
    from bot.app import build_app
    from bot.config import load_settings
    from connectors.folder import FolderConnector
    from tests.support.indexing import index_now

    data = tmp_path_factory.mktemp("indexed-template")
    parts = build_app(load_settings(data_dir=data), embedder=embedder)
    index_now(parts, [FolderConnector(DEMO)])
    parts.store.client.close()
    return data
