"""OpenDocument text (.odt) -> sections: headings (``text:h`` with their outline level) and
paragraphs, lists item by item, tables as rows like Word's (a table in a cell read after the
row that holds it)."""

from __future__ import annotations

import io
from typing import Any

from connectors.base import Section
from connectors.parsing.office_limits import OfficeLimits, UnreadableOfficeError
from connectors.parsing.office_text import SectionCollector, nonempty, table_rows

ROW_GROUPS = {"table-header-rows", "table-rows", "table-row-group"}
MAX_SPACES = 100  # ``<text:s text:c="N"/>`` is N spaces: a few bytes could ask for gigabytes


def _name(node: Any) -> str:
    return str(getattr(node, "qname", (None, ""))[1])


def parse_odt(package: bytes, limits: OfficeLimits) -> tuple[str, list[Section]]:
    try:
        from odf import teletype, text
        from odf.opendocument import load

        document = load(io.BytesIO(package))
        for spaces in document.text.getElementsByType(text.S):
            count = str(spaces.getAttribute("c") or "1")
            if not count.isdigit() or int(count) > MAX_SPACES:
                spaces.setAttribute("c", str(MAX_SPACES))
        out = SectionCollector(".odt file", limits)
        for element in document.text.childNodes:
            kind = _name(element)
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
                for line in _table_lines(element, depth=1, limits=limits):
                    out.text(line)
        out.flush()
        titles = [
            teletype.extractText(node)
            for node in document.meta.childNodes
            if _name(node) == "title"
        ]
        title = titles[0].strip() if titles else ""
    except (UnreadableOfficeError, MemoryError):  # the parsing process reports a MemoryError
        raise
    except Exception as exc:
        raise UnreadableOfficeError(f"damaged .odt file: {type(exc).__name__}") from exc
    return title, nonempty(out.sections, ".odt file")


def _rows(table: Any) -> list[Any]:
    """The table's own rows (inside header or row groups too), not those of nested tables."""
    rows = []
    for child in table.childNodes:
        if _name(child) == "table-row":
            rows.append(child)
        elif _name(child) in ROW_GROUPS:
            rows.extend(_rows(child))
    return rows


def _table_lines(table: Any, *, depth: int, limits: OfficeLimits) -> list[str]:
    from odf import teletype

    if depth > limits.max_table_depth:
        raise UnreadableOfficeError(
            f"tables nested more than {limits.max_table_depth} deep in this .odt file"
        )
    rows: list[list[str]] = []
    nested: list[list[str]] = []
    for row in _rows(table):
        texts: list[str] = []
        inner: list[str] = []
        for cell in (c for c in row.childNodes if _name(c) == "table-cell"):
            parts = []
            for child in cell.childNodes:
                if _name(child) == "table":
                    inner.extend(_table_lines(child, depth=depth + 1, limits=limits))
                else:
                    parts.append(teletype.extractText(child).strip())
            texts.append("\n".join(p for p in parts if p))
        rows.append(texts)
        nested.append(inner)
    return list(table_rows(rows, nested))
