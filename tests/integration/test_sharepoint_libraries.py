"""One SharePoint library's failure is that library's alone (security review of issue 27),
against the Graph stand-in over real HTTPS through the real connector, Reindexer and index:
an expired delta link (410 Gone, resyncRequired) reads the library again from scratch in the
same run, deletions made meanwhile included; a library Graph refuses (403) or no longer has
(404) leaves the index and is reported while the other library's unsharing lands, in a sync
and in a full index, and comes back when Graph serves it again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import App
from bot.index_admin.reindex import ReindexRequest
from tests.support.graph_stub import GraphStub, Item
from tests.support.sharepoint_app import (
    HR,
    ONLY_HR,
    SOURCES,
    cited,
    indexed,
    sharepoint_app,
    sync,
)

pytestmark = pytest.mark.slow

PAY = b"# Pay review\n\nThe pay review panel meets every March in room ORCHID.\n"
BONUS = b"# Bonus rules\n\nThe bonus pool is split by the MAGENTA formula.\n"
LEAVE = b"# Parental leave\n\nBirth parents get 16 weeks of leave on full pay.\n"
TRAVEL = b"# Travel\n\nThe hotel limit abroad is 180 euros a night.\n"
TWO_LIBRARIES = SOURCES.replace("libraries: [Documents]", "libraries: [Documents, Policies]")


@pytest.fixture
def stub() -> Iterator[GraphStub]:
    with GraphStub(page_size=2) as server:
        yield server


@pytest.fixture
def app(stub: GraphStub, clean_env: Path, monkeypatch: pytest.MonkeyPatch,
        embedder: object) -> Iterator[App]:
    parts = sharepoint_app(stub, clean_env, monkeypatch, embedder, source=TWO_LIBRARIES)
    yield parts
    parts.store.client.close()


def test_an_expired_delta_link_reads_the_library_from_scratch_in_the_same_run(
    app: App, stub: GraphStub
) -> None:
    stub.put(Item("it-pay", "pay-review.md", PAY))
    stub.put(Item("it-leave", "leave.md", LEAVE))
    stub.put(Item("it-travel", "travel.md", TRAVEL))
    sync(app)
    assert set(indexed(app).values()) == {"public"}

    stub.share("it-leave", ONLY_HR)
    stub.delete("it-travel")  # a fresh read lists what exists, not what was deleted
    stub.library.expire_tokens()  # the stored delta link now answers 410 Gone
    summary = sync(app)
    assert not summary.errors
    assert (summary.changed, summary.deleted) == (1, 1)
    assert indexed(app) == {"pay-review.md": "public", "leave.md": "restricted"}
    assert "leave.md" not in cited(app, "How long is parental leave?")
    assert "leave.md" in cited(app, "How long is parental leave?", HR)

    stub.graph_requests.clear()
    sync(app)  # resumes from the new delta link
    assert [r.split("?")[0] for r in stub.graph_requests] == ["/v1.0/drives/drive-1/root/delta"]


@pytest.mark.parametrize("status", [403, 404])
def test_a_library_graph_refuses_leaves_the_index_and_the_other_lands(
    app: App, stub: GraphStub, status: int
) -> None:
    policies = stub.add_library("drive-2", "Policies")
    policies.put(Item("it-bonus", "bonus.md", BONUS))
    policies.put(Item("it-pay", "pay-review.md", PAY))
    stub.put(Item("it-leave", "leave.md", LEAVE))
    stub.put(Item("it-travel", "travel.md", TRAVEL))
    sync(app)
    assert set(indexed(app)) == {"bonus.md", "pay-review.md", "leave.md", "travel.md"}

    policies.fault = status  # the app lost access to it, or it was deleted
    stub.share("it-leave", ONLY_HR)  # and an unsharing in the other library
    summary = sync(app)
    assert [f.source for f in summary.errors] == ["library drive-2"]  # reported
    assert str(status) in summary.errors[0].reason
    assert indexed(app) == {"leave.md": "restricted", "travel.md": "public"}
    assert "bonus.md" not in cited(app, "How is the bonus pool split?", HR)
    assert "leave.md" not in cited(app, "How long is parental leave?")

    full = sync(app, "index")  # `wikibot index`: the same, never a failed source
    assert [f.source for f in full.errors] == ["library drive-2"]
    assert indexed(app) == {"leave.md": "restricted", "travel.md": "public"}

    policies.fault = 0  # served again: read from scratch at the next sync
    back = sync(app)
    assert back.new == 2 and not back.errors
    assert indexed(app)["bonus.md"] == "public"
    assert "bonus.md" in cited(app, "How is the bonus pool split?")


def test_a_site_graph_refuses_leaves_the_index_at_the_full_read(
    stub: GraphStub, clean_env: Path, monkeypatch: pytest.MonkeyPatch, embedder: object
) -> None:
    # two sites: hr, and a finance site Graph does not have (reported, the source goes on)
    source = SOURCES.replace('sites: ["acme.sharepoint.com:/sites/hr"]',
                             'sites: ["acme.sharepoint.com:/sites/hr", '
                             '"acme.sharepoint.com:/sites/finance"]')
    app = sharepoint_app(stub, clean_env, monkeypatch, embedder, source=source)
    try:
        stub.put(Item("it-leave", "leave.md", LEAVE))
        first = sync(app, "index")
        assert [f.source for f in first.errors] == ["site acme.sharepoint.com:/sites/finance"]
        assert indexed(app) == {"leave.md": "public"}

        stub.site_fault = 403  # the app lost access to the hr site
        refused = sync(app, "index")  # the weekly full refresh, or `wikibot index`
        assert sorted(f.source for f in refused.errors) == [
            "site acme.sharepoint.com:/sites/finance", "site acme.sharepoint.com:/sites/hr"]
        assert indexed(app) == {}
        assert "leave.md" not in cited(app, "How long is parental leave?")
    finally:
        app.store.client.close()


def test_no_configured_site_at_all_fails_the_source(
    stub: GraphStub, clean_env: Path, monkeypatch: pytest.MonkeyPatch, embedder: object
) -> None:
    source = SOURCES.replace("/sites/hr", "/sites/hrr")  # a typo
    app = sharepoint_app(stub, clean_env, monkeypatch, embedder, source=source)
    try:
        request = ReindexRequest(app.sources.connectors(), "index", "tests")
        [result] = app.reindexer.run_here(request).results
        assert not result.ok and "not found (404): /v1.0/sites/acme" in (result.error or "")
    finally:
        app.store.client.close()


def test_a_library_or_folder_taken_out_of_the_settings_leaves_at_the_next_sync(
    stub: GraphStub, clean_env: Path, monkeypatch: pytest.MonkeyPatch, embedder: object
) -> None:
    policies = stub.add_library("drive-2", "Policies")
    policies.put(Item("it-bonus", "bonus.md", BONUS))
    stub.put(Item("it-leave", "leave.md", LEAVE, folder="Public"))
    stub.put(Item("it-pay", "pay-review.md", PAY, folder="Panel"))
    before = sharepoint_app(stub, clean_env, monkeypatch, embedder, source=TWO_LIBRARIES)
    try:
        sync(before)
        assert set(indexed(before)) == {"bonus.md", "Public/leave.md", "Panel/pay-review.md"}
    finally:
        before.store.client.close()

    # the admin takes the Policies library out, then limits the source to Public
    for source, left in ((SOURCES, {"Public/leave.md", "Panel/pay-review.md"}),
                         (SOURCES + "    folder: Public\n", {"Public/leave.md"})):
        after = sharepoint_app(stub, clean_env, monkeypatch, embedder, source=source)
        try:
            summary = sync(after)  # a sync, not the weekly full refresh
            assert summary.deleted == 1 and not summary.errors
            assert set(indexed(after)) == left
            stub.graph_requests.clear()
            sync(after)
            assert len(stub.graph_requests) == 1  # and the next sync resumes as usual
        finally:
            after.store.client.close()
