"""Word (.docx), PowerPoint (.pptx) and OpenDocument text (.odt) -> sections.

* Word: headings (the built-in "Heading N" and "Title" styles, or an outline level) start
  sections with their heading path; tables become rows of "Header: value" text; tracked
  changes read as accepted (insertions in, deletions out) and comments are not read.
* PowerPoint: one section per slide, the slide title as its heading, text boxes and tables in
  reading order, the speaker notes after them ("Notes: ...").
* OpenDocument text: headings (``text:h`` with their outline level) and paragraphs, tables as
  rows, like Word.

A damaged file, a password-protected one (Office encrypts it into an OLE container) or one
with no text raises UnreadableOfficeError: the folder reports and skips it.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from typing import Any

from connectors.base import Section
from connectors.errors import DocumentError

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML, or an old .doc/.ppt
OFFICE_SUFFIXES = {".docx", ".pptx", ".odt"}


class UnreadableOfficeError(DocumentError):
    """The bytes are not an Office document we can read text from."""


class _Sections:
    """Collects text under the current heading path."""

    def __init__(self) -> None:
        self.path: list[str] = []
        self.lines: list[str] = []
        self.sections: list[Section] = []

    def heading(self, level: int, text: str) -> None:
        self.flush()
        self.path = [*self.path[: max(level - 1, 0)], text]

    def text(self, line: str) -> None:
        if line.strip():
            self.lines.append(line.strip())

    def flush(self) -> None:
        if self.lines:
            self.sections.append(Section(heading_path=list(self.path), text="\n".join(self.lines)))
        self.lines = []


def _table_rows(rows: list[list[str]]) -> Iterable[str]:
    """A table as text: with a header row, each row as "Header: value; ..."."""
    rows = [[cell.strip() for cell in row] for row in rows if any(c.strip() for c in row)]
    if not rows:
        return
    header, body = rows[0], rows[1:]
    if not body:
        yield "; ".join(c for c in header if c)
        return
    for row in body:
        pairs = [f"{h}: {v}" if h else v for h, v in zip(header, row, strict=False) if v]
        yield "; ".join(pairs)


def _opened(data: bytes, kind: str) -> None:
    if data.startswith(OLE_SIGNATURE):
        raise UnreadableOfficeError(
            f"password-protected (encrypted) or an old binary Office file, not a {kind}"
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableOfficeError(f"damaged {kind} (not a zip package)")


def parse_docx(data: bytes) -> tuple[str, list[Section]]:
    _opened(data, ".docx file")
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
        out = _Sections()
        title = (document.core_properties.title or "").strip()
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                rows = [[cell.text for cell in row.cells] for row in block.rows]
                for line in _table_rows(rows):
                    out.text(line)
                continue
            assert isinstance(block, Paragraph)
            text = _paragraph_text(block)
            level = _heading_level(block)
            if level is not None and text:
                if level == 0:
                    title = title or text
                else:
                    out.heading(level, text)
            else:
                out.text(text)
        out.flush()
    except UnreadableOfficeError:
        raise
    except Exception as exc:  # python-docx raises many types on damaged packages
        raise UnreadableOfficeError(f"damaged .docx file: {type(exc).__name__}") from exc
    return title, _nonempty(out.sections, ".docx file")


def _paragraph_text(paragraph: Any) -> str:
    """The paragraph as it reads with tracked changes accepted: every ``w:t`` (insertions
    included, which python-docx's ``text`` leaves out); deleted text is ``w:delText``."""
    from docx.oxml.ns import qn

    return "".join(node.text or "" for node in paragraph._p.iter(qn("w:t"))).strip()


def _heading_level(paragraph: Any) -> int | None:
    """0 for the Title style, N for "Heading N" (or an outline level), None for body text."""
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name.lower() == "title":
        return 0
    if name.lower().startswith("heading"):
        digits = name.split()[-1]
        return int(digits) if digits.isdigit() else 1
    levels = [str(v) for v in paragraph._p.xpath("./w:pPr/w:outlineLvl/@w:val")]
    if levels and levels[0].isdigit() and int(levels[0]) < 9:  # 9 means body text
        return int(levels[0]) + 1
    return None


def parse_pptx(data: bytes) -> tuple[str, list[Section]]:
    _opened(data, ".pptx file")
    try:
        from pptx import Presentation

        deck = Presentation(io.BytesIO(data))
        sections = []
        title = (deck.core_properties.title or "").strip()
        for number, slide in enumerate(deck.slides, start=1):
            heading = ""
            if slide.shapes.title is not None and slide.shapes.title.has_text_frame:
                heading = slide.shapes.title.text_frame.text.strip()
            lines: list[str] = []
            for shape in slide.shapes:
                if shape == slide.shapes.title:
                    continue
                if shape.has_text_frame:
                    lines.extend(p.strip() for p in shape.text_frame.text.splitlines())
                elif getattr(shape, "has_table", False) and shape.has_table:
                    rows = [[cell.text for cell in row.cells] for row in shape.table.rows]
                    lines.extend(_table_rows(rows))
            if slide.has_notes_slide:
                notes = slide.notes_slide.notes_text_frame
                if notes is not None and notes.text.strip():
                    lines.append("Notes: " + " ".join(notes.text.split()))
            text = "\n".join(line for line in lines if line)
            if text or heading:
                name = heading or f"Slide {number}"
                sections.append(
                    Section(heading_path=[name], text=text or heading, anchor=f"slide={number}")
                )
            title = title or (heading if number == 1 else "")
    except UnreadableOfficeError:
        raise
    except Exception as exc:
        raise UnreadableOfficeError(f"damaged .pptx file: {type(exc).__name__}") from exc
    return title, _nonempty(sections, ".pptx file")


def parse_odt(data: bytes) -> tuple[str, list[Section]]:
    _opened(data, ".odt file")
    try:
        from odf import table as odf_table
        from odf import teletype, text
        from odf.opendocument import load

        document = load(io.BytesIO(data))
        out = _Sections()
        body = document.text
        for element in body.childNodes:
            kind = getattr(element, "qname", (None, ""))[1]
            if kind == "h":
                level = int(element.getAttribute("outlinelevel") or 1)
                heading = teletype.extractText(element).strip()
                if heading:
                    out.heading(level, heading)
            elif kind == "p":
                out.text(teletype.extractText(element))
            elif kind == "list":
                for item in element.getElementsByType(text.P):
                    out.text(teletype.extractText(item))
            elif kind == "table":
                rows = [
                    [teletype.extractText(c) for c in row.getElementsByType(odf_table.TableCell)]
                    for row in element.getElementsByType(odf_table.TableRow)
                ]
                for line in _table_rows(rows):
                    out.text(line)
        out.flush()
        titles = [
            teletype.extractText(node)
            for node in document.meta.childNodes
            if getattr(node, "qname", (None, ""))[1] == "title"
        ]
        title = titles[0].strip() if titles else ""
    except UnreadableOfficeError:
        raise
    except Exception as exc:
        raise UnreadableOfficeError(f"damaged .odt file: {type(exc).__name__}") from exc
    return title, _nonempty(out.sections, ".odt file")


def _nonempty(sections: list[Section], kind: str) -> list[Section]:
    if not any(s.text.strip() for s in sections):
        raise UnreadableOfficeError(f"no text in this {kind}")
    return sections


def parse_office(suffix: str, data: bytes) -> tuple[str, list[Section]]:
    parser = {".docx": parse_docx, ".pptx": parse_pptx, ".odt": parse_odt}[suffix]
    return parser(data)
