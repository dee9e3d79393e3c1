"""Metadata below a title, behind invisible characters and in other formats' syntax is
refused like metadata at the top (issue 27, finding 5, second review): each shape below was
indexed as public before, with its restriction lost."""

from __future__ import annotations

import io
from pathlib import Path

from connectors.base import SourceDocument
from connectors.folder import FolderConnector

BODY = "The board approved the merger codename CANARY-board.\n"
FENCED = "---\naccess: [execs]\n---\n"

BELOW_A_TITLE = {
    "atx-then-front-matter.md": ("# Plan\n\n" + FENCED + BODY, "below a title"),
    "atx-then-front-matter-no-blank.md": ("# Plan\n" + FENCED + BODY, "below a title"),
    "setext-then-front-matter.md": ("Plan\n====\n\n" + FENCED + BODY, "below a title"),
    "setext-dash-then-key.md": ("Plan\n---\naccess: [execs]\n---\n" + BODY, "'access'"),
    "atx-then-key.md": ("# Plan\n\naccess: [execs]\n\n" + BODY, "'access'"),
    "atx-then-yaml-list.md": ("# Plan\n\naccess:\n  - execs\n\n" + BODY, "'access'"),
    "title-then-key.txt": ("Title\n\naccess: execs\n\n" + BODY, "'access'"),
    "sentence-then-key.md": ("# Plan\n\nRead me first.\n\nReaders: HR\n\n" + BODY, "'Readers'"),
    "comment-after-heading.md": ("# Plan\n\n<!-- access: execs -->\n" + BODY, "comment"),
    "comment-after-text.md": ("# Plan\n\nIntro.\n\n<!--\ngroups: hr\n-->\n" + BODY, "'groups'"),
    "zwsp-fence.md": ("\u200b---\naccess: [execs]\n---\n" + BODY, "first line"),
    "word-joiner-fence.md": ("\u2060---\naccess: [execs]\n---\n" + BODY, "first line"),
    "zwsp-blank-line.md": ("\u200b\n---\naccess: [execs]\n---\n" + BODY, "blank lines"),
    "zwsp-key.txt": ("\u200baccess: execs\n\n" + BODY, "'access'"),
    "soft-hyphen-key.md": ("# Plan\n\nac\u00adcess: execs\n\n" + BODY, "'access'"),
    "json-below-title.md": ('# Plan\n\n{"access": ["execs"]}\n\n' + BODY, "JSON"),
    "bold-label.md": ("**Access:** HR only\n\n" + BODY, "'Access'"),
    "bold-label-outside.md": ("# Plan\n\n**Access**: HR only\n\n" + BODY, "'Access'"),
    "quoted-label.md": ("# Plan\n\n> Access: HR only\n\n" + BODY, "'Access'"),
}

OTHER_SYNTAX = {
    "mdx-export.mdx": ("export const meta = {access: ['execs']}\n\n# Plan\n\n" + BODY, "'access'"),
    "mdx-export-lines.mdx": (
        "import Note from './note'\n\nexport const meta = {\n  title: 'Plan',\n"
        "      access: ['execs'],\n}\n\n" + BODY,
        "'access'",
    ),
    "mdx-named.mdx": ("export const access = ['execs']\n\n" + BODY, "'access'"),
    "rst-meta.rst": ("Plan\n====\n\n.. meta::\n    :access: execs\n\n" + BODY, "'access'"),
    "rst-comment.rst": ("Plan\n====\n\n.. access: execs\n\n" + BODY, "'access'"),
    "org-keyword.txt": ("#+TITLE: Plan\n#+ACCESS: execs\n\n" + BODY, "'ACCESS'"),
    "org-drawer.txt": ("* Plan\n  :PROPERTIES:\n  :GROUPS: hr\n  :END:\n\n" + BODY, "'GROUPS'"),
    "asciidoc.txt": ("= Plan\nAnn Lee <ann@example.com>\n:access: execs\n\n" + BODY, "'access'"),
    "html-comment-after-title.html": (
        "<html><head><title>Plan</title><!-- access: execs --></head><body><p>"
        + BODY
        + "</p></body></html>",
        "comment",
    ),
    "html-comment-lines.html": (
        "<!DOCTYPE html>\n<html>\n<head>\n<title>Plan</title>\n<!--\n  readers: hr\n-->\n"
        "</head>\n<body><p>" + BODY + "</p></body></html>",
        "'readers'",
    ),
}

ORDINARY = {
    "sentence-access.md": "# Building\n\nAccess to the building is by the side door.\n\n" + BODY,
    "intro-colon.md": "# Captions\n\nTo access captioning services:\n\n- call us\n\n" + BODY,
    "groups-of-note.md": "# Groups\n\nTTSC-specific groups of note:\n\n- All staff\n\n" + BODY,
    "radar.md": "# Radar\n\nStages:\n\n- **Adopt:** use it\n- **Assess:** try it\n\n" + BODY,
    "radar-list-first.md": "# Radar\n\n- **Adopt:** use it\n- **Assess:** try it\n\n" + BODY,
    "rule-below-title.md": "# Plan\n\n---\n\nNote: see below.\n\n---\n\n" + BODY,
    "title-block.md": "# Plan\n\n---\ntitle: Plan\nauthor: Ann\n---\n\n" + BODY,
    "rst-target.rst": ".. _access:\n\nAccess\n======\n\n" + BODY,
    "rst-directive.rst": "Plan\n====\n\n.. note:: Read this first.\n\n" + BODY,
    "mdx-component.mdx": "import Chart from './chart'\n\nexport const title = 'Plan'\n\n" + BODY,
    "asciidoc-fields.txt": "= Plan\n:toc: left\n:author: Ann\n\n" + BODY,
    "html-comment-later.html": "<html><body><p>" + BODY + "</p><!-- groups: nav --></body></html>",
    "zwsp-paragraph.md": "# Plan\n\n\u200bWelcome to the plan.\n\n" + BODY,
}


def _load(folder: Path) -> tuple[dict[str, SourceDocument], dict[str, str]]:
    batches = list(FolderConnector(folder).load())
    documents = {d.source: d for b in batches for d in b.documents}
    failed = {f.source: f.reason for b in batches for f in b.failed}
    return documents, failed


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def test_metadata_below_a_title_or_behind_invisible_characters_is_refused(
    tmp_path: Path,
) -> None:
    _write(tmp_path, {name: text for name, (text, _) in BELOW_A_TITLE.items()})
    documents, failed = _load(tmp_path)
    assert documents == {}
    assert set(failed) == set(BELOW_A_TITLE)
    for name, (_, named) in BELOW_A_TITLE.items():
        assert named in failed[name], (name, failed[name])


def test_metadata_in_other_formats_syntax_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, {name: text for name, (text, _) in OTHER_SYNTAX.items()})
    documents, failed = _load(tmp_path)
    assert documents == {}
    assert set(failed) == set(OTHER_SYNTAX)
    for name, (_, named) in OTHER_SYNTAX.items():
        assert named in failed[name], (name, failed[name])


def test_ordinary_pages_with_titles_labels_and_rules_stay_readable(tmp_path: Path) -> None:
    _write(tmp_path, ORDINARY)
    documents, failed = _load(tmp_path)
    assert failed == {} and set(documents) == set(ORDINARY)
    for name, document in documents.items():
        assert document.acl.public and "CANARY-board" in document.text, name


def _docx(paragraphs: list[tuple[str, str | None]]) -> bytes:
    import docx

    document = docx.Document()
    for text, style in paragraphs:
        document.add_paragraph(text, style=style)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_file_opening_with_metadata_is_refused(tmp_path: Path) -> None:
    (tmp_path / "key-first.docx").write_bytes(_docx([("access: execs", None), (BODY, None)]))
    (tmp_path / "under-title.docx").write_bytes(
        _docx([("Plan", "Heading 1"), ("Readers: HR only", None), (BODY, None)])
    )
    (tmp_path / "below-a-line.docx").write_bytes(
        _docx([("Plan", None), ("Access: execs", None), (BODY, None)])
    )
    (tmp_path / "ordinary.docx").write_bytes(
        _docx([("Plan", "Heading 1"), ("Access to the site is by badge.", None), (BODY, None)])
    )
    documents, failed = _load(tmp_path)
    assert set(failed) == {"key-first.docx", "under-title.docx", "below-a-line.docx"}
    assert "'access'" in failed["key-first.docx"] and "'Readers'" in failed["under-title.docx"]
    assert set(documents) == {"ordinary.docx"} and documents["ordinary.docx"].acl.public
