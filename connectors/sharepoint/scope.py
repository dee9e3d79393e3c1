"""Which folders of each library lie inside the source's ``folder`` setting, as last seen;
kept in the source's cursor beside the delta links.

Graph's delta reports a moved or renamed folder, never the files under it (their ids do not
change), so a folder moved out of ``folder: Public`` would leave its files indexed with their
old text and readers until the full refresh, and one moved in would not be read. A folder
whose side changed since the last read (inside -> outside or back) is walked instead: its
files leave the index, or are read. Delta entries may also come without
``parentReference.path`` (Graph's documentation says they do); the connector then asks Graph
for the item, which carries it.
"""

from __future__ import annotations

import json
import logging

logger = logging.getLogger(__name__)

CURSOR_KEY = "wikibot:scope"


class FolderScope:
    def __init__(self, folder: str, inside: set[str] | None = None) -> None:
        self.folder = folder.strip("/")
        self.known = set(inside or ())  # "drive/folder id" of folders last seen inside

    def contains(self, path: str) -> bool:
        """Whether a file at ``path`` is under the configured folder."""
        return not self.folder or path.startswith(self.folder + "/")

    def crossed(self, drive: str, folder_id: str, path: str) -> bool:
        """Record the folder's side; whether it differs from the last one seen (a folder
        never seen counts as outside before)."""
        key, now = f"{drive}/{folder_id}", path == self.folder or self.contains(path)
        before = key in self.known
        if now:
            self.known.add(key)
        else:
            self.known.discard(key)
        return before != now

    def to_cursor(self) -> dict[str, str]:
        if not self.folder or not self.known:
            return {}
        return {CURSOR_KEY: json.dumps(sorted(self.known), separators=(",", ":"))}

    @classmethod
    def from_cursor(cls, folder: str, cursor: dict[str, str]) -> FolderScope:
        text = cursor.get(CURSOR_KEY)
        if not text or not folder.strip("/"):
            return cls(folder)
        try:
            return cls(folder, {str(k) for k in json.loads(text)})
        except (ValueError, TypeError):  # unknown: every folder inside is walked once
            logger.warning("unreadable SharePoint folder scope in the sync state: dropped")
            return cls(folder)
