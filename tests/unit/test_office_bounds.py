"""Office packages are bounded before any parser opens them, and what comes out of them is
bounded like every other format's text. The packages are built here, small on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.folder import FolderConnector
from connectors.parsing.office import parse_office, read_office
from connectors.parsing.office_limits import OfficeLimits, UnreadableOfficeError
from connectors.settings import FolderLimits
from tests.support.office_files import (
    MiB,
    make_docx,
    make_docx_with_text,
    make_odt_with_spaces,
    write_broken_image_docx,
    write_headings_docx,
    write_many_members_docx,
    write_repeated_text_docx,
    write_zero_image_docx,
)


def _failed(root: Path) -> dict[str, str]:
    failed = {}
    for batch in FolderConnector(root).load():
        failed.update({f.source: f.reason for f in batch.failed})
    return failed


def test_a_picture_is_never_unpacked(tmp_path: Path) -> None:
    # the picture's bytes fail their checksum: reading them at all would fail the file
    write_broken_image_docx(tmp_path / "badges.docx")
    _, sections = read_office(".docx", (tmp_path / "badges.docx").read_bytes(), OfficeLimits())
    assert sections[0].heading_path == ["Badges"]
    assert "front desk" in sections[0].text


def test_what_a_package_declares_to_unpack_to_is_bounded(tmp_path: Path) -> None:
    write_zero_image_docx(tmp_path / "zeros.docx", image_bytes=40 * MiB)
    data = (tmp_path / "zeros.docx").read_bytes()
    assert len(data) < 100_000
    with pytest.raises(UnreadableOfficeError, match=r"unpacks to 42\.\d MB .*zip bomb"):
        read_office(".docx", data, OfficeLimits(max_unpacked_bytes=32 * MiB))


def test_an_xml_part_over_its_size_or_ratio_bound_is_refused(tmp_path: Path) -> None:
    write_repeated_text_docx(tmp_path / "big.docx", xml_bytes=40 * MiB)
    one_part = r"word/document\.xml .* unpacks to 41\.9 MB \(the limit for one part"
    with pytest.raises(UnreadableOfficeError, match=one_part):
        read_office(".docx", (tmp_path / "big.docx").read_bytes(), OfficeLimits())
    write_repeated_text_docx(tmp_path / "dense.docx", xml_bytes=4 * MiB)
    with pytest.raises(UnreadableOfficeError, match=r"compressed [\d,]+ to 1 \(the limit is 100"):
        read_office(".docx", (tmp_path / "dense.docx").read_bytes(), OfficeLimits())


def test_all_xml_read_is_capped_whatever_each_part_declares() -> None:
    # two parts of a normal file together exceed a tiny budget for all XML
    with pytest.raises(UnreadableOfficeError, match=r"the XML in this \.docx file unpacks to more"):
        read_office(".docx", make_docx(), OfficeLimits(max_xml_bytes=20_000))


def test_too_many_parts_fail_the_document_through_the_folder(tmp_path: Path) -> None:
    write_many_members_docx(tmp_path / "parts.docx", extra=OfficeLimits().max_members)
    (tmp_path / "good.docx").write_bytes(make_docx())
    assert _failed(tmp_path) == {
        "parts.docx": "too many parts in this .docx file (5,017; the limit is 5,000)"
    }


def test_office_text_has_the_text_files_limit(tmp_path: Path) -> None:
    assert OfficeLimits().max_text_bytes == FolderLimits().max_text_bytes
    (tmp_path / "long.docx").write_bytes(make_docx_with_text(60_000))
    assert (tmp_path / "long.docx").stat().st_size < 60_000
    small, large = FolderLimits(max_text_bytes=50_000), FolderLimits(max_text_bytes=100_000)
    with pytest.raises(UnreadableOfficeError, match=r"too much text in this \.docx file"):
        FolderConnector(tmp_path, limits=small).read(tmp_path / "long.docx")
    document = FolderConnector(tmp_path, limits=large).read(tmp_path / "long.docx")
    assert "Paragraph 1000 says" in document.text


def test_a_small_file_of_thousands_of_headings_fails_instead_of_thousands_of_chunks(
    tmp_path: Path,
) -> None:
    write_headings_docx(tmp_path / "rules.docx", 2_500)
    assert (tmp_path / "rules.docx").stat().st_size < 100_000
    reason = _failed(tmp_path)["rules.docx"]
    assert reason.startswith("too many sections in this .docx file (more than 2,000 headings")


def test_an_opendocument_asking_for_billions_of_spaces_gets_a_hundred() -> None:
    # 2e9 spaces would be a 2 GB string: past the parsing process's memory, the file failed
    _, sections = parse_office(".odt", make_odt_with_spaces(2_000_000_000))
    assert sections[0].text == "Spaces follow."
