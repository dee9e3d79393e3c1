"""The wikibot app with one SharePoint source pointed at the Graph stand-in, and the reads
the SharePoint tests make of it: a sync through the real Reindexer, the sources a question
cites, and what the index holds of each file (public, restricted, or absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.config import load_settings
from bot.index_admin.reindex import ReindexRequest
from bot.models import PUBLIC, Viewer
from connectors.base import Connector
from indexing.summary import IndexSummary
from tests.support.graph_stub import CLIENT_ID, SECRET, TENANT, GraphStub

SOURCES = """sources:
  - name: hr-site
    type: sharepoint
    tenant_id: {tenant}
    client_id: {client}
    client_secret_env: SP_SECRET
    sites: ["acme.sharepoint.com:/sites/hr"]
    libraries: [Documents]
    graph_url: {url}/v1.0
    login_url: {url}
    ca_bundle: {ca}
"""
ONLY_HR = [{"id": "p1", "roles": ["read"], "grantedToV2": {"group": {"id": "grp-hr",
                                                                       "displayName": "HR"}}}]
HR = Viewer(user="U-HR", groups=frozenset({"grp-hr"}))


def sharepoint_app(stub: GraphStub, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                   embedder: object, *, source: str = SOURCES) -> App:
    """``source``: the sources file, formatted with the stand-in's address (SOURCES, or a
    variant of it: another folder, other libraries)."""
    sources = data_dir.parent / "sources.yaml"
    sources.write_text(
        source.format(tenant=TENANT, client=CLIENT_ID, url=stub.url, ca=stub.ca_bundle)
    )
    monkeypatch.setenv("SP_SECRET", SECRET)
    settings = load_settings(data_dir=data_dir, sources_file=sources)
    return build_app(settings, embedder=embedder)  # type: ignore[arg-type]


def sync(app: App, mode: str = "sync", connectors: list[Connector] | None = None) -> IndexSummary:
    """One run of the source through the Reindexer (as `wikibot sync` / `wikibot index`)."""
    chosen = connectors if connectors is not None else app.sources.connectors()
    request = ReindexRequest(chosen, mode, "tests")  # type: ignore[arg-type]
    [result] = app.reindexer.run_here(request).results
    assert result.ok, result.error  # the source never fails for one item
    assert result.summary is not None
    return result.summary


def cited(app: App, question: str, viewer: Viewer = PUBLIC) -> list[str]:
    return [c.source for c in app.engine.ask(question, viewer=viewer).citations]


def indexed(app: App) -> dict[str, str]:
    """Each indexed file's path -> "public" (every chunk) or "restricted"."""
    store = app.store
    access: dict[str, bool] = {}
    for point in store.scroll(store.alias, None, ["source", "acl_public"]):
        payload = point.payload or {}
        path = str(payload.get("source", ""))
        access[path] = access.get(path, True) and payload.get("acl_public") is True
    return {path: "public" if public else "restricted" for path, public in access.items()}
