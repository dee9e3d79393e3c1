"""The SharePoint source against the local Graph stand-in over real HTTPS: first sync,
unchanged sync (one Graph request, nothing embedded), an edit, a deletion, a sharing change
that makes a document private, throttling, and refused credentials."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.config import load_settings
from bot.index_admin.reindex import ReindexRequest
from bot.models import PUBLIC, Viewer
from connectors.sharepoint.permissions import acl_of
from tests.support.graph_stub import CLIENT_ID, SECRET, TENANT, GraphStub, Item
from tests.support.office_files import make_docx
from tests.support.sharepoint_app import ONLY_HR, SOURCES

pytestmark = pytest.mark.slow


def _library(stub: GraphStub) -> None:
    stub.put(Item("it-travel", "travel.docx", make_docx(), folder="Policies"))
    stub.put(Item("it-leave", "parental-leave.md",
                  b"# Parental leave\n\nBirth parents get 16 weeks of leave on full pay.\n"))
    stub.put(Item("it-bands", "salary-bands.md",
                  b"# Salary bands\n\nBand SECRET-OSCAR pays between 70k and 90k.\n",
                  permissions=ONLY_HR))
    stub.put(Item("it-photo", "team.png", b"\x89PNG not a document"))


@pytest.fixture
def stub() -> Iterator[GraphStub]:
    with GraphStub(page_size=2) as server:  # small pages: nextLink paging is exercised
        _library(server)
        yield server


@pytest.fixture
def components(stub: GraphStub, clean_env: Path, monkeypatch: pytest.MonkeyPatch, embedder):  # type: ignore[no-untyped-def]
    sources = clean_env.parent / "sources.yaml"
    sources.write_text(
        SOURCES.format(tenant=TENANT, client=CLIENT_ID, url=stub.url, ca=stub.ca_bundle)
    )
    monkeypatch.setenv("SP_SECRET", SECRET)
    parts = build_app(load_settings(data_dir=clean_env, sources_file=sources), embedder=embedder)
    yield parts
    parts.store.client.close()


def _sync(components: App, mode: str = "sync"):  # type: ignore[no-untyped-def]
    request = ReindexRequest(components.sources.connectors(), mode, "tests")  # type: ignore[arg-type]
    [result] = components.reindexer.run_here(request).results
    assert result.ok, result.error
    return result.summary


def _cited(components: App, question: str, viewer: Viewer = PUBLIC) -> list[str]:
    return [c.source for c in components.engine.ask(question, viewer=viewer).citations]


def test_sync_reads_only_what_changed(components: App, stub: GraphStub) -> None:
    first = _sync(components)
    assert (first.new, first.deleted) == (3, 0)  # the PNG is not a document
    answer = components.engine.ask("What is the hotel limit abroad?", viewer=PUBLIC)
    assert answer.citations[0].source == "Policies/travel.docx"
    assert answer.citations[0].url.startswith("https://acme.sharepoint.com/sites/hr/")

    stub.graph_requests.clear()
    unchanged = _sync(components)
    assert len(stub.graph_requests) == 1  # one delta call from the stored delta link
    assert unchanged.chunks_embedded == 0 and unchanged.new == unchanged.changed == 0

    stub.edit("it-leave", b"# Parental leave\n\nBirth parents get 20 weeks of leave on full pay.\n")
    stub.delete("it-travel")
    edited = _sync(components)
    assert (edited.changed, edited.deleted, edited.new) == (1, 1, 0)
    assert edited.chunks_embedded == 1
    assert "20 weeks" in components.engine.ask("How long is parental leave?", viewer=PUBLIC).text
    assert "Policies/travel.docx" not in _cited(components, "What is the hotel limit abroad?")


def test_a_sharing_change_makes_a_document_private_at_the_next_sync(
    components: App, stub: GraphStub
) -> None:
    _sync(components)
    hr = Viewer(user="U-HR", groups=frozenset({"grp-hr"}))
    question = "How much does band SECRET-OSCAR pay?"
    public_text = " ".join(c.text for c in components.engine.ask(question, viewer=PUBLIC).retrieved)
    assert "SECRET-OSCAR" not in public_text  # restricted from the start
    assert "salary-bands.md" in _cited(components, question, hr)

    assert "parental-leave.md" in _cited(components, "How long is parental leave?")
    stub.share("it-leave", ONLY_HR)  # the org-wide link removed
    changed = _sync(components)
    assert changed.changed == 1
    assert "parental-leave.md" not in _cited(components, "How long is parental leave?")
    assert "parental-leave.md" in _cited(components, "How long is parental leave?", hr)


def test_throttling_is_waited_out_and_bad_credentials_are_one_line(
    components: App, stub: GraphStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub.faults = [(429, {"Retry-After": "1"}), (503, {"Retry-After": "0"})]
    assert _sync(components).new == 3
    assert not stub.faults  # both were answered by waiting and retrying

    monkeypatch.setenv("SP_SECRET", "wrong")
    request = ReindexRequest(components.sources.connectors(), "index", "tests")
    [result] = components.reindexer.run_here(request).results
    assert not result.ok
    assert "Entra ID refused the app credentials (invalid_client)" in (result.error or "")
    assert "wrong" not in (result.error or "")


def test_permissions_map_to_readers() -> None:
    assert acl_of([{"roles": ["read"], "link": {"scope": "organization"}}]).public
    people = acl_of([
        {"roles": ["read"], "link": {"scope": "users"},
         "grantedToIdentitiesV2": [{"user": {"email": "Dana@Acme.test"}}]},
        {"roles": ["write"], "grantedToV2": {"user": {"userPrincipalName": "lee@acme.test"}}},
        {"roles": ["owner"], "grantedToV2": {"siteGroup": {"displayName": "HR Owners"}}},
    ])
    assert not people.public and people.users == ["dana@acme.test", "lee@acme.test"]
    assert people.groups == ["sharepoint:HR Owners"]
    tenant = "6f1c2a0e-8d4b-4c3a-9e2f-1b2c3d4e5f60"
    everyone = {"siteUser": {"loginName": f"c:0-.f|rolemanager|spo-grid-all-users/{tenant}"}}
    assert acl_of([{"roles": ["read"], "grantedToV2": everyone}]).public
    assert not acl_of([]).public and acl_of([]).users == []  # nothing known: nobody


async def test_entra_groups_let_a_dm_reader_see_a_group_restricted_file(
    stub: GraphStub, clean_env: Path, monkeypatch: pytest.MonkeyPatch, embedder  # type: ignore[no-untyped-def]
) -> None:
    from bot.models import ChatEvent

    class Identity:
        def __init__(self, email: str) -> None:
            self.email = email

        async def email_of(self, user: str) -> str | None:
            return self.email

    sources = clean_env.parent / "sources.yaml"
    sources.write_text(
        SOURCES.format(tenant=TENANT, client=CLIENT_ID, url=stub.url, ca=stub.ca_bundle)
    )
    monkeypatch.setenv("SP_SECRET", SECRET)
    entra = {
        "tenant_id": TENANT,
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "graph_url": f"{stub.url}/v1.0",
        "login_url": stub.url,
        "ca_bundle": str(stub.ca_bundle),
    }
    parts = build_app(
        load_settings(data_dir=clean_env, sources_file=sources, entra=entra), embedder=embedder
    )
    try:
        _sync(parts)
        stub.memberships = {"dana@acme.test": ["grp-a", "grp-b", "grp-hr"], "aad-lee": ["grp-hr"]}
        pipeline = parts.pipeline

        def dm(platform: str, user: str) -> ChatEvent:
            return ChatEvent(platform=platform, workspace="T", channel="D", user=user, text="q",
                             is_dm=True)

        dana = await pipeline.viewer_of(dm("slack", "UDANA"), Identity("Dana@acme.test"))
        assert dana.groups == {"grp-a", "grp-b", "grp-hr"}  # two pages of nextLink
        lee = await pipeline.viewer_of(dm("teams", "aad-lee"), Identity(""))
        assert lee.groups == {"grp-hr"}  # Teams: by Entra object id
        question = "How much does band SECRET-OSCAR pay?"
        assert "salary-bands.md" in _cited(parts, question, dana)
        stub.graph_requests.clear()
        again = await pipeline.viewer_of(dm("slack", "UDANA"), Identity("dana@acme.test"))
        assert again.groups == dana.groups and stub.graph_requests == []  # cached
        nobody = await pipeline.viewer_of(dm("slack", "UX"), Identity("x@acme.test"))
        assert nobody.groups == frozenset()  # unknown to Entra (404): no groups, no error
        assert "salary-bands.md" not in _cited(parts, question, nobody)
    finally:
        parts.store.client.close()


def test_a_certificate_instead_of_a_secret(
    stub: GraphStub, clean_env: Path, tmp_path: Path, embedder  # type: ignore[no-untyped-def]
) -> None:
    from tests.support.certificates import app_certificate

    pem, certificate = app_certificate(tmp_path)
    sources = clean_env.parent / "cert-sources.yaml"
    text = SOURCES.format(tenant=TENANT, client=CLIENT_ID, url=stub.url, ca=stub.ca_bundle)
    sources.write_text(text.replace("client_secret_env: SP_SECRET", f"certificate_path: {pem}"))
    parts = build_app(load_settings(data_dir=clean_env, sources_file=sources), embedder=embedder)
    try:
        request = ReindexRequest(parts.sources.connectors(), "index", "tests")
        [refused] = parts.reindexer.run_here(request).results
        assert not refused.ok and "refused the app credentials" in (refused.error or "")
        stub.app_certificate = certificate  # uploaded to the app registration
        assert _sync(parts, "index").new == 3
    finally:
        parts.store.client.close()
    broken = clean_env.parent / "broken.yaml"
    (tmp_path / "no-key.pem").write_text("-----BEGIN CERTIFICATE-----\nMII=\n")
    broken.write_text(text.replace("client_secret_env: SP_SECRET",
                                   f"certificate_path: {tmp_path / 'no-key.pem'}"))
    from connectors.sources_file import SourcesFileError, load_sources

    with pytest.raises(SourcesFileError, match=r"certificate_path: .* holds no private key"):
        load_sources(broken)
