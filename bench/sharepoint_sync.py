"""SharePoint sync against the local Graph stand-in (HTTPS): a 500-item library, indexed once,
then synced unchanged, with 10 edited items, with one deleted.

    python -m bench.sharepoint_sync [ITEMS]      (default 500)

Items are Markdown pages built from real handbook sections (../shared/corpora/18f-handbook)
when present, else generated text. Reports seconds, Graph requests (token requests apart)
and chunks embedded for each run.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from bench.common import CORPORA, peak_rss_mb
from bot.app import App, build_app
from bot.config import load_settings
from bot.index_admin.reindex import ReindexRequest
from connectors.folder import FolderConnector
from tests.support.graph_stub import CLIENT_ID, SECRET, TENANT, GraphStub, Item

SOURCES = """sources:
  - name: library
    type: sharepoint
    tenant_id: {tenant}
    client_id: {client}
    client_secret_env: SP_SECRET
    sites: ["acme.sharepoint.com:/sites/hr"]
    graph_url: {url}/v1.0
    login_url: {url}
    ca_bundle: {ca}
"""


def _pages(count: int) -> list[bytes]:
    corpus = CORPORA / "18f-handbook"
    found: list[bytes] = []
    if corpus.is_dir():
        for batch in FolderConnector(corpus).load():
            for doc in batch.documents:
                for section in doc.sections:
                    if len(section.text) > 200 and len(found) < count:
                        heading = section.heading or doc.title
                        found.append(f"# {heading}\n\n{section.text[:1200]}\n".encode())
    while len(found) < count:
        n = len(found)
        filler = f"Generated policy text number {n}. " * 20
        found.append(f"# Topic {n}\n\n{filler}\n".encode())
    return found[:count]


def _run(parts: App, stub: GraphStub, label: str, mode: str = "sync") -> str:
    stub.graph_requests.clear()
    tokens = stub.token_requests
    started = time.perf_counter()
    request = ReindexRequest(parts.sources.connectors(), mode, "bench")  # type: ignore[arg-type]
    [result] = parts.reindexer.run_here(request).results
    seconds = time.perf_counter() - started
    assert result.summary is not None, result.error
    s = result.summary
    how = "delta link" if result.how.startswith("changes") else "full delta"
    return (
        f"| {label} | {how} | {seconds:.2f} | {len(stub.graph_requests)} | "
        f"{stub.token_requests - tokens} | {s.new}/{s.changed}/{s.unchanged}/{s.deleted} | "
        f"{s.chunks_embedded} |"
    )


def main() -> None:
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    rows = []
    with GraphStub(page_size=200) as stub, tempfile.TemporaryDirectory() as tmp:
        for n, page in enumerate(_pages(items)):
            stub.put(Item(f"item-{n}", f"page-{n}.md", page, folder=f"Area {n % 9}"))
        sources = Path(tmp) / "sources.yaml"
        sources.write_text(
            SOURCES.format(tenant=TENANT, client=CLIENT_ID, url=stub.url, ca=stub.ca_bundle)
        )
        os.environ["SP_SECRET"] = SECRET
        parts = build_app(load_settings(data_dir=Path(tmp) / "data", sources_file=sources))
        rows.append(_run(parts, stub, f"first sync, {items} items"))
        rows.append(_run(parts, stub, "unchanged"))
        for n in range(10):
            stub.edit(f"item-{n}", f"# Edited {n}\n\nEdited policy text for item {n}.\n".encode())
        rows.append(_run(parts, stub, "10 items edited"))
        stub.delete("item-20")
        rows.append(_run(parts, stub, "1 item deleted"))
        rows.append(_run(parts, stub, "full re-read, unchanged", mode="index"))
    print("| run | how | seconds | Graph requests | token requests | "
          "new/changed/unchanged/deleted | embedded |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\npeak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
