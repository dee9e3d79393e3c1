from pathlib import Path

from connectors.folder import FolderConnector, FolderLimits
from tests.support.pdf_fixture import make_pdf


def _load(root: Path, **kwargs: object) -> tuple[dict, dict]:
    connector = FolderConnector(root, **kwargs)  # type: ignore[arg-type]
    docs, failed = {}, {}
    for batch in connector.load():
        docs.update({d.source: d for d in batch.documents})
        failed.update({f.source: f for f in batch.failed})
    return docs, failed


def test_garbage_is_skipped_and_reported_and_the_run_completes(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text("# Vacation\n\nYou get 25 days of vacation per year.\n")
    (tmp_path / "binary.md").write_bytes(b"\x00\x01\x02PNG\x00" * 100)
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "huge.md").write_text("word " * (1024 * 1024))  # 5 MB
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 menu".encode("latin-1"))
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj garbage without end")
    (tmp_path / "notes.bin").write_bytes(b"ignored: unsupported type")
    docs, failed = _load(tmp_path)
    assert set(docs) == {"good.md"}
    assert "binary" in failed["binary.md"].reason
    assert failed["empty.md"].empty and not failed["binary.md"].empty
    assert "too large" in failed["huge.md"].reason
    assert "UTF-8" in failed["latin1.txt"].reason
    assert "PDF" in failed["broken.pdf"].reason
    assert "notes.bin" not in failed


def test_documents_have_stable_ids_titles_urls_and_hashes(tmp_path: Path) -> None:
    (tmp_path / "hr").mkdir()
    (tmp_path / "hr" / "leave.md").write_text(
        "---\ntitle: Leave\nupdated: 2026-01-02\n---\n## Annual\n\nFour hours per pay period.\n"
    )
    (tmp_path / "page.html").write_text(
        "<title>Printing</title><h1>Printing</h1><p>Use FollowMe.</p>"
    )
    (tmp_path / "hours.txt").write_text("Core hours are 10 to 16.\n")
    (tmp_path / "policy.pdf").write_bytes(
        make_pdf("Expenses need receipts above 25.", title="Expenses")
    )
    (tmp_path / ".hidden.md").write_text("# secret")
    docs, failed = _load(tmp_path, name="wiki", base_url="https://wiki.example/")
    assert not failed
    assert set(docs) == {"hr/leave.md", "page.html", "hours.txt", "policy.pdf"}
    leave = docs["hr/leave.md"]
    assert leave.id == "wiki:hr/leave.md"
    assert leave.title == "Leave"
    assert leave.url == "https://wiki.example/hr/leave.md"
    assert leave.updated_at is not None and leave.updated_at.year == 2026
    assert leave.sections[0].heading_path == ["Annual"]
    assert docs["page.html"].title == "Printing"
    assert docs["policy.pdf"].title == "Expenses"
    assert "receipts above 25" in docs["policy.pdf"].text
    assert docs["policy.pdf"].sections[0].anchor == "page=1"
    # same content, same hash; any change, new hash
    again, _ = _load(tmp_path, name="wiki", base_url="https://wiki.example/")
    assert again["hr/leave.md"].content_hash == leave.content_hash
    (tmp_path / "hr" / "leave.md").write_text("---\ntitle: Leave\n---\n## Annual\n\nSix hours.\n")
    changed, _ = _load(tmp_path, name="wiki", base_url="https://wiki.example/")
    assert changed["hr/leave.md"].content_hash != leave.content_hash


def test_limits_are_configurable(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n\n" + "text " * 100)
    _, failed = _load(tmp_path, limits=FolderLimits(max_text_bytes=100))
    assert "too large" in failed["a.md"].reason


def test_default_url_is_a_file_uri(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n\nSome text here.")
    docs, _ = _load(tmp_path)
    assert docs["a.md"].url == (tmp_path / "a.md").resolve().as_uri()
    assert docs["a.md"].source_name == tmp_path.name


def test_files_of_a_type_nothing_reads_are_reported_not_silently_dropped(tmp_path: Path) -> None:
    from indexing.summary import IndexSummary

    (tmp_path / "leave.md").write_text("# Leave\n\nYou get 25 days of vacation per year.\n")
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "expenses.doc").write_bytes(b"\xd0\xcf\x11\xe0 old Word")
    (tmp_path / "forms" / "rates.xlsx").write_bytes(b"PK\x03\x04 a workbook")
    (tmp_path / ".draft.doc").write_bytes(b"hidden: not counted")
    (tmp_path / "LICENSE").write_text("MIT License\n")  # a skipped name: not counted
    connector = FolderConnector(tmp_path)
    batches = list(connector.load())
    unsupported = [path for batch in batches for path in batch.unsupported]
    assert sorted(unsupported) == ["forms/expenses.doc", "forms/rates.xlsx"]
    assert [p.name for p in connector.files()] == ["leave.md"]
    summary = IndexSummary(new=1, unsupported=unsupported)
    assert "; skipped: 2 unsupported (.doc, .xlsx); " in summary.line()
    assert "skipped" not in IndexSummary(new=1).line()
