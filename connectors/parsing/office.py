"""Word (.docx), PowerPoint (.pptx) and OpenDocument text (.odt) -> sections.

* Word: headings (the built-in "Heading N" and "Title" styles, or an outline level) start
  sections with their heading path; tables become rows of "Header: value" text; tracked
  changes read as accepted (insertions in, deletions out) and comments are not read.
* PowerPoint: one section per slide, the slide title as its heading, text boxes and tables in
  reading order, the speaker notes after them ("Notes: ...").
* OpenDocument text (connectors/parsing/office_odf.py): headings (``text:h`` with their
  outline level) and paragraphs, tables as rows, like Word.

A table nested in a table's cell is read the same way, after the row that holds it.

A damaged file, a password-protected one (Office encrypts it into an OLE container), one with
no text, or one past a bound of connectors/parsing/office_limits.py (zip bombs, too much
text, too many sections) raises UnreadableOfficeError: the folder reports and skips it.
``parse_office`` parses in a separate process with a memory and time limit
(connectors/parsing/isolated.py); ``read_office`` is what that process runs.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from connectors.base import Section
from connectors.parsing.isolated import shared_office_parser
from connectors.parsing.office_limits import (
    OfficeLimits,
    UnreadableOfficeError,
    check_extracted,
    text_parts_only,
)
from connectors.parsing.office_odf import parse_odt
from connectors.parsing.office_text import (
    SectionCollector,
    nonempty,
    stop_past_section_cap,
    table_rows,
)

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML, or an old .doc/.ppt
OFFICE_SUFFIXES = {".docx", ".pptx", ".odt"}


def _opened(data: bytes, kind: str) -> None:
    if data.startswith(OLE_SIGNATURE):
        raise UnreadableOfficeError(
            f"password-protected (encrypted) or an old binary Office file, not a {kind}"
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableOfficeError(f"damaged {kind} (not a zip package)")


def parse_docx(package: bytes, limits: OfficeLimits) -> tuple[str, list[Section]]:
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(package))
        out = SectionCollector(".docx file", limits)
        title = (document.core_properties.title or "").strip()
        style_names: dict[str | None, str] = {}
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                for line in _docx_table_lines(block, depth=1, limits=limits):
                    out.text(line)
                continue
            assert isinstance(block, Paragraph)
            text = _paragraph_text(block)
            level = _heading_level(block, style_names)
            if level is not None and text:
                if level == 0:
                    title = title or text
                else:
                    out.heading(level, text)
            else:
                out.text(text)
        out.flush()
    except (UnreadableOfficeError, MemoryError):  # the parsing process reports a MemoryError
        raise
    except Exception as exc:  # python-docx raises many types on damaged packages
        raise UnreadableOfficeError(f"damaged .docx file: {type(exc).__name__}") from exc
    return title, nonempty(out.sections, ".docx file")


def _docx_table_lines(table: Any, *, depth: int, limits: OfficeLimits) -> list[str]:
    """A Word table's rows as lines; a table in a cell is read after the row that holds it."""
    from docx.table import Table

    if depth > limits.max_table_depth:
        raise UnreadableOfficeError(
            f"tables nested more than {limits.max_table_depth} deep in this .docx file"
        )
    rows: list[list[str]] = []
    nested: list[list[str]] = []
    for row in table.rows:
        texts: list[str] = []
        inner: list[str] = []
        seen: list[Any] = []  # a merged cell appears once per grid column it spans
        for cell in row.cells:
            paragraphs = [_paragraph_text(p) for p in cell.paragraphs]
            texts.append("\n".join(p for p in paragraphs if p))
            if any(cell._tc is tc for tc in seen):
                continue
            seen.append(cell._tc)
            for block in cell.iter_inner_content():
                if isinstance(block, Table):
                    inner.extend(_docx_table_lines(block, depth=depth + 1, limits=limits))
        rows.append(texts)
        nested.append(inner)
    return list(table_rows(rows, nested))


def _paragraph_text(paragraph: Any) -> str:
    """The paragraph as it reads with tracked changes accepted: every ``w:t`` (insertions
    included, which python-docx's ``text`` leaves out); deleted text is ``w:delText``."""
    from docx.oxml.ns import qn

    return "".join(node.text or "" for node in paragraph._p.iter(qn("w:t"))).strip()


def _heading_level(paragraph: Any, style_names: dict[str | None, str]) -> int | None:
    """0 for the Title style, N for "Heading N" (or an outline level), None for body text.
    ``style_names`` caches style id -> name (python-docx looks each up in linear time)."""
    style_id = paragraph._p.style
    if style_id not in style_names:
        style_names[style_id] = (paragraph.style.name if paragraph.style is not None else "") or ""
    name = style_names[style_id]
    if name.lower() == "title":
        return 0
    if name.lower().startswith("heading"):
        digits = name.split()[-1]
        return int(digits) if digits.isdigit() else 1
    levels = [str(v) for v in paragraph._p.xpath("./w:pPr/w:outlineLvl/@w:val")]
    if levels and levels[0].isdigit() and int(levels[0]) < 9:  # 9 means body text
        return int(levels[0]) + 1
    return None


def parse_pptx(package: bytes, limits: OfficeLimits) -> tuple[str, list[Section]]:
    try:
        from pptx import Presentation

        deck = Presentation(io.BytesIO(package))
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
                    lines.extend(table_rows(rows))
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
                stop_past_section_cap(sections, ".pptx file", limits)
            title = title or (heading if number == 1 else "")
    except (UnreadableOfficeError, MemoryError):  # the parsing process reports a MemoryError
        raise
    except Exception as exc:
        raise UnreadableOfficeError(f"damaged .pptx file: {type(exc).__name__}") from exc
    return title, nonempty(sections, ".pptx file")


PARSERS = {".docx": parse_docx, ".pptx": parse_pptx, ".odt": parse_odt}


def read_office(suffix: str, data: bytes, limits: OfficeLimits) -> tuple[str, list[Section]]:
    """Parse here, in this process: bounded, but not isolated (the parsing process runs it)."""
    kind = f"{suffix} file"
    _opened(data, kind)
    package = text_parts_only(data, kind, limits)
    title, sections = PARSERS[suffix](package, limits)
    check_extracted(sections, kind, limits)
    return title, sections


def parse_office(
    suffix: str, data: bytes, *, max_text_bytes: int | None = None
) -> tuple[str, list[Section]]:
    """Parse an untrusted file in the shared parsing process (memory and time limits);
    ``max_text_bytes``: the source's limit for text files, applied to the text read."""
    return shared_office_parser().parse(suffix, data, max_text_bytes=max_text_bytes)
