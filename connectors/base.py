"""The document model every source produces, and the Connector protocol.

A connector turns one source (a folder, a wiki space, an HR system) into batches of
:class:`SourceDocument`. Documents carry their sections with heading paths and anchors,
which is what lets answers cite "Title › Section" with a link.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, Field


class DocumentACL(BaseModel):
    """Who may see a document. Public documents are visible to everyone."""

    public: bool = True
    users: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)


class Section(BaseModel):
    """A run of text under one heading path, e.g. ["Benefits", "Vacation"]."""

    heading_path: list[str] = Field(default_factory=list)
    text: str
    anchor: str = ""

    @property
    def heading(self) -> str:
        return " > ".join(self.heading_path)


class SourceDocument(BaseModel):
    """One document from a source, ready to chunk and index.

    ``id`` is stable across runs (for folders: derived from the relative path), ``source``
    is what citations show as the document's location (for folders: the path relative to
    the indexed folder), ``content_hash`` decides whether the document must be re-embedded.
    """

    id: str
    title: str
    source: str
    source_name: str
    url: str = ""
    updated_at: datetime | None = None
    # where updated_at comes from: "front matter", "git" (last commit), "file" (mtime) or
    # "" (the source's own record, e.g. Confluence's last edit)
    updated_from: str = ""
    content_hash: str
    acl: DocumentACL = Field(default_factory=DocumentACL)
    labels: list[str] = Field(default_factory=list)
    text: str
    sections: list[Section] = Field(default_factory=list)


@dataclass(frozen=True)
class FailedDocument:
    """A document a connector could not read; reported, never fatal. ``empty`` marks
    documents with nothing to index (not an error, but still reported). ``withdrawn``: its
    previously indexed version is removed too (a source that cannot confirm who may read it
    now, e.g. SharePoint); otherwise the previous version keeps serving."""

    id: str
    source: str
    reason: str
    empty: bool = False
    withdrawn: bool = False


@dataclass
class ConnectorBatch:
    """What a connector yields: documents read, documents that failed, and files it passed
    over because it cannot read their type (their paths, reported in the run's summary)."""

    documents: list[SourceDocument]
    failed: list[FailedDocument]
    unsupported: list[str] = field(default_factory=list)


@runtime_checkable
class Connector(Protocol):
    """A source of documents. ``name`` scopes deletions: documents of this source that
    are no longer listed are removed from the index, documents of other sources are not."""

    name: str

    def load(self) -> Iterator[ConnectorBatch]:
        """Yield every document of the source, in batches."""
        ...


@runtime_checkable
class IncrementalConnector(Connector, Protocol):
    """A source that can list what changed since a moment, and the ids it still holds (what
    is not listed was deleted), so a sync reads only changed documents."""

    full_refresh_every_s: int  # re-read everything this often (catches permission changes)

    def poll(self, since: datetime) -> Iterator[ConnectorBatch]:
        """Yield the documents modified since ``since``."""
        ...

    def list_ids(self) -> set[str]:
        """The ids of every document the source holds now."""
        ...


@runtime_checkable
class DeltaConnector(Connector, Protocol):
    """A source that reports changes from a cursor it hands out (Graph delta links): a sync
    reads only what changed, deletions included, and keeps the new cursor."""

    full_refresh_every_s: int
    cursor: dict[str, str]  # after load() or changes(): where the next sync resumes
    deleted: set[str]  # after changes(): the ids of deleted documents
    # after changes(): id prefixes whose every indexed document is removed unless this sync
    # read it again (a library refused, or read from scratch after its delta link expired)
    deleted_prefixes: set[str]

    def changes(self, cursor: dict[str, str]) -> Iterator[ConnectorBatch]:
        """The documents changed since ``cursor``."""
        ...


def content_hash(*parts: str) -> str:
    """A stable hash of a document's indexed content (text plus what citations show)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()[:32]
