"""PDF -> one section per page (pypdf, pure Python)."""

from __future__ import annotations

import io
import logging

from connectors.base import Section
from connectors.errors import DocumentError

logger = logging.getLogger(__name__)


class UnreadablePdfError(DocumentError):
    """The bytes are not a PDF we can extract text from."""


def parse_pdf(data: bytes) -> tuple[str, list[Section]]:
    """Return (title from the PDF's metadata or "", sections). Raises UnreadablePdfError."""
    if not data.startswith(b"%PDF"):
        raise UnreadablePdfError("not a PDF file (missing %PDF header)")
    from pypdf import PdfReader  # here: a process that reads no PDF (`ask`) never loads it

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UnreadablePdfError("the PDF is encrypted")
        title = ""
        if reader.metadata and reader.metadata.title:
            title = str(reader.metadata.title).strip()
        sections = []
        for number, page in enumerate(reader.pages, start=1):
            text = (page.extract_text() or "").strip()
            if text:
                sections.append(
                    Section(heading_path=[f"Page {number}"], text=text, anchor=f"page={number}")
                )
    except UnreadablePdfError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files
        raise UnreadablePdfError(f"damaged PDF: {type(exc).__name__}: {exc}") from exc
    if not sections:
        raise UnreadablePdfError("no extractable text (scanned PDF without OCR?)")
    return title, sections
