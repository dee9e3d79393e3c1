"""Folder sources: page URLs on the docs site, where "updated" comes from, files skipped by
name. Git dates come from a real git repository made in the test."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.folder import FolderConnector
from connectors.settings import FolderLimits
from connectors.site_urls import UrlTemplateError, check_template, site_url
from connectors.sources_file import SourcesFileError, load_sources

BASE = "https://handbook.example.com/"


@pytest.mark.parametrize(
    ("relative", "style", "expected"),
    [
        ("guide/leave.md", "keep-extension", "https://handbook.example.com/guide/leave.md"),
        ("guide/leave.md", "strip-extension", "https://handbook.example.com/guide/leave"),
        ("guide/leave.md", "directory", "https://handbook.example.com/guide/leave/"),
        ("guide/index.md", "directory", "https://handbook.example.com/guide/"),
        ("guide/README.md", "strip-extension", "https://handbook.example.com/guide/"),
        ("index.md", "strip-extension", "https://handbook.example.com/"),
        ("a/b.html.md.erb", "strip-extension", "https://handbook.example.com/a/b"),
        ("Guide/Leave.MD", "directory", "https://handbook.example.com/Guide/Leave/"),
        ("forms/claim.pdf", "directory", "https://handbook.example.com/forms/claim.pdf"),
    ],
)
def test_url_styles(relative: str, style: str, expected: str) -> None:
    assert site_url(relative, BASE, style=style) == expected  # type: ignore[arg-type]


def test_url_template_and_its_checks() -> None:
    template = "{base}/docs/{path_without_ext}.html"
    check_template(template)
    assert site_url("a/b.md", BASE, template=template) == (
        "https://handbook.example.com/docs/a/b.html"
    )
    with pytest.raises(UrlTemplateError, match="unknown placeholder"):
        check_template("{base}/{slug}")
    with pytest.raises(UrlTemplateError, match="braces"):
        check_template("{base/{path}")


def test_sources_file_url_style_and_bad_template(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    good = tmp_path / "good.yaml"
    good.write_text(
        "sources:\n  - {name: hb, type: folder, path: docs, base_url: 'https://x.example/', "
        "url_style: directory}\n"
    )
    (source,) = load_sources(good)
    assert source.url_style == "directory"  # type: ignore[union-attr]
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "sources:\n  - {name: hb, type: folder, path: docs, url_style: pretty, "
        "url_template: '{base}/{slug}'}\n"
    )
    with pytest.raises(SourcesFileError) as raised:
        load_sources(bad)
    assert 'source "hb": url_style' in str(raised.value)


def _page(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _docs(connector: FolderConnector) -> dict:
    return {d.source: d for batch in connector.load() for d in batch.documents}


def test_front_matter_url_and_style_under_base_url(tmp_path: Path) -> None:
    _page(tmp_path, "guide/leave.md", "# Leave\n\nTwenty-five days a year.\n")
    _page(tmp_path, "guide/moved.md", "---\npermalink: /policies/moved/\n---\n# Moved\n\nText.\n")
    docs = _docs(FolderConnector(tmp_path, base_url=BASE, url_style="strip-extension"))
    assert docs["guide/leave.md"].url == "https://handbook.example.com/guide/leave"
    assert docs["guide/moved.md"].url == "https://handbook.example.com/policies/moved/"
    plain = _docs(FolderConnector(tmp_path))
    assert plain["guide/leave.md"].url.startswith("file://")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_updated_from_front_matter_then_last_commit_then_file_date(tmp_path: Path) -> None:
    root = tmp_path / "wiki"
    _page(root, "reviewed.md", "---\nlast_reviewed_on: 2020-01-02\n---\n# Reviewed\n\nText.\n")
    _page(root, "committed.md", "# Committed\n\nText one.\n")
    _page(root, "edited.md", "# Edited\n\nText two.\n")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_AUTHOR_DATE": "2021-03-04T05:06:07+00:00",
        "GIT_COMMITTER_DATE": "2021-03-04T05:06:07+00:00",
    }
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "pages"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, env=env)
    _page(root, "edited.md", "# Edited\n\nText two, changed since the commit.\n")
    _page(root, "untracked.md", "# New\n\nNot committed yet.\n")

    docs = _docs(FolderConnector(root))
    assert docs["reviewed.md"].updated_from == "front matter"
    assert docs["reviewed.md"].updated_at == datetime(2020, 1, 2, tzinfo=UTC)
    assert docs["committed.md"].updated_from == "git"
    assert docs["committed.md"].updated_at == datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert docs["edited.md"].updated_from == "file"
    assert docs["untracked.md"].updated_from == "file"
    assert docs["edited.md"].updated_at.year >= 2026

    _page(root, "sub/page.md", "# Sub\n\nIn a subfolder.\n")
    subprocess.run(["git", "-C", str(root), "add", "."], check=True, env=env)
    subprocess.run(["git", "-C", str(root), "commit", "-q", "-m", "sub"], check=True, env=env)
    sub = _docs(FolderConnector(root / "sub"))  # a subfolder: paths relative to it
    assert sub["page.md"].updated_from == "git"


def test_outside_git_dates_are_file_dates(tmp_path: Path) -> None:
    _page(tmp_path, "page.md", "# Page\n\nText.\n")
    (doc,) = _docs(FolderConnector(tmp_path)).values()
    assert doc.updated_from == "file"


def test_repository_files_are_not_pages_unless_asked(tmp_path: Path) -> None:
    for name in ("LICENSE.txt", "SOURCE.txt", "CHANGELOG.md", "code_of_conduct.md", "guide.md"):
        _page(tmp_path, name, f"# {name}\n\nSome text.\n")
    assert [p.name for p in FolderConnector(tmp_path).files()] == ["guide.md"]
    everything = FolderConnector(tmp_path, limits=FolderLimits(skip_files=[]))
    assert len(everything.files()) == 5


def test_citations_say_where_the_date_comes_from() -> None:
    from bot.models import Citation

    def note(source: str) -> str:
        cited = Citation(n=1, title="T", source="t.md", updated_at="2021-03-04T05:06:07+00:00",
                         updated_from=source)
        return cited.updated_note()

    assert note("front matter") == "updated 2021-03-04"
    assert note("git") == "last commit 2021-03-04"
    assert note("file") == "file date 2021-03-04"
    assert note("") == "updated 2021-03-04"  # the source's own record (Confluence)


def test_a_folder_has_one_source_name_however_it_is_given(tmp_path: Path) -> None:
    from bot.config import load_settings
    from bot.index_admin.sources import ConfiguredSources
    from connectors.folder import name_for_folder

    folder = tmp_path / "My Docs"
    folder.mkdir()
    assert name_for_folder(folder) == "My-Docs"
    assert FolderConnector(folder).name == "My-Docs"  # `wikibot index PATH`
    configured = ConfiguredSources.load(load_settings(data_dir=tmp_path / "d", sources=[folder]))
    assert configured.names() == ["My-Docs"]  # WIKIBOT_SOURCES: the same source, not a second
