"""The sources file: valid files load; every kind of mistake is one line naming the source
and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.confluence.connector import ConfluenceConnector
from connectors.folder import FolderConnector
from connectors.sources_file import (
    ConfluenceSource,
    FolderSource,
    SourcesFileError,
    build_connector,
    load_sources,
)

ENV = {"CONF_TOKEN": "t0ken"}


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "handbook").mkdir(exist_ok=True)
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """sources:
  - name: handbook
    type: folder
    path: handbook
  - name: eng-wiki
    type: confluence
    url: https://acme.atlassian.net/wiki
    email: bot@acme.com
    token_env: CONF_TOKEN
    spaces: [ENG]
    labels: [public]
  - name: dc-wiki
    type: confluence
    url: https://confluence.acme.internal
    token_env: CONF_TOKEN
    spaces: [OPS]
"""


def test_a_valid_file_loads_and_builds_connectors(tmp_path: Path) -> None:
    folder, cloud, dc = load_sources(_write(tmp_path, GOOD), ENV)
    assert isinstance(folder, FolderSource) and folder.path == tmp_path / "handbook"
    assert isinstance(cloud, ConfluenceSource) and cloud.is_cloud and cloud.labels == ["public"]
    assert isinstance(dc, ConfluenceSource) and not dc.is_cloud
    assert isinstance(build_connector(folder), FolderConnector)
    built = build_connector(dc, env=ENV)
    assert isinstance(built, ConfluenceConnector)
    assert built.client.http.headers["Authorization"] == "Bearer t0ken"  # DC: PAT as bearer


MISTAKES = [
    ("- {name: a, type: notion}", "source \"a\": type: unknown type 'notion'"),
    (
        "- {name: a, type: sharepoint, tenant_id: t, client_id: c, sites: [x]}",
        'source "a": give client_secret_env or certificate_path',
    ),
    (
        "- {name: a, type: sharepoint, tenant_id: t, client_id: c, sites: [x], client_secret: s}",
        'source "a": client_secret: secrets are not allowed inline',
    ),
    ("- {type: folder, path: handbook}", "source #1: name: required"),
    ("- {name: a, type: folder}", 'source "a": path: required'),
    ("- {name: a, type: folder, path: nowhere}", 'source "a": path: '),
    ("- {name: a, type: folder, path: handbook, colour: red}", 'source "a": colour: unknown'),
    (
        "- {name: w, type: confluence, url: https://x.atlassian.net/wiki, email: e@x,"
        " token_env: CONF_TOKEN}",
        'source "w": spaces: required',
    ),
    (
        "- {name: w, type: confluence, url: https://x.atlassian.net/wiki, email: e@x,"
        " token_env: MISSING_TOKEN, spaces: [A]}",
        'source "w": token_env: environment variable MISSING_TOKEN is not set',
    ),
    (
        "- {name: w, type: confluence, url: https://x.atlassian.net/wiki,"
        " token_env: CONF_TOKEN, spaces: [A]}",
        'source "w": email: required for Confluence Cloud',
    ),
    (
        "- {name: w, type: confluence, url: https://x.atlassian.net/wiki, email: e@x,"
        " token: abc123, spaces: [A]}",
        'source "w": token: secrets are not allowed inline',
    ),
    (
        "- {name: w, type: confluence, url: x.atlassian.net, email: e@x,"
        " token_env: CONF_TOKEN, spaces: [A]}",
        'source "w": url: expected http(s)://',
    ),
    ("- {name: h, type: hr_records}", 'source "h": export_path: required'),
    (
        "- {name: a, type: folder, path: handbook}\n- {name: a, type: folder, path: handbook}",
        'source "a": name: used twice',
    ),
]


@pytest.mark.parametrize(("entries", "expected"), MISTAKES)
def test_each_mistake_is_one_line_naming_source_and_field(
    tmp_path: Path, entries: str, expected: str
) -> None:
    path = _write(tmp_path, "sources:\n" + "\n".join("  " + e for e in entries.splitlines()))
    with pytest.raises(SourcesFileError) as caught:
        load_sources(path, ENV)
    message = str(caught.value)
    assert expected in message, message
    assert len(message.splitlines()) == 1
    assert message.startswith(f"sources file {path}: ")
    assert "abc123" not in message  # an inline secret is never echoed


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(SourcesFileError, match="cannot read it"):
        load_sources(tmp_path / "missing.yaml", ENV)
    with pytest.raises(SourcesFileError, match=r"not valid YAML \(line \d+\)"):
        load_sources(_write(tmp_path, "sources:\n  - name: [a\n"), ENV)
    with pytest.raises(SourcesFileError, match="expected `sources:` followed by a list"):
        load_sources(_write(tmp_path, "sources: {}\n"), ENV)
