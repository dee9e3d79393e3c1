"""Confluence sync against the local stand-in: a 500-page space, indexed once, then synced
unchanged and with 10 edited pages.

    python -m bench.confluence_sync [PAGES]      (default 500)

Pages are built from real handbook sections (../shared/corpora/18f-handbook) when present,
else from generated text, in storage format with headings, a table and a panel each.
Reports seconds, HTTP requests and chunks embedded for each run.
"""

from __future__ import annotations

import html
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
from tests.support.confluence_stub import ConfluenceStub, Page

SOURCES = """sources:
  - name: wiki
    type: confluence
    url: {url}
    deployment: cloud
    email: bot@acme.test
    token_env: CONF_TOKEN
    spaces: [ENG]
    page_size: 25
"""


def _sections(count: int) -> list[tuple[str, str]]:
    corpus = CORPORA / "18f-handbook"
    found: list[tuple[str, str]] = []
    if corpus.is_dir():
        for batch in FolderConnector(corpus).load():
            for doc in batch.documents:
                for section in doc.sections:
                    if len(section.text) > 200:
                        found.append((section.heading or doc.title, section.text[:1200]))
    while len(found) < count:
        n = len(found)
        found.append((f"Topic {n}", f"Generated policy text number {n}. " * 20))
    return found[:count]


def _body(heading: str, text: str, n: int) -> str:
    return (
        f"<h2>{html.escape(heading)}</h2><p>{html.escape(text)}</p>"
        "<table><tbody><tr><th><p>Owner</p></th><th><p>Review</p></th></tr>"
        f"<tr><td><p>Team {n % 7}</p></td><td><p>Every {n % 12 + 1} months</p></td></tr>"
        "</tbody></table>"
        '<ac:structured-macro ac:name="info"><ac:rich-text-body>'
        f"<p>Ask in #team-{n % 7} for help.</p></ac:rich-text-body></ac:structured-macro>"
    )


def _run(parts: App, stub: ConfluenceStub, label: str, mode: str = "sync") -> str:
    stub.requests.clear()
    started = time.perf_counter()
    how = "index" if mode == "index" else "sync"
    request = ReindexRequest(parts.sources.connectors(), how, "bench")
    [result] = parts.reindexer.run_here(request).results
    seconds = time.perf_counter() - started
    assert result.summary is not None, result.error
    s = result.summary
    return (
        f"| {label} | {result.how.split(' since')[0]} | {seconds:.2f} | {len(stub.requests)} | "
        f"{s.new}/{s.changed}/{s.unchanged}/{s.deleted} | {s.chunks_embedded} |"
    )


def main() -> None:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    rows = []
    with ConfluenceStub() as stub, tempfile.TemporaryDirectory() as tmp:
        stub.spaces["ENG"] = {"groups": ["confluence-users"]}
        stub.add(Page("1", "Engineering", "ENG", "<p>Home of the engineering space.</p>"))
        for n, (heading, text) in enumerate(_sections(pages - 1), start=2):
            stub.add(Page(str(n), f"{heading} ({n})", "ENG", _body(heading, text, n), parent="1"))
        sources = Path(tmp) / "sources.yaml"
        sources.write_text(SOURCES.format(url=stub.url), encoding="utf-8")
        os.environ["CONF_TOKEN"] = "conf-token"
        parts = build_app(load_settings(data_dir=Path(tmp) / "data", sources_file=sources))
        rows.append(_run(parts, stub, f"first sync, {pages} pages"))
        rows.append(_run(parts, stub, "unchanged"))
        for n in range(2, 12):
            stub.edit(str(n), _body("Edited", f"Edited policy text for page {n}.", n))
        rows.append(_run(parts, stub, "10 pages edited"))
        del stub.pages["12"]
        rows.append(_run(parts, stub, "1 page deleted"))
        rows.append(_run(parts, stub, "daily full refresh, unchanged", mode="index"))
    print("| run | how | seconds | HTTP requests | new/changed/unchanged/deleted | embedded |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\npeak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
