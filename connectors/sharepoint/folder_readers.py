"""Who could read each folder Graph marks with a ``shared`` facet, as last seen; kept in the
source's cursor beside the delta links.

With ``Prefer: hierarchicalsharing`` Graph puts that facet on the roots of permission
hierarchies (a folder with its own permissions, the library root) and on folders whose
sharing changed, and such a folder also reappears in a delta as the parent of any changed
file. Reading every file under it each time would cost a download per file; instead its
permissions are read (one request) and its files re-read only when its readers differ from
the last time, or were never seen.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from connectors.base import DocumentACL

logger = logging.getLogger(__name__)

CURSOR_KEY = "wikibot:folders"


class FolderReaders:
    def __init__(self, known: dict[str, str] | None = None) -> None:
        self.known = dict(known or {})  # "drive/folder" -> fingerprint of its readers

    def changed(self, drive: str, folder: str, readers: DocumentACL) -> bool:
        """Record the folder's readers; whether they differ from the last ones (or are new)."""
        key = f"{drive}/{folder}"
        fingerprint = hashlib.sha256(readers.model_dump_json().encode()).hexdigest()[:16]
        before, self.known[key] = self.known.get(key), fingerprint
        return before != fingerprint

    def forget(self, drive: str, folder: str) -> None:
        self.known.pop(f"{drive}/{folder}", None)

    def to_cursor(self) -> dict[str, str]:
        if not self.known:
            return {}
        return {CURSOR_KEY: json.dumps(self.known, sort_keys=True, separators=(",", ":"))}

    @classmethod
    def from_cursor(cls, cursor: dict[str, str]) -> FolderReaders:
        text = cursor.get(CURSOR_KEY)
        if not text:
            return cls()
        try:
            known = json.loads(text)
            return cls({str(k): str(v) for k, v in dict(known).items()})
        except (ValueError, TypeError):  # unknown readers: each marked folder is walked again
            logger.warning("unreadable SharePoint folder readers in the sync state: dropped")
            return cls()


def marked_shared(item: dict[str, Any]) -> bool:
    """A folder (or the library root) whose sharing may have changed: Graph marks it with a
    ``shared`` facet (empty when sharing was removed) or the sharedChanged annotation."""
    if "folder" not in item or "deleted" in item:
        return False
    return "shared" in item or "@microsoft.graph.sharedChanged" in item
