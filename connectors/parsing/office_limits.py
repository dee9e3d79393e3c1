"""Bounds on an Office package (a zip of XML parts and media), checked before any parser
sees it, and on what comes out of it.

Before parsing, from the zip's central directory: how many members, how much they declare
to unpack to in all, and per XML part its size and its compression ratio. The XML parts are
then read through a capped reader (a header that lies about the size cannot push past the
cap) into a copy of the package in which every other member (images, embedded files, fonts,
thumbnails) is an empty file: the parsers load every part on open, and an image is never
unpacked. After parsing: the text and the number of sections, so that a small file cannot
become thousands of chunks.
"""

from __future__ import annotations

import io
import zipfile

from pydantic import BaseModel

from connectors.base import Section
from connectors.errors import DocumentError
from connectors.settings import FolderLimits

MB = 1_000_000
KEPT_SUFFIXES = (".xml", ".rels")  # the parts text is read from; "mimetype" names an ODF
RATIO_CHECKED_FROM = 1024 * 1024  # smaller parts cannot unpack to much whatever their ratio


class UnreadableOfficeError(DocumentError):
    """The bytes are not an Office document we can read text from (or exceed a bound)."""


class OfficeLimits(BaseModel):
    """What one Office file may unpack to, and what its parsing process may use."""

    max_members: int = 5_000
    max_unpacked_bytes: int = 512 * 1024 * 1024  # every member as declared, media included
    max_part_bytes: int = 32 * 1024 * 1024  # one XML part
    max_xml_bytes: int = 96 * 1024 * 1024  # all XML parts read
    max_ratio: int = 100  # unpacked / packed, for an XML part over 1 MiB
    max_text_bytes: int = FolderLimits().max_text_bytes  # the same as .md/.txt/.html files
    max_sections: int = 2_000  # headings or slides; each becomes at least one chunk
    max_table_depth: int = 8  # tables inside table cells inside ...
    memory_bytes: int = 1024 * 1024 * 1024  # the parsing process's address space
    timeout_s: float = 60.0  # for one file, then the parsing process is stopped


def _mb(size: int) -> str:
    return f"{size / MB:,.1f} MB"


def _kept(name: str) -> bool:
    return name == "mimetype" or name.lower().endswith(KEPT_SUFFIXES)


def text_parts_only(data: bytes, kind: str, limits: OfficeLimits) -> bytes:
    """The package ``data`` with its XML parts only (every other member empty), uncompressed;
    raises UnreadableOfficeError when the package exceeds a bound."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        members = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableOfficeError(f"damaged {kind} (not a zip package: {exc})") from None
    if len(members) > limits.max_members:
        raise UnreadableOfficeError(
            f"too many parts in this {kind} ({len(members):,}; the limit is "
            f"{limits.max_members:,})"
        )
    names = [m.filename for m in members]
    if len(set(names)) != len(names):
        raise UnreadableOfficeError(f"damaged {kind} (a part appears twice in the package)")
    declared = sum(m.file_size for m in members)
    if declared > limits.max_unpacked_bytes:
        raise UnreadableOfficeError(
            f"this {kind} unpacks to {_mb(declared)} (the limit is "
            f"{_mb(limits.max_unpacked_bytes)}): a zip bomb, or far larger than a document"
        )
    out = io.BytesIO()
    budget = limits.max_xml_bytes
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for member in members:
            if member.is_dir():
                continue
            if not _kept(member.filename):
                copy.writestr(member.filename, b"")  # media and embedded files: never unpacked
                continue
            _check_part(member, kind, limits)
            body = _read_capped(package, member, min(limits.max_part_bytes, budget), kind)
            budget -= len(body)
            copy.writestr(member.filename, body)
    return out.getvalue()


def _check_part(member: zipfile.ZipInfo, kind: str, limits: OfficeLimits) -> None:
    name = member.filename
    if member.file_size > limits.max_part_bytes:
        raise UnreadableOfficeError(
            f"{name} in this {kind} unpacks to {_mb(member.file_size)} (the limit for one "
            f"part is {_mb(limits.max_part_bytes)})"
        )
    ratio = member.file_size / max(member.compress_size, 1)
    if member.file_size > RATIO_CHECKED_FROM and ratio > limits.max_ratio:
        raise UnreadableOfficeError(
            f"{name} in this {kind} is compressed {ratio:,.0f} to 1 (the limit is "
            f"{limits.max_ratio} to 1): a zip bomb, or text repeated over and over"
        )


def _read_capped(package: zipfile.ZipFile, member: zipfile.ZipInfo, cap: int, kind: str) -> bytes:
    """The member's bytes, never more than ``cap`` unpacked whatever its header says."""
    try:
        with package.open(member) as stream:
            body = stream.read(cap + 1)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as exc:
        raise UnreadableOfficeError(f"damaged {kind} ({member.filename}: {exc})") from None
    except RuntimeError as exc:  # an encrypted member
        raise UnreadableOfficeError(f"password-protected part in this {kind} ({exc})") from None
    if len(body) > cap:
        raise UnreadableOfficeError(
            f"the XML in this {kind} unpacks to more than {_mb(cap)} (the limit for XML is "
            f"{_mb(cap)})"
        )
    return body


def check_extracted(sections: list[Section], kind: str, limits: OfficeLimits) -> None:
    """The text and the sections read from a package, within the same bounds as other files."""
    if len(sections) > limits.max_sections:
        raise UnreadableOfficeError(
            f"too many sections in this {kind} (more than {limits.max_sections:,} headings "
            "or slides, each at least one passage to index)"
        )
    size = sum(len(s.text.encode()) + len(" ".join(s.heading_path).encode()) for s in sections)
    if size > limits.max_text_bytes:
        raise UnreadableOfficeError(
            f"too much text in this {kind} ({_mb(size)}; the limit for a document's text is "
            f"{_mb(limits.max_text_bytes)})"
        )
