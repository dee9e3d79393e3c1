"""SharePoint / OneDrive document libraries as a source: drive items -> SourceDocument
(mapping only; Graph calls are in client.py, permissions in permissions.py).

A full read is a delta query without a token (every item), which also yields the delta
link to resume from; a sync resumes from each library's delta link, so an unchanged library
costs one Graph request and no embedding, and deleted items come back as ``deleted``
entries. Files are parsed like a folder's (connectors/parsing/files.py); the citation link
is the item's web URL. A file that cannot be read is reported and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from pydantic import BaseModel, Field

from connectors.base import ConnectorBatch, FailedDocument, SourceDocument, content_hash
from connectors.errors import DocumentError, SourceConfigError
from connectors.parsing.files import BINARY_SUFFIXES, SUPPORTED_SUFFIXES, file_type, parse_file
from connectors.settings import FolderLimits
from connectors.sharepoint.client import DELTA_PREFER, GraphClient
from connectors.sharepoint.permissions import acl_of

logger = logging.getLogger(__name__)


class SharePointConfig(BaseModel):
    tenant_id: str
    client_id: str
    client_secret_env: str | None = None  # the NAME of the variable holding the client secret
    # or a certificate: a PEM file with the private key and the certificate (uploaded to the
    # app registration); Microsoft recommends certificates over secrets for app-only access
    certificate_path: str | None = None
    sites: list[str] = Field(min_length=1)  # "acme.sharepoint.com:/sites/hr", or site ids
    libraries: list[str] = Field(default_factory=list)  # drive names; empty: all of them
    folder: str = ""  # only items under this folder of each library
    graph_url: str = "https://graph.microsoft.com/v1.0"
    login_url: str = "https://login.microsoftonline.com"
    ca_bundle: str | None = None  # a CA file for proxies that inspect TLS
    timeout_s: float = Field(default=30.0, gt=0, le=300)
    full_refresh_every_s: int = Field(default=7 * 86400, ge=0)
    batch_size: int = Field(default=16, ge=1, le=200)


class SharePointConnector:
    kind = "sharepoint"

    def __init__(
        self,
        name: str,
        config: SharePointConfig,
        client: GraphClient,
        *,
        limits: FolderLimits | None = None,
    ) -> None:
        self.name, self.config, self.client = name, config, client
        self.limits = limits or FolderLimits()
        self.full_refresh_every_s = config.full_refresh_every_s
        self.cursor: dict[str, str] = {}  # drive id -> delta link, after a read
        self.deleted: set[str] = set()  # document ids a delta reported deleted

    @property
    def location(self) -> str:
        return ", ".join(self.config.sites)

    def doc_id(self, drive: str, item: str) -> str:
        return f"{self.name}:{drive}:{item}"

    def drives(self) -> list[str]:
        found = []
        for site in self.config.sites:
            site_id = self.client.get(f"/sites/{site}")["id"]
            for drive in self.client.get(f"/sites/{site_id}/drives").get("value", []):
                if not self.config.libraries or drive.get("name") in self.config.libraries:
                    found.append(str(drive["id"]))
        return found

    def load(self) -> Iterator[ConnectorBatch]:
        """Every item of every library (a delta without a token)."""
        return self.changes({})

    def changes(self, cursor: dict[str, str]) -> Iterator[ConnectorBatch]:
        """What changed since ``cursor`` (drive id -> delta link; {} = everything). When the
        iterator is done, ``self.cursor`` holds the links to resume from and ``self.deleted``
        the ids of deleted items."""
        self.deleted = set()
        drives = list(cursor) if cursor else self.drives()
        new_cursor: dict[str, str] = {}
        for drive in drives:
            link = cursor.get(drive) or f"/drives/{drive}/root/delta"
            batch = ConnectorBatch(documents=[], failed=[])
            while link:
                page = self.client.get(link, prefer=DELTA_PREFER)
                for item in page.get("value", []):
                    self._take(drive, item, batch)
                    if len(batch.documents) + len(batch.failed) >= self.config.batch_size:
                        yield batch
                        batch = ConnectorBatch(documents=[], failed=[])
                link = page.get("@odata.nextLink", "")
                if "@odata.deltaLink" in page:
                    new_cursor[drive] = page["@odata.deltaLink"]
            if batch.documents or batch.failed:
                yield batch
        self.cursor = new_cursor

    def _take(self, drive: str, item: dict[str, Any], batch: ConnectorBatch) -> None:
        item_id = str(item.get("id", ""))
        if "deleted" in item:
            self.deleted.add(self.doc_id(drive, item_id))
            return
        if "file" not in item:
            return  # folders, the root, notebooks
        path = _library_path(item)
        if self.config.folder and not path.startswith(self.config.folder.strip("/") + "/"):
            return
        if file_type(str(item.get("name", ""))) not in SUPPORTED_SUFFIXES:
            return
        try:
            batch.documents.append(self.to_document(drive, item, path))
        except (DocumentError, SourceConfigError) as exc:  # e.g. deleted since the delta
            logger.info("skipped %s: %s", path, exc)
            batch.failed.append(FailedDocument(self.doc_id(drive, item_id), path, str(exc)))

    def to_document(self, drive: str, item: dict[str, Any], path: str) -> SourceDocument:
        name = str(item["name"])
        limit = (
            self.limits.max_pdf_bytes
            if file_type(name) in BINARY_SUFFIXES
            else self.limits.max_text_bytes
        )
        size = int(item.get("size") or 0)
        if size > limit:
            raise DocumentError(
                f"too large ({size / 1e6:.1f} MB; the limit is {limit / 1e6:.1f} MB)"
            )
        item_id = str(item["id"])
        data = self.client.get(f"/drives/{drive}/items/{item_id}/content", raw=True)
        parsed = parse_file(name, data, fallback=path)
        permissions = self.client.get(f"/drives/{drive}/items/{item_id}/permissions")
        acl = acl_of(permissions.get("value", []))
        url = str(item.get("webUrl", ""))
        modified = item.get("lastModifiedDateTime")
        updated = datetime.fromisoformat(modified.replace("Z", "+00:00")) if modified else None
        sections = parsed.sections
        return SourceDocument(
            id=self.doc_id(drive, item_id),
            title=parsed.title,
            source=path,
            source_name=self.name,
            url=url,
            updated_at=updated,
            content_hash=content_hash(
                parsed.title,
                url,
                acl.model_dump_json(),
                *(f"{s.heading}\x01{s.anchor}\x01{s.text}" for s in sections),
            ),
            acl=acl,
            text="\n\n".join(s.text for s in sections),
            sections=sections,
        )


def _library_path(item: dict[str, Any]) -> str:
    """``Policies/travel.docx``: the item's path inside its library."""
    parent = str((item.get("parentReference") or {}).get("path", ""))
    folder = unquote(parent.split("root:", 1)[1]).strip("/") if "root:" in parent else ""
    return f"{folder}/{item['name']}" if folder else str(item["name"])
