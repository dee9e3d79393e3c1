"""A folder of Markdown, HTML, plain text, PDF, Word, PowerPoint and OpenDocument files as a
document source.

Ids are stable: ``<source name>:<path relative to the folder>``. A file that cannot be
read (binary, empty, too large, invalid UTF-8, damaged PDF, unreadable front matter, a
symbolic link, a file name that is not UTF-8) is reported as failed and skipped; it never
aborts the run. A broken ``.wikibot-acl.yaml`` fails this folder (when it is read), never
the other sources of the run.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from connectors.access_rules import AccessRuleError, AccessRules
from connectors.base import ConnectorBatch, FailedDocument, SourceDocument, content_hash
from connectors.git_dates import last_commit_dates
from connectors.parsing.files import (
    BINARY_SUFFIXES,
    SUPPORTED_SUFFIXES,
    EmptyDocumentError,
    UnreadableFileError,
    file_type,
    parse_file,
)
from connectors.parsing.office import UnreadableOfficeError
from connectors.parsing.pdf import UnreadablePdfError
from connectors.settings import FolderLimits
from connectors.site_urls import UrlStyle, site_url

logger = logging.getLogger(__name__)


def name_for_folder(path: Path) -> str:
    """The source name of a folder indexed without one: its own name as a source name
    (``My Docs`` -> ``My-Docs``); `wikibot index PATH` and WIKIBOT_SOURCES agree on it."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.resolve().name).strip("-._")[:64]
    return slug or "folder"


class FolderConnector:
    """Reads every supported file under ``root`` (hidden files and folders excluded)."""

    kind = "folder"

    def __init__(
        self,
        root: Path,
        *,
        name: str | None = None,
        base_url: str | None = None,
        url_style: UrlStyle = "keep-extension",
        url_template: str | None = None,
        limits: FolderLimits | None = None,
        batch_size: int = 32,
    ) -> None:
        self.root = root.resolve()
        if not self.root.is_dir():
            raise NotADirectoryError(f"not a folder: {root}")
        self.name = name or name_for_folder(self.root)
        self.base_url = base_url.rstrip("/") + "/" if base_url else None
        self.url_style: UrlStyle = url_style
        self.url_template = url_template
        self.limits = limits or FolderLimits()
        self.batch_size = batch_size
        self._access: AccessRules | None = None
        self._git_dates: dict[str, datetime] | None = None

    @property
    def location(self) -> str:
        """What this source reads, as `wikibot sources` shows it and name clashes compare."""
        return str(self.root)

    @property
    def access(self) -> AccessRules:
        """The rules file, read on first use: a bad one fails this folder's run only."""
        if self._access is None:
            self._access = AccessRules.load(self.root)
        return self._access

    def files(self) -> list[Path]:
        """The files to read: supported types, hidden ones and WIKIBOT_FOLDER_LIMITS__SKIP_FILES
        excluded."""
        return self._listing()[0]

    def _listing(self) -> tuple[list[Path], list[Path]]:
        """(files to read, files of a type no parser reads); hidden files and folders and
        skipped names are in neither."""
        found: list[Path] = []
        unsupported: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(self.root):  # links to folders not followed
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_site")))
            for filename in sorted(filenames):
                path = Path(dirpath) / filename
                if filename.startswith("."):
                    continue
                if self._skipped_name(filename):
                    logger.info("not indexed (WIKIBOT_FOLDER_LIMITS__SKIP_FILES): %s", path)
                elif file_type(path.name) in SUPPORTED_SUFFIXES:
                    found.append(path)
                else:
                    logger.info("not indexed (no parser for this type): %s", path)
                    unsupported.append(path)
        return found, unsupported

    def _skipped_name(self, filename: str) -> bool:
        lowered = filename.lower()
        return any(fnmatch.fnmatchcase(lowered, p.lower()) for p in self.limits.skip_files)

    def _last_commit(self, relative: str) -> datetime | None:
        if self._git_dates is None:
            self._git_dates = last_commit_dates(self.root)
        return self._git_dates.get(relative)

    def load(self) -> Iterator[ConnectorBatch]:
        self.access  # noqa: B018 - a broken rules file fails the folder before anything is read
        readable, unsupported = self._listing()
        batch = ConnectorBatch(documents=[], failed=[])
        batch.unsupported = [_printable(p.relative_to(self.root).as_posix()) for p in unsupported]
        for path in readable:
            relative = _printable(path.relative_to(self.root).as_posix())
            try:
                batch.documents.append(self.read(path))
            except Exception as exc:  # one bad file is one reported failure, never the run's
                known = (
                    UnreadableFileError,
                    UnreadablePdfError,
                    UnreadableOfficeError,
                    AccessRuleError,
                    OSError,
                )
                reason = str(exc) if isinstance(exc, known) else f"cannot be read ({exc!r})"
                empty = isinstance(exc, EmptyDocumentError)
                logger.info("skipped %s: %s", relative, reason)
                batch.failed.append(
                    FailedDocument(self.doc_id(relative), relative, reason, empty=empty)
                )
            if len(batch.documents) + len(batch.failed) >= self.batch_size:
                yield batch
                batch = ConnectorBatch(documents=[], failed=[])
        if batch.documents or batch.failed or batch.unsupported:
            yield batch

    def doc_id(self, relative: str) -> str:
        return f"{self.name}:{relative}"

    def read(self, path: Path) -> SourceDocument:
        if path.is_symlink():
            raise UnreadableFileError(
                "a symbolic link: links are not followed (they could point outside the folder)"
            )
        path = path.parent.resolve() / path.name  # folders resolved, the file itself is not
        relative = path.relative_to(self.root).as_posix()
        if _printable(relative) != relative:
            raise UnreadableFileError("the file name is not valid UTF-8; rename the file")
        suffix = file_type(path.name)
        size = path.stat().st_size
        binary = suffix in BINARY_SUFFIXES
        limit = self.limits.max_pdf_bytes if binary else self.limits.max_text_bytes
        if size == 0:
            raise EmptyDocumentError("empty file")
        if size > limit:
            raise UnreadableFileError(
                f"too large ({size / 1e6:.1f} MB; the limit for this type is {limit / 1e6:.1f} MB)"
            )
        parsed = parse_file(
            path.name,
            path.read_bytes(),
            fallback=relative,
            max_text_bytes=self.limits.max_text_bytes,
        )
        title, sections, front_matter = parsed.title, parsed.sections, parsed.front_matter

        url = str(front_matter.get("url") or front_matter.get("permalink") or "")
        if url and self.base_url and url.startswith("/"):
            url = self.base_url + url.lstrip("/")
        if not url and (self.base_url or self.url_template):
            url = site_url(
                relative, self.base_url or "", style=self.url_style, template=self.url_template
            )
        url = url or path.as_uri()
        updated_at, updated_from = _front_matter_date(front_matter), "front matter"
        if updated_at is None:
            updated_at, updated_from = self._last_commit(relative), "git"
        if updated_at is None:
            updated_at = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
            updated_from = "file"
        full_text = "\n\n".join(s.text for s in sections)
        acl = self.access.acl_for(relative, front_matter)
        return SourceDocument(
            id=self.doc_id(relative),
            title=title,
            source=relative,
            source_name=self.name,
            url=url,
            updated_at=updated_at,
            updated_from=updated_from,
            # the ACL is part of the hash: a permission change re-indexes the document
            content_hash=content_hash(
                title,
                url,
                acl.model_dump_json(),
                *(f"{s.heading}\x01{s.anchor}\x01{s.text}" for s in sections),
            ),
            acl=acl,
            text=full_text,
            sections=sections,
        )


def _printable(name: str) -> str:
    """``name`` with undecodable bytes (surrogate escapes from the file system) replaced."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


# front-matter keys for "this page was last changed/reviewed on", most specific first
DATE_KEYS = ("last_reviewed_on", "updated_at", "last_updated", "last_modified", "updated", "date")


def _front_matter_date(front_matter: dict[str, Any]) -> datetime | None:
    for key in DATE_KEYS:
        value = front_matter.get(key)
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                continue
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None
