"""Confluence spaces as a document source: pages -> :class:`SourceDocument` (mapping only;
HTTP lives in ``confluence_client.py``, storage-format parsing in ``confluence_storage.py``).

Permissions: a page is readable by the intersection of its space's read permission, its own
view restrictions and every ancestor's view restrictions (Confluence inherits restrictions
down the page tree). Unrestricted pages in a space readable by all staff are public. A person
is matched by email when Confluence shows it, else as ``confluence:<accountId|username>``;
groups keep their Confluence names (mirror them in WIKIBOT_GROUPS_FILE). Where levels list
different people, only those listed at every level keep access: never wider than Confluence.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from connectors.base import (
    ConnectorBatch,
    DocumentACL,
    FailedDocument,
    SourceDocument,
    content_hash,
)
from connectors.confluence.client import PAGE_EXPAND, ConfluenceClient, ConfluenceError
from connectors.confluence.storage import storage_sections

logger = logging.getLogger(__name__)

Level = tuple[frozenset[str], frozenset[str]]  # users, groups allowed at one level


class ConfluenceConfig(BaseModel):
    """One Confluence source, as written in the sources file."""

    url: str
    deployment: Literal["cloud", "datacenter"] | None = None  # default: from the host name
    email: str | None = None  # Cloud: the account the API token belongs to
    token_env: str
    spaces: list[str] = Field(min_length=1)
    labels: list[str] = Field(default_factory=list)
    ancestor: str | None = None
    space_access: Literal["auto", "public"] = "auto"
    all_staff_groups: list[str] = Field(default_factory=lambda: ["confluence-users", "users"])
    page_size: int = Field(default=25, ge=1, le=100)
    timeout_s: float = Field(default=30.0, gt=0, le=300)
    full_refresh_every_s: int = Field(default=86400, ge=0)  # re-read all (restriction changes)

    @property
    def is_cloud(self) -> bool:
        if self.deployment:
            return self.deployment == "cloud"
        return (self.url.split("://")[-1].split("/")[0]).endswith(".atlassian.net")


class ConfluenceConnector:
    kind = "confluence"

    def __init__(self, name: str, config: ConfluenceConfig, client: ConfluenceClient) -> None:
        self.name = name
        self.config = config
        self.client = client
        self.full_refresh_every_s = config.full_refresh_every_s
        self._ancestors: dict[str, Level | None] = {}
        self._spaces: dict[str, Level | None] = {}

    @property
    def location(self) -> str:
        return f"{self.config.url.rstrip('/')} (spaces {', '.join(self.config.spaces)})"

    def _cql(self, since_minutes: int | None = None) -> str:
        quoted = ", ".join(f'"{s}"' for s in self.config.spaces)
        cql = f"type = page and space in ({quoted})"
        if self.config.labels:
            cql += " and label in (" + ", ".join(f'"{x}"' for x in self.config.labels) + ")"
        if self.config.ancestor:
            cql += f" and ancestor = {self.config.ancestor}"
        if since_minutes is not None:
            cql += f' and lastmodified >= now("-{since_minutes}m")'
        return cql

    def load(self) -> Iterator[ConnectorBatch]:
        """Every page in the configured spaces."""
        return self._pages(self._cql())

    def poll(self, since: datetime) -> Iterator[ConnectorBatch]:
        """Pages modified since ``since`` (relative to the server's clock, with 5 minutes of
        overlap: re-reading a page that did not change costs no embedding)."""
        minutes = math.ceil((datetime.now(UTC) - since).total_seconds() / 60) + 5
        return self._pages(self._cql(since_minutes=max(minutes, 1)))

    def list_ids(self) -> set[str]:
        """The ids of every current page (no bodies): what is not listed was deleted."""
        pages = self.client.search(self._cql(), limit=200)
        return {self.doc_id(str(p["id"])) for p in pages}

    def doc_id(self, page_id: str) -> str:
        return f"{self.name}:{page_id}"

    def _pages(self, cql: str) -> Iterator[ConnectorBatch]:
        batch = ConnectorBatch(documents=[], failed=[])
        for page in self.client.search(cql, expand=PAGE_EXPAND, limit=self.config.page_size):
            page_id = str(page.get("id", ""))
            try:
                doc = self.to_document(page)
            except ConfluenceError:
                raise  # the source as a whole is failing (auth, outage): stop it
            except (KeyError, TypeError, ValueError) as exc:
                reason = f"unreadable page: {type(exc).__name__}: {exc}"
                batch.failed.append(FailedDocument(self.doc_id(page_id), _where(page), reason))
            else:
                if doc is None:
                    batch.failed.append(
                        FailedDocument(self.doc_id(page_id), _where(page), "no text", empty=True)
                    )
                else:
                    batch.documents.append(doc)
            if len(batch.documents) + len(batch.failed) >= self.config.page_size:
                yield batch
                batch = ConnectorBatch(documents=[], failed=[])
        if batch.documents or batch.failed:
            yield batch

    def to_document(self, page: dict[str, Any]) -> SourceDocument | None:
        page_id = str(page["id"])
        title = str(page["title"])
        space_key = str((page.get("space") or {}).get("key", ""))
        ancestors = page.get("ancestors") or []
        breadcrumb = [str(a.get("title", "")) for a in ancestors if a.get("title")]
        storage = str(page["body"]["storage"]["value"])
        sections = storage_sections(storage, title=title, breadcrumb=breadcrumb)
        if not any(s.text.strip() for s in sections):
            return None
        webui = str((page.get("_links") or {}).get("webui", ""))
        url = self.config.url.rstrip("/") + webui if webui else self.config.url
        labels = sorted(
            str(label.get("name", ""))
            for label in ((page.get("metadata") or {}).get("labels") or {}).get("results", [])
        )
        acl = self.acl_for(page, space_key, [str(a["id"]) for a in ancestors if "id" in a])
        when = (page.get("version") or {}).get("when")
        updated = datetime.fromisoformat(when.replace("Z", "+00:00")) if when else None
        return SourceDocument(
            id=self.doc_id(page_id),
            title=title,
            source="/".join([space_key, *breadcrumb, title]),
            source_name=self.name,
            url=url,
            updated_at=updated,
            content_hash=content_hash(
                title,
                url,
                acl.model_dump_json(),
                ",".join(labels),
                *(f"{s.heading}\x01{s.text}" for s in sections),
            ),
            acl=acl,
            labels=labels,
            text="\n\n".join(s.text for s in sections),
            sections=sections,
        )

    def acl_for(self, page: dict[str, Any], space_key: str, ancestor_ids: list[str]) -> DocumentACL:
        levels = [self._space_level(space_key)]
        own = ((page.get("restrictions") or {}).get("read") or {}).get("restrictions") or {}
        levels.append(_level(own))
        levels.extend(self._ancestor_level(a) for a in ancestor_ids)
        restricted = [lv for lv in levels if lv is not None]
        if not restricted:
            return DocumentACL(public=True)
        users = frozenset.intersection(*(u for u, _ in restricted))
        groups = frozenset.intersection(*(g for _, g in restricted))
        return DocumentACL(public=False, users=sorted(users), groups=sorted(groups))

    def _ancestor_level(self, page_id: str) -> Level | None:
        if page_id not in self._ancestors:
            data = self.client.read_restrictions(page_id)
            self._ancestors[page_id] = _level(data.get("restrictions") or {})
        return self._ancestors[page_id]

    def _space_level(self, key: str) -> Level | None:
        if self.config.space_access == "public" or not key:
            return None
        if key not in self._spaces:
            self._spaces[key] = self._read_space_permissions(key)
        return self._spaces[key]

    def _read_space_permissions(self, key: str) -> Level | None:
        permissions = self.client.space(key).get("permissions")
        if not permissions:
            raise ConfluenceError(
                f"cannot read the permissions of space {key}: give the account space-admin "
                "rights, or set space_access: public for a space every employee may read"
            )
        users: set[str] = set()
        groups: set[str] = set()
        for permission in permissions:
            operation = permission.get("operation") or {}
            if (operation.get("operation"), operation.get("targetType")) != ("read", "space"):
                continue
            if permission.get("anonymousAccess"):
                return None
            level = _level(permission.get("subjects") or {})
            if level:
                users |= level[0]
                groups |= level[1]
        if groups & set(self.config.all_staff_groups):
            return None
        return frozenset(users), frozenset(groups)


def _level(subjects: dict[str, Any]) -> Level | None:
    """The users and groups one restriction (or permission) lists; None: unrestricted."""
    users = frozenset(
        _person(u) for u in (subjects.get("user") or {}).get("results", []) if _person(u)
    )
    groups = frozenset(
        str(g["name"]) for g in (subjects.get("group") or {}).get("results", []) if g.get("name")
    )
    return (users, groups) if users or groups else None


def _person(user: dict[str, Any]) -> str:
    email = str(user.get("email") or "").strip().lower()
    if email:
        return email
    ident = user.get("accountId") or user.get("username") or user.get("userKey")
    return f"confluence:{ident}" if ident else ""


def _where(page: dict[str, Any]) -> str:
    space = (page.get("space") or {}).get("key", "?")
    return f"{space}/{page.get('title', page.get('id', '?'))}"
