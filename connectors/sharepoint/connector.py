"""SharePoint / OneDrive document libraries as a source: drive items -> SourceDocument
(mapping only; Graph calls are in client.py, permissions in permissions.py).

A full read is a delta query without a token (every item), which also yields the delta
link to resume from; a sync resumes from each library's delta link, so an unchanged library
costs one Graph request and no embedding, and deleted items come back as ``deleted``
entries. Files are parsed like a folder's (connectors/parsing/files.py); the citation link
is the item's web URL.

Fail closed: a folder whose sharing changed has every file under it read again (Graph's
delta reports only the folder); a file whose content or permissions cannot be read (403,
404, 5xx), or cannot be parsed, is removed from the index and reported, never left serving
its old text and readers, and the source goes on; unreadable items are read again at every
sync (rereads.py) until they read or are gone. A file or folder moved out of the configured
folder (scope.py), or a file renamed to a type we do not read, leaves the index. A library's
failure is its own: an expired delta link (410, 404) reads it from scratch in the same run
(what that read does not list leaves the index); a library Graph refuses or no longer has
(403, 404) leaves the index, is reported, and is read from scratch at the next sync. Only a
failure of the whole source (a rejected token, persistent throttling, no answer) fails the
run, and then nothing advances.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Iterator
from datetime import UTC, datetime
from typing import Any

from connectors.base import ConnectorBatch, FailedDocument
from connectors.errors import DocumentError
from connectors.parsing.files import SUPPORTED_SUFFIXES, file_type
from connectors.settings import FolderLimits
from connectors.sharepoint.client import (
    DELTA_PREFER,
    GraphClient,
    GraphError,
    GraphNotFoundError,
    source_wide,
    status_of,
)
from connectors.sharepoint.config import SETTINGS_KEY, SharePointConfig
from connectors.sharepoint.documents import library_path, read_item
from connectors.sharepoint.folder_readers import FolderReaders, marked_shared
from connectors.sharepoint.permissions import acl_of
from connectors.sharepoint.rereads import Reread, Rereads, library_links
from connectors.sharepoint.scope import FolderScope
from connectors.sharepoint.sites import site_libraries

logger = logging.getLogger(__name__)


class SharePointConnector:
    kind = "sharepoint"

    def __init__(
        self,
        name: str,
        config: SharePointConfig,
        client: GraphClient,
        *,
        limits: FolderLimits | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.name, self.config, self.client = name, config, client
        self.limits = limits or FolderLimits()
        self.now = now
        self.full_refresh_every_s = config.full_refresh_every_s
        self.cursor: dict[str, str] = {}  # drive id -> delta link (+ re-reads), after a read
        self.deleted: set[str] = set()  # to remove: deleted or unreadable items
        self.deleted_prefixes: set[str] = set()  # to remove: every item of a library
        self._batch = ConnectorBatch(documents=[], failed=[])
        self._taken: set[str] = set()  # document ids read in this run (a walk and the delta)
        self._rereads = Rereads()  # what the next sync must read again
        self._folders = FolderReaders()  # the readers of folders Graph marks shared
        self._unlisted: set[str] = set()  # drives with a folder whose files could not be listed
        self._scope = FolderScope(config.folder)  # folders inside `folder`, as last seen

    @property
    def location(self) -> str:
        return ", ".join(self.config.sites)

    def doc_id(self, drive: str, item: str) -> str:
        return f"{self.name}:{drive}:{item}"

    def drives(self) -> list[str]:
        """The configured libraries' drive ids (a failing site is reported: sites.py)."""
        return site_libraries(self.client, self.config, self.name, self._batch.failed)

    def load(self) -> Iterator[ConnectorBatch]:
        """Every item of every library (a delta without a token)."""
        return self.changes({})

    def changes(self, cursor: dict[str, str]) -> Iterator[ConnectorBatch]:
        """What changed since ``cursor`` (drive id -> delta link, plus the items to read again;
        {} = everything). When the iterator is done, ``self.cursor`` holds where to resume and
        ``self.deleted`` / ``deleted_prefixes`` what to remove from the index."""
        self.deleted, self.deleted_prefixes, self._unlisted = set(), set(), set()
        self._taken, self._rereads = set(), Rereads()
        scope = self.config.scope_fingerprint()
        if cursor and cursor.get(SETTINGS_KEY) != scope:  # e.g. a library taken out
            logger.info("SharePoint source %s: its sites, libraries or folder changed: "
                        "reading everything again", self.name)
            cursor = {}
            self.deleted_prefixes.add(f"{self.name}:")  # what is not read again leaves
        self._folders = FolderReaders.from_cursor(cursor)  # a full read ({}) starts afresh
        self._scope = FolderScope.from_cursor(self.config.folder, cursor)
        self._batch = ConnectorBatch(documents=[], failed=[])
        links = library_links(cursor)
        due = Rereads.from_cursor(cursor)
        now = self.now()
        new_cursor: dict[str, str] = {}
        for drive in list(links) if links else self.drives():
            try:
                new_cursor[drive] = yield from self._library(drive, links.get(drive, ""))
            except (GraphError, GraphNotFoundError) as exc:
                if source_wide(exc):
                    raise
                self._withdraw_library(drive, exc)
                new_cursor[drive] = ""  # read from scratch at the next sync
                continue
            for entry in due.due(drive, now):
                yield from self._reread(entry)
        for entry in due.later(now):
            self._rereads.add(entry)
        yield from self._flush(everything=True)
        self.cursor = new_cursor | self._rereads.to_cursor() | self._folders.to_cursor()
        self.cursor |= self._scope.to_cursor() | {SETTINGS_KEY: scope}

    def _library(self, drive: str, link: str) -> Generator[ConnectorBatch, None, str]:
        """One library's changes since ``link`` ("": everything); returns its new delta link.
        A link Graph no longer honours (410 Gone, or 404) means reading it from scratch."""
        if link:
            try:
                return (yield from self._delta(drive, link, resumed=True))
            except (GraphError, GraphNotFoundError) as exc:
                if status_of(exc) not in (404, 410):
                    raise
                logger.info("SharePoint library %s of %s: its delta link is no longer valid "
                            "(%s): reading it from scratch", drive, self.name, status_of(exc))
        # what a read from scratch does not list was deleted meanwhile (a sync's deletions)
        self.deleted_prefixes.add(self.doc_id(drive, ""))
        return (yield from self._delta(drive, f"/drives/{drive}/root/delta", resumed=False))

    def _delta(
        self, drive: str, link: str, *, resumed: bool
    ) -> Generator[ConnectorBatch, None, str]:
        delta = ""
        while link:
            page = self.client.get(link, prefer=DELTA_PREFER)
            for item in page.get("value", []):
                if self._moved_across_folder(drive, item) and resumed:
                    yield from self._walk(drive, item)  # its files: out of the index, or in
                elif not marked_shared(item):
                    self._take(drive, item)
                elif self._readers_changed(drive, item) and resumed:
                    yield from self._walk(drive, item)  # (a full read reads all anyway)
                yield from self._flush()
            link = page.get("@odata.nextLink", "")
            delta = page.get("@odata.deltaLink", delta)
        if drive in self._unlisted:  # every file of the library, each by itself
            yield from self._read_all(drive)
        return str(delta)

    def _withdraw_library(self, drive: str, exc: Exception) -> None:
        """A library Graph refuses or no longer has: every document of it leaves the index."""
        logger.warning("SharePoint library %s of %s could not be read", drive, self.name)
        self.deleted_prefixes.add(self.doc_id(drive, ""))
        self._withdraw(drive, "", f"library {drive}", str(exc))

    def _flush(self, *, everything: bool = False) -> Iterator[ConnectorBatch]:
        batch = self._batch
        size = len(batch.documents) + len(batch.failed)
        if size >= self.config.batch_size or (everything and size):
            self._batch = ConnectorBatch(documents=[], failed=[])
            yield batch

    def _moved_across_folder(self, drive: str, item: dict[str, Any]) -> bool:
        """A folder now on the other side of the ``folder`` setting (scope.py)."""
        if not self.config.folder or "folder" not in item or "deleted" in item:
            return False
        placed = self._placed(drive, item)
        return placed is not None and self._scope.crossed(drive, str(item.get("id", "")),
                                                          library_path(placed))

    def _placed(self, drive: str, item: dict[str, Any]) -> dict[str, Any] | None:
        """The item with its path: delta entries may lack it, Graph's item has it."""
        if "path" in (item.get("parentReference") or {}) or "root" in item:
            return item
        return self._fetch(drive, str(item.get("id", "")), str(item.get("name", "")))

    def _readers_changed(self, drive: str, folder: dict[str, Any]) -> bool:
        """Whether a folder's readers differ from the last ones seen (unknown: they do)."""
        folder_id = str(folder.get("id", ""))
        try:
            granted = self.client.get(f"/drives/{drive}/items/{folder_id}/permissions")
        except (GraphError, GraphNotFoundError) as exc:
            if source_wide(exc):
                raise
            self._folders.forget(drive, folder_id)
            return True
        readers = acl_of(granted.get("value", []), now=self.now())
        return self._folders.changed(drive, folder_id, readers)

    def _walk(self, drive: str, folder: dict[str, Any]) -> Iterator[ConnectorBatch]:
        """A folder whose sharing changed: every file under it is read again (its readers
        may have changed with the folder's; unchanged ones cost no embedding). A folder that
        cannot be listed is reported, and the whole library is read instead."""
        pending = [(str(folder.get("id", "")), library_path(folder))]
        while pending:
            current, where = pending.pop()
            try:
                children = list(self.client.pages(f"/drives/{drive}/items/{current}/children"))
            except (GraphError, GraphNotFoundError) as exc:
                if source_wide(exc):
                    raise
                logger.warning("SharePoint folder %s of %s could not be listed (%s): "
                               "reading the whole library", where, self.name, exc)
                self._batch.failed.append(
                    FailedDocument(self.doc_id(drive, current), where, f"folder: {exc}")
                )
                self._unlisted.add(drive)
                continue
            for child in children:
                if "folder" in child:
                    pending.append((str(child.get("id", "")), library_path(child)))
                    if self.config.folder:
                        self._scope.crossed(drive, str(child.get("id", "")), library_path(child))
                else:
                    self._take(drive, child)
                    yield from self._flush()

    def _read_all(self, drive: str) -> Iterator[ConnectorBatch]:
        """Every file of a library (a delta without a token), read where not read yet."""
        link = f"/drives/{drive}/root/delta"
        while link:
            page = self.client.get(link, prefer=DELTA_PREFER)
            for item in page.get("value", []):
                if "file" in item:
                    self._take(drive, item)
                    yield from self._flush()
            link = page.get("@odata.nextLink", "")

    def _reread(self, entry: Reread) -> Iterator[ConnectorBatch]:
        item = self._fetch(entry.drive, entry.item, entry.item)
        if item is not None:
            self._take(entry.drive, item)
            yield from self._flush()

    def _fetch(self, drive: str, item_id: str, name: str) -> dict[str, Any] | None:
        """The item as Graph has it now; None: gone (removed from the index), or unreadable
        (withdrawn, reported, and read again at the next sync)."""
        try:
            return dict(self.client.get(f"/drives/{drive}/items/{item_id}"))
        except GraphNotFoundError:
            self.deleted.add(self.doc_id(drive, item_id))  # gone since
        except GraphError as exc:
            if source_wide(exc):
                raise
            self._withdraw(drive, item_id, name, str(exc))
            self._rereads.add(Reread(drive, item_id))
        return None

    def _take(self, drive: str, item: dict[str, Any]) -> None:
        item_id = str(item.get("id", ""))
        doc_id = self.doc_id(drive, item_id)
        if "deleted" in item:
            self.deleted.add(doc_id)
            return
        if "file" not in item or doc_id in self._taken:
            return  # folders, the root, notebooks; a file already read in this run
        placed = self._placed(drive, item) if self.config.folder else item
        if placed is None:
            return
        item, path = placed, library_path(placed)
        wanted = file_type(str(item.get("name", ""))) in SUPPORTED_SUFFIXES
        if not wanted or not self._scope.contains(path):
            self.deleted.add(doc_id)  # e.g. moved out of the folder, or renamed to a .png
            return
        self._taken.add(doc_id)
        try:
            read = read_item(self.client, drive, item, doc_id=doc_id, source_name=self.name,
                             limits=self.limits, now=self.now())
            self._batch.documents.append(read.document)
            if read.expires is not None:  # Graph's delta does not report an expiry
                self._rereads.add(Reread(drive, item_id, after=read.expires))
        except DocumentError as exc:  # damaged, too large, empty: until a new version
            self._withdraw(drive, item_id, path, str(exc))
        except (GraphError, GraphNotFoundError) as exc:  # this item: read again next sync
            if source_wide(exc):
                raise
            self._withdraw(drive, item_id, path, str(exc))
            self._rereads.add(Reread(drive, item_id))

    def _withdraw(self, drive: str, item_id: str, path: str, reason: str) -> None:
        """An item we cannot read now leaves the index (never its old content and readers)."""
        logger.info("SharePoint %s of %s removed from the index: %s", path, self.name, reason)
        doc_id = self.doc_id(drive, item_id)
        self._batch.failed.append(FailedDocument(doc_id, path, reason, withdrawn=True))
        self.deleted.add(doc_id)
