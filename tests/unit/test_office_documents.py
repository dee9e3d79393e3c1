"""Word, PowerPoint and OpenDocument files, generated here with the libraries that read them,
through the folder source; damaged and password-protected ones are skipped and reported."""

from __future__ import annotations

from pathlib import Path

from connectors.folder import FolderConnector
from connectors.parsing.office import OLE_SIGNATURE
from tests.support.office_files import (
    make_docx,
    make_docx_with_nested_table,
    make_empty_zip,
    make_odt,
    make_odt_with_nested_table,
    make_pptx,
)


def _load(root: Path) -> tuple[dict, dict]:
    docs, failed = {}, {}
    for batch in FolderConnector(root).load():
        docs.update({d.source: d for d in batch.documents})
        failed.update({f.source: f for f in batch.failed})
    return docs, failed


def test_word_headings_become_sections_and_tables_rows(tmp_path: Path) -> None:
    (tmp_path / "travel.docx").write_bytes(make_docx())
    docs, failed = _load(tmp_path)
    assert not failed
    doc = docs["travel.docx"]
    assert doc.title == "Travel policy"
    by_heading = {tuple(s.heading_path): s.text for s in doc.sections}
    assert by_heading[()] == "Read this before you book."
    assert "220 EUR" in by_heading[("Hotels",)]
    abroad = by_heading[("Hotels", "Abroad")]
    assert "260 EUR" in abroad and "City: Paris; Limit: 300" in abroad
    assert by_heading[("Trains",)].startswith("Second class")
    assert "Taxis: only at night." in by_heading[("Trains",)]  # tracked changes: accepted
    assert "never" not in by_heading[("Trains",)]


def test_a_table_nested_in_a_table_cell_is_read_as_rows(tmp_path: Path) -> None:
    (tmp_path / "allowances.docx").write_bytes(make_docx_with_nested_table())
    (tmp_path / "allowances.odt").write_bytes(make_odt_with_nested_table())
    docs, failed = _load(tmp_path)
    assert not failed
    for name in ("allowances.docx", "allowances.odt"):
        lines = docs[name].sections[0].text.splitlines()
        assert lines[0] == "Country: France; Rates: Per night:", name
        assert lines[1:] == ["City: Paris; Limit: 300", "City: Lyon; Limit: 180"], name


def test_slides_are_sections_with_titles_tables_and_notes(tmp_path: Path) -> None:
    (tmp_path / "onboarding.pptx").write_bytes(make_pptx())
    docs, _ = _load(tmp_path)
    doc = docs["onboarding.pptx"]
    assert doc.title == "Welcome to Acme"
    first, second = doc.sections
    assert first.heading_path == ["Welcome to Acme"] and first.anchor == "slide=1"
    assert "Your first week" in first.text
    assert "Notes: Mention the laptop pickup at the front desk." in first.text
    assert second.heading_path == ["Who to ask"]
    assert "Topic: Payroll; Contact: payroll@acme.example" in second.text


def test_opendocument_text(tmp_path: Path) -> None:
    (tmp_path / "leave.odt").write_bytes(make_odt())
    docs, failed = _load(tmp_path)
    assert not failed
    sections = {tuple(s.heading_path): s.text for s in docs["leave.odt"].sections}
    assert sections[("Parental leave",)] == "Birth parents get 16 weeks on full pay."
    partners = sections[("Parental leave", "Partners")]
    assert "Partners get 4 weeks" in partners and "Weeks: 1-16; Pay: full" in partners


def test_damaged_and_protected_office_files_are_skipped_and_reported(tmp_path: Path) -> None:
    (tmp_path / "good.docx").write_bytes(make_docx())
    (tmp_path / "truncated.docx").write_bytes(make_docx()[:900])
    (tmp_path / "protected.docx").write_bytes(OLE_SIGNATURE + b"\x00" * 4000)
    (tmp_path / "not-a-deck.pptx").write_bytes(b"just some text, renamed")
    (tmp_path / "empty-zip.odt").write_bytes(make_empty_zip())
    docs, failed = _load(tmp_path)
    assert set(docs) == {"good.docx"}
    assert "damaged .docx" in failed["truncated.docx"].reason
    assert "password-protected" in failed["protected.docx"].reason
    assert "damaged .pptx" in failed["not-a-deck.pptx"].reason
    assert "damaged .odt" in failed["empty-zip.odt"].reason
