"""The drive items a later sync must read again, kept in the source's cursor beside each
library's delta link (the sync state stores the cursor as it is).

A delta link moves past everything it reported, so an item that could not be read (a 403 or
5xx on its content or permissions) would be forgotten until the weekly full refresh. Instead
it is removed from the index, reported, and listed here: every sync reads it again until it
reads, or Graph says it is gone. A document whose permissions expire (a sharing link with
``expirationDateTime``) is listed with that moment, because Graph's delta does not report an
expiry: the first sync after it re-reads the document's permissions.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

logger = logging.getLogger(__name__)

CURSOR_KEY = "wikibot:reread"  # never a drive id (Graph's drive ids start with "b!")


@dataclass(frozen=True)
class Reread:
    drive: str
    item: str
    after: datetime | None = None  # not before this moment (None: at the next sync)


class Rereads:
    def __init__(self, entries: list[Reread] | None = None) -> None:
        self.entries: dict[tuple[str, str], Reread] = {}
        for entry in entries or []:
            self.add(entry)

    def add(self, entry: Reread) -> None:
        """Keep the earliest moment when an item is listed twice."""
        key = (entry.drive, entry.item)
        known = self.entries.get(key)
        if known is None or _sooner(entry.after, known.after):
            self.entries[key] = entry

    def due(self, drive: str, now: datetime) -> list[Reread]:
        return [
            e for e in self.entries.values()
            if e.drive == drive and (e.after is None or e.after <= now)
        ]

    def later(self, now: datetime) -> list[Reread]:
        return [e for e in self.entries.values() if e.after is not None and e.after > now]

    def to_cursor(self) -> dict[str, str]:
        if not self.entries:
            return {}
        rows = [
            [e.drive, e.item, e.after.isoformat() if e.after else ""]
            for e in sorted(self.entries.values(), key=lambda e: (e.drive, e.item))
        ]
        return {CURSOR_KEY: json.dumps(rows, separators=(",", ":"))}

    @classmethod
    def from_cursor(cls, cursor: dict[str, str]) -> Rereads:
        text = cursor.get(CURSOR_KEY)
        if not text:
            return cls()
        try:
            rows = json.loads(text)
            return cls([
                Reread(str(d), str(i), datetime.fromisoformat(a) if a else None)
                for d, i, a in rows
            ])
        except (ValueError, TypeError):
            # unreadable: the delta links still resume; failed items were removed from the
            # index when they failed, and an expiry is caught by the next full refresh
            logger.warning("unreadable SharePoint re-read list in the sync state: dropped")
            return cls()


def library_links(cursor: dict[str, str]) -> dict[str, str]:
    """The cursor's delta links, drive id -> link (without our own "wikibot:" entries)."""
    return {drive: link for drive, link in cursor.items() if not drive.startswith("wikibot:")}


def _sooner(a: datetime | None, b: datetime | None) -> bool:
    if a is None:
        return b is not None
    return b is not None and a < b
