"""SharePoint permissions fail closed (issue 27: 3, 4, 10), against the Graph stand-in over
real HTTPS, through the real connector, Reindexer and index: a folder's unsharing reaches the
files under it (a folder that cannot be listed: the library, file by file); an item Graph
will not serve (403, 500) leaves the index, is reported, does not stop the other changes, and
is read again at the next sync; the org-wide claims match exactly; expired sharing links
grant nothing, and a link that expires later is re-read after it expires; the delta asks for
sharing changes behind permission gaps."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from connectors.sharepoint.permissions import acl_of
from tests.support.commands import clean_command_env, wikibot_command
from tests.support.graph_stub import CLIENT_ID, SECRET, TENANT, GraphStub, Item
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
TENANT_ID = "6f1c2a0e-8d4b-4c3a-9e2f-1b2c3d4e5f60"


@pytest.fixture
def stub() -> Iterator[GraphStub]:
    with GraphStub(page_size=2) as server:  # small pages: nextLink paging is exercised
        yield server


@pytest.fixture
def app(stub: GraphStub, clean_env: Path, monkeypatch: pytest.MonkeyPatch,
        embedder: object) -> Iterator[App]:
    parts = sharepoint_app(stub, clean_env, monkeypatch, embedder)
    yield parts
    parts.store.client.close()


def test_unsharing_a_folder_reaches_every_file_under_it(app: App, stub: GraphStub) -> None:
    stub.put(Item("it-pay", "pay-review.md", PAY, folder="Reviews", permissions=None))
    stub.put(Item("it-bonus", "bonus.md", BONUS, folder="Reviews/2026", permissions=None))
    stub.put(Item("it-leave", "leave.md", LEAVE, folder="Reviews"))  # its own org-wide link
    stub.put(Item("it-travel", "travel.md", TRAVEL))
    assert sync(app).new == 4
    assert "Reviews/pay-review.md" in cited(app, "Where does the pay review panel meet?")
    assert indexed(app)["Reviews/2026/bonus.md"] == "public"

    stub.share_folder("Reviews", ONLY_HR)  # the delta reports the folder, not its files
    changed = sync(app)
    assert (changed.changed, changed.unchanged) == (2, 1)  # leave.md keeps its own link
    assert indexed(app) == {
        "Reviews/pay-review.md": "restricted",
        "Reviews/2026/bonus.md": "restricted",
        "Reviews/leave.md": "public",
        "travel.md": "public",
    }
    question = "Where does the pay review panel meet?"
    assert "Reviews/pay-review.md" not in cited(app, question)
    assert "Reviews/pay-review.md" in cited(app, question, HR)

    stub.graph_requests.clear()
    assert sync(app).chunks_embedded == 0 and len(stub.graph_requests) == 1  # walked once

    # an edit under the folder lists it again (with its "shared" facet): its readers are
    # read (one request) and, unchanged, its other files are not downloaded again
    stub.edit("it-pay", PAY + b"\nThe panel also meets in September.\n")
    edited = sync(app)
    assert (edited.changed, edited.unchanged) == (1, 0)
    assert indexed(app)["Reviews/pay-review.md"] == "restricted"


def test_a_folder_that_cannot_be_listed_has_its_files_read_one_by_one(
    app: App, stub: GraphStub
) -> None:
    stub.put(Item("it-pay", "pay-review.md", PAY, folder="Reviews", permissions=None))
    stub.put(Item("it-travel", "travel.md", TRAVEL))
    sync(app)
    stub.share_folder("Reviews", ONLY_HR)
    stub.library.folders["Reviews"].fault = 403  # its children cannot be listed
    summary = sync(app)
    assert [f.source for f in summary.errors] == ["Reviews"]  # reported
    assert summary.changed == 1 and summary.unchanged == 1  # the library, file by file
    assert indexed(app) == {"Reviews/pay-review.md": "restricted", "travel.md": "public"}


@pytest.mark.parametrize("status", [403, 500])
def test_an_item_graph_will_not_serve_leaves_the_index_and_the_rest_lands(
    app: App, stub: GraphStub, status: int
) -> None:
    stub.put(Item("it-pay", "pay-review.md", PAY))
    stub.put(Item("it-leave", "leave.md", LEAVE))
    stub.put(Item("it-travel", "travel.md", TRAVEL))
    sync(app)
    assert set(indexed(app).values()) == {"public"}

    stub.library.items["it-pay"].fault = status  # its content and permissions refuse
    stub.edit("it-pay", PAY + b"\nNew: the panel also meets in September.\n")
    stub.share("it-leave", ONLY_HR)  # and a sharing change in the same library
    summary = sync(app)
    assert [f.source for f in summary.errors] == ["pay-review.md"]  # reported
    assert indexed(app) == {"leave.md": "restricted", "travel.md": "public"}
    assert "pay-review.md" not in cited(app, "Where does the pay review panel meet?", HR)

    full = sync(app, "index")  # `wikibot index`: the same, never a failed source
    assert [f.source for f in full.errors] == ["pay-review.md"]
    assert "pay-review.md" not in indexed(app)

    stub.library.items["it-pay"].fault = 0  # Graph serves it again; the delta is silent
    stub.graph_requests.clear()
    recovered = sync(app)
    assert "/v1.0/drives/drive-1/items/it-pay" in stub.graph_requests  # read again
    assert recovered.new == 1 and not recovered.errors
    assert indexed(app)["pay-review.md"] == "public"
    stub.graph_requests.clear()
    sync(app)
    assert len(stub.graph_requests) == 1  # then forgotten: the delta call alone


def test_wikibot_index_lands_an_unsharing_beside_an_item_graph_refuses(
    stub: GraphStub, tmp_path: Path
) -> None:
    stub.put(Item("it-pay", "pay-review.md", PAY))
    stub.put(Item("it-leave", "leave.md", LEAVE))
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        SOURCES.format(tenant=TENANT, client=CLIENT_ID, url=stub.url, ca=stub.ca_bundle)
    )
    env = clean_command_env(tmp_path, WIKIBOT_SOURCES_FILE=str(sources), SP_SECRET=SECRET)

    def wikibot(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*wikibot_command(), *args], env=env, capture_output=True,
                              text=True, timeout=300)

    def sources_cited(question: str) -> list[str]:
        asked = wikibot("ask", question, "--json")
        assert asked.returncode == 0, asked.stderr
        return [c["source"] for c in json.loads(asked.stdout)["citations"]]

    assert wikibot("index").returncode == 0
    assert "leave.md" in sources_cited("How long is parental leave?")
    stub.library.items["it-pay"].fault = 403
    stub.share("it-leave", ONLY_HR)
    done = wikibot("index")
    assert done.returncode == 0, done.stderr  # the source did not fail
    assert "failed: pay-review.md: Graph: access denied (403)" in done.stderr
    assert "leave.md" not in sources_cited("How long is parental leave?")
    assert "pay-review.md" not in sources_cited("Where does the pay review panel meet?")


def test_org_wide_claims_match_exactly_and_expired_links_grant_nothing(
    app: App, stub: GraphStub
) -> None:
    guest = {"roles": ["read"], "grantedToV2": {"siteUser": {
        "loginName": "i:0#.f|membership|spo-grid-all-users_x#ext#@acme.onmicrosoft.com"}}}
    expired = {"roles": ["read"], "expirationDateTime": "2020-06-30T00:00:00Z",
               "link": {"scope": "anonymous", "type": "view"}}
    everyone = {"roles": ["read"], "grantedToV2": {"siteUser": {
        "loginName": f"c:0-.f|rolemanager|spo-grid-all-users/{TENANT_ID}"}}}
    lasting = {"roles": ["read"], "expirationDateTime": "2099-01-01T00:00:00Z",
               "link": {"scope": "organization", "type": "view"}}
    stub.put(Item("it-pay", "pay-review.md", PAY, permissions=[guest]))
    stub.put(Item("it-bonus", "bonus.md", BONUS, permissions=[expired]))
    stub.put(Item("it-leave", "leave.md", LEAVE, permissions=[everyone]))
    stub.put(Item("it-travel", "travel.md", TRAVEL, permissions=[lasting]))
    sync(app)
    assert indexed(app) == {"pay-review.md": "restricted", "bonus.md": "restricted",
                            "leave.md": "public", "travel.md": "public"}
    assert "pay-review.md" not in cited(app, "Where does the pay review panel meet?")
    assert "bonus.md" not in cited(app, "How is the bonus pool split?")


def test_a_link_that_expires_between_syncs_is_read_again_after_it(
    app: App, stub: GraphStub
) -> None:
    expiring = {"roles": ["read"], "expirationDateTime": "2027-01-01T00:00:00Z",
                "link": {"scope": "organization", "type": "view"}}
    stub.put(Item("it-pay", "pay-review.md", PAY, permissions=[expiring]))
    stub.put(Item("it-leave", "leave.md", LEAVE))
    [connector] = app.sources.connectors()
    connector.now = lambda: datetime(2026, 12, 20, tzinfo=UTC)  # type: ignore[attr-defined]
    sync(app, connectors=[connector])
    assert indexed(app)["pay-review.md"] == "public"

    connector.now = lambda: datetime(2027, 1, 2, tzinfo=UTC)  # type: ignore[attr-defined]
    changed = sync(app, connectors=[connector])  # Graph's delta reports nothing
    assert changed.changed == 1
    assert indexed(app) == {"pay-review.md": "restricted", "leave.md": "public"}


def test_the_delta_asks_for_sharing_changes_behind_permission_gaps(
    app: App, stub: GraphStub
) -> None:
    stub.put(Item("it-pay", "pay-review.md", PAY, folder="Panel", behind_gap=True))
    stub.put(Item("it-leave", "leave.md", LEAVE))
    sync(app)
    assert indexed(app)["Panel/pay-review.md"] == "public"
    stub.share("it-pay", ONLY_HR)
    sync(app)
    assert indexed(app)["Panel/pay-review.md"] == "restricted"
    asked = {p.strip() for p in stub.delta_prefer[-1].split(",")}
    assert {"deltashowremovedasdeleted", "deltatraversepermissiongaps",
            "deltashowsharingchanges"} <= asked


def test_permission_mapping_fails_closed() -> None:
    now = datetime(2026, 12, 5, tzinfo=UTC)
    link = {"roles": ["read"], "link": {"scope": "organization"}}
    assert acl_of([link], now=now).public
    assert not acl_of([{**link, "expirationDateTime": "2026-12-04T23:59:59Z"}], now=now).public
    assert not acl_of([{**link, "expirationDateTime": "next week"}], now=now).public
    assert acl_of([{**link, "expirationDateTime": "2026-12-06T00:00:00Z"}], now=now).public
    person = {"roles": ["read"], "expirationDateTime": "2020-01-01T00:00:00Z",
              "grantedToV2": {"user": {"email": "dana@acme.test"}}}
    assert acl_of([person], now=now).users == []  # an expired grant names nobody
    for login in (
        f"c:0-.f|rolemanager|spo-grid-all-users/{TENANT_ID}/x",
        f"i:0#.f|membership|c:0-.f|rolemanager|spo-grid-all-users/{TENANT_ID}",
        "i:0#.f|membership|c:0(.s|true@guest.test",
    ):
        grant = {"roles": ["read"], "grantedToV2": {"siteUser": {"loginName": login}}}
        assert not acl_of([grant], now=now).public, login
    assert acl_of([{"roles": ["read"], "grantedToV2": {"siteUser": {
        "loginName": "c:0(.s|true"}}}], now=now).public
