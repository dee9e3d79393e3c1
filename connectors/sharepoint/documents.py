"""One SharePoint file -> a SourceDocument: its size checked against the source's limits,
its permissions read (readers, and when a sharing link next expires), its content downloaded
and parsed like a folder's file, and its ``access:`` front matter applied.

The same rule for every format and every source (docs/permissions.md): restriction-like
metadata other than a top-level ``access:`` already fails the file when it is parsed
(connectors/parsing/metadata.py). ``access:`` can only narrow what SharePoint allows, never
widen it:

* ``access: public`` keeps SharePoint's readers;
* a valid restriction on a file SharePoint shares org-wide gives the front matter's readers
  (everyone intersected with them);
* a restriction on a file SharePoint already limits to some people fails the file (skipped,
  reported, removed from the index): the intersection of two reader lists cannot be written
  as one without knowing who is in each group, and taking either list alone could widen one
  of them;
* a malformed ``access:`` fails the file, as in a folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from connectors.access_rules import AccessRuleError, access_from_front_matter
from connectors.base import DocumentACL, SourceDocument, content_hash
from connectors.errors import DocumentError
from connectors.parsing.files import BINARY_SUFFIXES, file_type, parse_file
from connectors.settings import FolderLimits
from connectors.sharepoint.client import GraphClient
from connectors.sharepoint.permissions import acl_of, expires_at


class FrontMatterAccessError(DocumentError):
    """``access:`` front matter that cannot be applied to the file's SharePoint readers."""


@dataclass(frozen=True)
class ReadItem:
    document: SourceDocument
    expires: datetime | None  # when a granting permission expires (read the item again then)


def read_item(
    client: GraphClient,
    drive: str,
    item: dict[str, Any],
    *,
    doc_id: str,
    source_name: str,
    limits: FolderLimits,
    now: datetime,
) -> ReadItem:
    """Raises DocumentError (the file itself) or GraphError/GraphNotFoundError (Graph)."""
    name, path = str(item["name"]), library_path(item)
    limit = limits.max_pdf_bytes if file_type(name) in BINARY_SUFFIXES else limits.max_text_bytes
    size = int(item.get("size") or 0)
    if size > limit:
        raise DocumentError(f"too large ({size / 1e6:.1f} MB; the limit is {limit / 1e6:.1f} MB)")
    item_id = str(item["id"])
    granted = client.get(f"/drives/{drive}/items/{item_id}/permissions").get("value", [])
    data = client.get(f"/drives/{drive}/items/{item_id}/content", raw=True)
    parsed = parse_file(name, data, fallback=path, max_text_bytes=limits.max_text_bytes)
    acl = with_front_matter(acl_of(granted, now=now), parsed.front_matter)
    url = str(item.get("webUrl", ""))
    modified = item.get("lastModifiedDateTime")
    updated = datetime.fromisoformat(modified.replace("Z", "+00:00")) if modified else None
    sections = parsed.sections
    document = SourceDocument(
        id=doc_id,
        title=parsed.title,
        source=path,
        source_name=source_name,
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
    return ReadItem(document, expires_at(granted, now=now))


def with_front_matter(readers: DocumentACL, front_matter: dict[str, Any]) -> DocumentACL:
    """SharePoint's readers narrowed by the file's ``access:`` front matter (module doc)."""
    if "access" not in front_matter:
        return readers
    try:
        stated = access_from_front_matter(front_matter["access"])
    except AccessRuleError as exc:
        raise FrontMatterAccessError(str(exc)) from None
    if stated.public:
        return readers
    if readers.public:
        return stated
    raise FrontMatterAccessError(
        "front matter access: restricts a file that SharePoint shares with specific people "
        "or groups only; its readers cannot be combined: set who may read it in SharePoint "
        "(or share it org-wide and keep access:)"
    )


def library_path(item: dict[str, Any]) -> str:
    """``Policies/travel.docx``: the item's path inside its library."""
    parent = str((item.get("parentReference") or {}).get("path", ""))
    folder = unquote(parent.split("root:", 1)[1]).strip("/") if "root:" in parent else ""
    return f"{folder}/{item['name']}" if folder else str(item["name"])
