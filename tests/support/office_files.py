"""Small Word, PowerPoint and OpenDocument files made with the libraries that read them."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO

import docx
from docx.oxml import parse_xml
from odf import table as odf_table
from odf import text as odf_text
from odf.opendocument import OpenDocumentText
from pptx import Presentation
from pptx.util import Inches


def make_docx() -> bytes:
    document = docx.Document()
    document.core_properties.title = "Travel policy"
    document.add_paragraph("Travel policy", style="Title")
    document.add_paragraph("Read this before you book.")
    document.add_heading("Hotels", level=1)
    document.add_paragraph("Hotels up to 220 EUR per night are approved without asking.")
    document.add_heading("Abroad", level=2)
    document.add_paragraph("Abroad the limit is 260 EUR.")
    table = document.add_table(rows=3, cols=2)
    for row, (city, limit) in enumerate([("City", "Limit"), ("Paris", "300"), ("Lyon", "180")]):
        table.cell(row, 0).text, table.cell(row, 1).text = city, limit
    document.add_heading("Trains", level=1)
    document.add_paragraph("Second class, unless the trip is longer than four hours.")
    changed = document.add_paragraph("Taxis: ")
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    when = 'w:author="a" w:date="2026-01-01T00:00:00Z"'
    inserted = '<w:r><w:t>only at night.</w:t></w:r>'
    deleted = '<w:r><w:delText>never.</w:delText></w:r>'
    changed._p.append(parse_xml(f'<w:ins {w} w:id="1" {when}>{inserted}</w:ins>'))
    changed._p.append(parse_xml(f'<w:del {w} w:id="2" {when}>{deleted}</w:del>'))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_pptx() -> bytes:
    deck = Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[1])
    first.shapes.title.text = "Welcome to Acme"
    first.placeholders[1].text = "Your first week, step by step."
    first.notes_slide.notes_text_frame.text = "Mention the laptop pickup at the front desk."
    second = deck.slides.add_slide(deck.slide_layouts[5])
    second.shapes.title.text = "Who to ask"
    shape = second.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(6), Inches(1))
    cells = shape.table
    cells.cell(0, 0).text, cells.cell(0, 1).text = "Topic", "Contact"
    cells.cell(1, 0).text, cells.cell(1, 1).text = "Payroll", "payroll@acme.example"
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def make_odt() -> bytes:
    document = OpenDocumentText()
    document.text.addElement(odf_text.H(outlinelevel=1, text="Parental leave"))
    document.text.addElement(odf_text.P(text="Birth parents get 16 weeks on full pay."))
    document.text.addElement(odf_text.H(outlinelevel=2, text="Partners"))
    document.text.addElement(odf_text.P(text="Partners get 4 weeks on full pay."))
    grid = odf_table.Table()
    for values in (("Weeks", "Pay"), ("1-16", "full")):
        row = odf_table.TableRow()
        for value in values:
            cell = odf_table.TableCell()
            cell.addElement(odf_text.P(text=value))
            row.addElement(cell)
        grid.addElement(row)
    document.text.addElement(grid)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_empty_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    return out.getvalue()


# Hostile packages: small on disk, written as a stream so the test itself never holds them
# unpacked in memory.

MiB = 1024 * 1024
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _tiny_png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def make_docx_with_picture() -> bytes:
    """A short policy with one picture (word/media/image1.png), referenced from the text."""
    document = docx.Document()
    document.add_heading("Badges", level=1)
    document.add_paragraph("Show your badge at the front desk.")
    document.add_picture(io.BytesIO(_tiny_png()))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _rewrite(
    source: bytes,
    path: Path,
    replaced: dict[str, Callable[[IO[bytes]], None]],
    *,
    stored: bool = False,
) -> None:
    """``source`` copied to ``path`` with some members' bytes written by ``replaced``."""
    with (
        zipfile.ZipFile(io.BytesIO(source)) as old,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for member in old.infolist():
            info = zipfile.ZipInfo(member.filename, member.date_time)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            writer = replaced.get(member.filename)
            with new.open(info, "w", force_zip64=True) as out:
                if writer is None:
                    out.write(old.read(member))
                else:
                    writer(out)


def _zeros(size: int) -> Callable[[IO[bytes]], None]:
    def write(out: IO[bytes]) -> None:
        block = bytes(MiB)
        for _ in range(size // MiB):
            out.write(block)

    return write


def write_zero_image_docx(path: Path, image_bytes: int = 2 * 1024 * MiB) -> None:
    """A .docx whose picture unpacks to ``image_bytes`` of zeros (2 GiB: about 2 MB on disk)."""
    _rewrite(make_docx_with_picture(), path, {"word/media/image1.png": _zeros(image_bytes)})


def write_broken_image_docx(path: Path) -> None:
    """A .docx whose picture's bytes do not match their checksum: unpacking it fails."""
    _rewrite(make_docx_with_picture(), path, {}, stored=True)
    data = path.read_bytes()
    png = _tiny_png()
    path.write_bytes(data.replace(png, png[:-8] + b"\xff" * 8, 1))


def write_repeated_text_docx(path: Path, xml_bytes: int) -> None:
    """A .docx whose document.xml is ``xml_bytes`` of the same paragraph over and over."""
    paragraph = b"<w:p><w:r><w:t>All work and no play makes a dull handbook.</w:t></w:r></w:p>"

    def write(out: IO[bytes]) -> None:
        out.write(f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>'.encode())
        block = paragraph * (MiB // len(paragraph))
        for _ in range(xml_bytes // len(block)):
            out.write(block)
        out.write(b"</w:body></w:document>")

    _rewrite(make_docx(), path, {"word/document.xml": write})


def write_long_text_docx(path: Path, text_bytes: int) -> None:
    """A .docx with about ``text_bytes`` of text, every paragraph different."""

    def write(out: IO[bytes]) -> None:
        out.write(f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>'.encode())
        number = written = 0
        while written < text_bytes:
            line = f"Paragraph {number} says {number * 7919 % 10007} days."
            out.write(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>".encode())
            number, written = number + 1, written + len(line) + 1
        out.write(b"</w:body></w:document>")

    _rewrite(make_docx(), path, {"word/document.xml": write})


def write_many_members_docx(path: Path, extra: int) -> None:
    """A valid .docx with ``extra`` more (empty) parts in its package."""
    path.write_bytes(make_docx())
    with zipfile.ZipFile(path, "a") as package:
        for number in range(extra):
            package.writestr(f"customXml/extra{number}.xml", b"")


def write_headings_docx(path: Path, count: int) -> None:
    """``count`` "Heading 1" paragraphs, each over one short line: a small file of many
    sections (written as XML: python-docx takes seconds to add thousands)."""

    def write(out: IO[bytes]) -> None:
        out.write(f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>'.encode())
        for number in range(count):
            style = '<w:pPr><w:pStyle w:val="Heading1"/></w:pPr>'
            out.write(f"<w:p>{style}<w:r><w:t>Rule {number}</w:t></w:r></w:p>".encode())
            out.write(f"<w:p><w:r><w:t>Rule {number} applies.</w:t></w:r></w:p>".encode())
        out.write(b"</w:body></w:document>")

    _rewrite(make_docx(), path, {"word/document.xml": write})


def make_docx_with_text(text_bytes: int) -> bytes:
    """Body text of about ``text_bytes``, every paragraph different (it compresses as text)."""
    document = docx.Document()
    number = written = 0
    while written < text_bytes:
        line = f"Paragraph {number} says {number * 7919 % 10007} days."
        document.add_paragraph(line)
        number, written = number + 1, written + len(line) + 1
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_docx_with_nested_table() -> bytes:
    """A table whose second row holds, in its second cell, a table of its own."""
    document = docx.Document()
    document.add_heading("Allowances", level=1)
    outer = document.add_table(rows=2, cols=2)
    outer.cell(0, 0).text, outer.cell(0, 1).text = "Country", "Rates"
    outer.cell(1, 0).text = "France"
    cell = outer.cell(1, 1)
    cell.text = "Per night:"
    inner = cell.add_table(rows=3, cols=2)
    for row, (city, limit) in enumerate([("City", "Limit"), ("Paris", "300"), ("Lyon", "180")]):
        inner.cell(row, 0).text, inner.cell(row, 1).text = city, limit
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_odt_with_nested_table() -> bytes:
    """The same allowances as an OpenDocument text: a table in a table's cell."""

    def table(rows: list[list[object]]) -> odf_table.Table:
        grid = odf_table.Table()
        for values in rows:
            row = odf_table.TableRow()
            for value in values:
                cell = odf_table.TableCell()
                for item in value if isinstance(value, list) else [value]:
                    cell.addElement(odf_text.P(text=item) if isinstance(item, str) else item)
                row.addElement(cell)
            grid.addElement(row)
        return grid

    inner = table([["City", "Limit"], ["Paris", "300"], ["Lyon", "180"]])
    document = OpenDocumentText()
    document.text.addElement(odf_text.H(outlinelevel=1, text="Allowances"))
    document.text.addElement(table([["Country", "Rates"], ["France", ["Per night:", inner]]]))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_odt_with_spaces(count: int) -> bytes:
    """An OpenDocument text whose one paragraph asks for ``count`` spaces (``text:s``)."""
    document = OpenDocumentText()
    paragraph = odf_text.P(text="Spaces follow.")
    paragraph.addElement(odf_text.S(c=count))
    document.text.addElement(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
