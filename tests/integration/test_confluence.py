"""Confluence over real HTTP: the connector and `sync` against a local stand-in for the
Confluence REST API, real MiniLM, embedded Qdrant."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.app import App, build_app
from bot.config import load_settings
from bot.index_admin.reindex import ReindexRequest
from bot.models import PUBLIC, Viewer
from connectors.base import IncrementalConnector
from connectors.confluence.client import (
    ConfluenceAuthError,
    ConfluenceClient,
    ConfluenceUnavailableError,
)
from tests.support.confluence_pages import RESTRICTED_MARKERS, SOURCES_YAML, populate
from tests.support.confluence_stub import ConfluenceStub

PAGES_WITH_TEXT = 19  # 20 pages, one of them an empty draft


@pytest.fixture
def stub() -> Iterator[ConfluenceStub]:
    with ConfluenceStub() as server:
        populate(server)
        yield server


@pytest.fixture
def components(
    stub: ConfluenceStub, clean_env: Path, monkeypatch: pytest.MonkeyPatch, embedder
) -> Iterator[App]:  # type: ignore[no-untyped-def]
    sources = clean_env.parent / "sources.yaml"
    sources.write_text(SOURCES_YAML.format(url=stub.url), encoding="utf-8")
    monkeypatch.setenv("CONF_TOKEN", "conf-token")
    parts = build_app(load_settings(data_dir=clean_env, sources_file=sources), embedder=embedder)
    yield parts
    parts.store.client.close()


def _sync(components: App):  # type: ignore[no-untyped-def]
    request = ReindexRequest(components.sources.connectors(), "sync", "tests")
    [result] = components.reindexer.run_here(request).results
    assert result.ok, result.error
    return result


def _cited(components: App, question: str, viewer: Viewer = PUBLIC) -> list[str]:
    answer = components.engine.ask(question, viewer=viewer)
    return [c.doc_id for c in answer.citations]


def _texts(components: App, viewer: Viewer) -> str:
    """Everything retrieval returns for a question about each restricted page."""
    found = []
    for question in (
        "break-glass credentials safe",
        "salary band staff engineers",
        "security access reviews",
        "payroll runs on the 25th",
    ):
        found += [c.text for c in components.engine.ask(question, viewer=viewer).retrieved]
    return "\n".join(found)


def test_first_sync_then_exactly_what_changed(components: App, stub: ConfluenceStub) -> None:
    first = _sync(components)
    assert first.how == "full listing"  # never synced: everything is read
    assert first.summary.new == PAGES_WITH_TEXT and first.summary.empty[0].id == "wiki:106"
    pages = [p for p in stub.searches() if "body.storage" in p]
    assert len(pages) == 4  # 20 pages at 5 per page, following _links.next

    # the citation links to the page, with the breadcrumb as its section
    answer = components.engine.ask("How often does the VPN profile expire?")
    top = answer.citations[0]
    assert top.doc_id == "wiki:101"
    assert top.url == f"{stub.url}/spaces/ENG/pages/101/Onboarding"
    assert top.section.startswith("Engineering > Onboarding")

    stub.edit("102", "<h2>Severity levels</h2><p>A SEV1 now pages the incident commander.</p>")
    del stub.pages["115"]
    stub.requests.clear()
    second = _sync(components)
    assert second.how.startswith("changes since")
    s = second.summary
    assert (s.new, s.changed, s.unchanged, s.deleted) == (0, 1, 0, 1)
    assert s.chunks_embedded == 1  # exactly the edited page's one chunk
    assert [p for p in stub.searches() if "lastmodified" in p]  # a CQL change poll
    hashes = components.store.document_hashes(components.store.current_collection(), ["wiki"])
    assert "wiki:115" not in hashes and len(hashes) == PAGES_WITH_TEXT - 1
    # the edit is searchable at once (whether this short question is answered or declined
    # is the decision model's call, tested elsewhere)
    edited = components.engine.ask("Who does a SEV1 page now?").retrieved[0]
    assert edited.doc_id == "wiki:102" and "pages the incident commander" in edited.text

    third = _sync(components)  # nothing changed: nothing embedded
    assert third.summary.chunks_embedded == 0 and third.summary.deleted == 0
    state = components.sync_states.get("wiki")
    assert state is not None and state.outcome == "ok" and state.kind == "confluence"


def test_restricted_pages_reach_only_allowed_people(components: App) -> None:
    _sync(components)
    public = _texts(components, PUBLIC)
    assert not [m for m in RESTRICTED_MARKERS.values() if m in public]
    security = _texts(components, Viewer(user="U1", groups=frozenset({"security-team"})))
    assert "SECRET-ALPHA" in security  # the restricted page
    assert "SECRET-BRAVO" in security  # its child inherits the restriction
    assert "SECRET-CHARLIE" not in security and "SECRET-DELTA" not in security
    dana = _texts(components, Viewer(user="U2", email="dana@acme.test"))
    assert "SECRET-CHARLIE" in dana and "SECRET-ALPHA" not in dana
    hr = _texts(components, Viewer(user="U3", groups=frozenset({"hr-staff"})))
    assert "SECRET-DELTA" in hr and "SECRET-ALPHA" not in hr  # space readable by HR only


def test_retries_429_and_500_and_one_line_auth_errors(stub: ConfluenceStub) -> None:
    client = ConfluenceClient(stub.url, auth=httpx.BasicAuth("bot@acme.test", "conf-token"))
    stub.faults = [(429, {"Retry-After": "1"}), (500, {})]
    started = time.monotonic()
    pages = list(client.search('type = page and space in ("ENG")', limit=5))
    assert len(pages) == 19 and time.monotonic() - started >= 1.0
    times = [t for t, _ in stub.requests]
    assert times[1] - times[0] >= 1.0  # Retry-After honoured
    assert len(stub.requests) == 2 + 4  # 429, 500, then the 4 result pages

    stub.requests.clear()
    stub.faults = [(503, {})] * 3
    client.sleep = lambda s: None
    client.max_retries = 2
    with pytest.raises(ConfluenceUnavailableError, match="answered 503"):
        client.get("/rest/api/space/ENG")

    wrong = ConfluenceClient(stub.url, auth=httpx.BasicAuth("bot@acme.test", "wrong"))
    with pytest.raises(ConfluenceAuthError) as caught:
        list(wrong.search("type = page"))
    assert "rejected the credentials (401)" in str(caught.value)
    assert "wrong" not in str(caught.value) and len(str(caught.value).splitlines()) == 1


def test_paging_survives_a_500_between_pages(stub: ConfluenceStub, components: App) -> None:
    [connector] = components.sources.connectors()
    assert isinstance(connector, IncrementalConnector)
    batches = connector.load()
    first = next(batches)
    stub.faults = [(500, {})]
    rest = list(batches)
    ids = {d.id for b in [first, *rest] for d in b.documents}
    assert len(ids) == PAGES_WITH_TEXT


FOLDER_AND_WIKI = """sources:
  - name: notes
    type: folder
    path: notes
{wiki}
"""


@pytest.mark.slow
def test_cli_sources_file_a_failing_source_does_not_stop_the_others(
    stub: ConfluenceStub, tmp_path: Path
) -> None:
    import os
    import subprocess

    from tests.support.commands import wikibot_command

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "parking.md").write_text("# Parking\n\nVisitors park in bay 7.\n", encoding="utf-8")
    wiki = "\n".join(SOURCES_YAML.format(url=stub.url).splitlines()[1:])
    sources = tmp_path / "sources.yaml"
    sources.write_text(FOLDER_AND_WIKI.format(wiki=wiki), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIKIBOT_", "QDRANT_"))}
    env.update(
        WIKIBOT_DATA_DIR=str(tmp_path / "data"),
        WIKIBOT_SOURCES_FILE=str(sources),
        CONF_TOKEN="a-wrong-token",
    )

    def run(*args: str):  # type: ignore[no-untyped-def]
        return subprocess.run(
            [*wikibot_command(), *args], env=env, capture_output=True, text=True, timeout=300
        )

    broken = run("index")
    assert broken.returncode == 1
    assert "notes (full listing): 1 documents: 1 new" in broken.stdout
    assert "wiki: FAILED (full listing): Confluence at" in broken.stdout
    assert "rejected the credentials (401)" in broken.stdout
    assert "1 of 2 source(s) failed (wiki)" in broken.stderr
    assert "a-wrong-token" not in broken.stdout + broken.stderr

    env["CONF_TOKEN"] = "conf-token"
    first = run("sync", "--source", "wiki")
    assert first.returncode == 0, first.stderr
    assert "wiki (full listing): 19 documents: 19 new" in first.stdout  # never synced before
    again = run("sync")
    assert again.returncode == 0, again.stderr
    assert "wiki (changes since" in again.stdout and "nothing to embed" in again.stdout
    status = run("status")
    assert "source wiki (confluence): last run" in status.stdout and ", ok:" in status.stdout
    assert "source notes (folder): last run" in status.stdout

    unknown = run("sync", "--source", "nope")
    assert unknown.returncode == 2 and "unknown source 'nope'; known sources: notes, wiki" in (
        unknown.stderr
    )
    sources.write_text("sources:\n  - {name: x, type: ftp}\n", encoding="utf-8")
    bad = run("sync")
    assert bad.returncode == 2  # invalid configuration (docs/configuration.md)
    assert f"sources file {sources}: source \"x\": type: unknown type 'ftp'" in bad.stderr


async def test_background_sync_round_records_state_under_the_lock(
    components: App, stub: ConfluenceStub
) -> None:
    from bot.serve.background_sync import sync_once

    state = components.state
    await sync_once(components)
    record = components.sync_states.get("wiki")
    assert record is not None and record.outcome == "ok" and record.counts["new"] == 19
    held = await state.reindex_lock.acquire("someone else")  # released after the round
    await state.reindex_lock.release(held)
