"""A file's bytes -> title, sections and front matter, by its type: the one place that knows
which formats are read and how (folder and SharePoint sources both use it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectors.base import Section
from connectors.errors import DocumentError
from connectors.parsing.front_matter import split_front_matter
from connectors.parsing.html import parse_html
from connectors.parsing.markdown import parse_markdown
from connectors.parsing.metadata import MetadataError
from connectors.parsing.office import OFFICE_SUFFIXES, parse_office
from connectors.parsing.pdf import parse_pdf
from connectors.parsing.unread_metadata import office_top_text, unread_metadata

MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdx"}
HTML_SUFFIXES = {".html", ".htm"}
TEXT_SUFFIXES = {".txt", ".text", ".rst"}
PDF_SUFFIXES = {".pdf"}
BINARY_SUFFIXES = PDF_SUFFIXES | OFFICE_SUFFIXES  # size limit: max_pdf_bytes
SUPPORTED_SUFFIXES = MARKDOWN_SUFFIXES | HTML_SUFFIXES | TEXT_SUFFIXES | BINARY_SUFFIXES


class UnreadableFileError(DocumentError):
    """A file that is skipped, with the reason shown to the admin."""


class EmptyDocumentError(UnreadableFileError):
    """A file with nothing to index (empty, or front matter only such as a redirect)."""


@dataclass
class ParsedFile:
    title: str
    sections: list[Section]
    front_matter: dict[str, Any] = field(default_factory=dict)


def file_type(name: str) -> str:
    """The type of a file by its name: ``page.html.md.erb`` and ``page.md.erb`` (Markdown
    with ERB tags, GOV.UK tech-docs) are Markdown."""
    lowered = name.lower()
    if lowered.endswith((".md.erb", ".markdown.erb")):
        return ".md"
    dot = lowered.rfind(".")
    return lowered[dot:] if dot > 0 else ""


def parse_file(
    name: str, data: bytes, *, fallback: str, max_text_bytes: int | None = None
) -> ParsedFile:
    """Parse ``data`` as the type ``name`` says; ``fallback`` names the file when it has no
    title of its own; ``max_text_bytes`` bounds the text read from an Office file (the
    source's limit for text files). Raises UnreadableFileError (or a parser's DocumentError)."""
    suffix = file_type(name)
    if not data:
        raise EmptyDocumentError("empty file")
    stem = name.split(".", 1)[0] if suffix == ".md" else name.rsplit(".", 1)[0]
    fallback_title = stem.replace("-", " ").replace("_", " ").strip() or fallback
    if suffix in PDF_SUFFIXES:
        title, sections = parse_pdf(data)
        parsed = ParsedFile(title or fallback_title, sections)
    elif suffix in OFFICE_SUFFIXES:
        title, sections = parse_office(suffix, data, max_text_bytes=max_text_bytes)
        reason = unread_metadata(office_top_text(sections))
        if reason:
            raise UnreadableFileError(f"the text of this {suffix} file: {reason}")
        parsed = ParsedFile(title or fallback_title, sections)
    else:
        parsed = _parse_text(suffix, _decode_text(data), fallback_title)
    if not any(s.text.strip() for s in parsed.sections):
        raise EmptyDocumentError("no text content")
    return parsed


def _parse_text(suffix: str, text: str, fallback_title: str) -> ParsedFile:
    """Markdown, HTML or plain text: front matter is read, and refused, the same way in each
    (connectors/parsing/front_matter.py); metadata that cannot be trusted skips the file."""
    try:
        if suffix in MARKDOWN_SUFFIXES:
            markdown = parse_markdown(text, fallback_title=fallback_title)
            return ParsedFile(markdown.title, markdown.sections, markdown.front_matter)
        front_matter, body = split_front_matter(text)
        title = str(front_matter.get("title") or "").strip()
        if suffix in HTML_SUFFIXES:
            html = parse_html(body, fallback_title=fallback_title)
            return ParsedFile(title or html.title, html.sections, front_matter)
    except MetadataError as exc:
        raise UnreadableFileError(str(exc)) from None
    sections = [Section(text=body.strip())] if body.strip() else []
    return ParsedFile(title or fallback_title, sections, front_matter)


def _decode_text(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise UnreadableFileError("binary content (NUL bytes), not a text document")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from exc
