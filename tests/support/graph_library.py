"""A document library the Graph stand-in serves ("Documents", drive-1, and any added): files
in folders, permissions (a file's own, or inherited from its nearest folder with its own, or
the library root's), and the change log behind ``/root/delta``, with Graph's Prefer semantics:

* sharing-only changes are reported only with ``deltashowsharingchanges``; a file then
  carries ``@microsoft.graph.sharedChanged``, a folder only a ``shared`` facet (empty when
  its sharing was removed), and a folder's change is reported for the folder alone, never
  for the files that inherit from it (as Graph does);
* changes to files behind a permission gap (``behind_gap``) are reported only with
  ``deltatraversepermissiongaps``;
* the library root and the folders above a changed file are listed before it, as Graph
  does; with ``hierarchicalsharing`` the roots of permission hierarchies (the library root,
  folders with their own permissions) carry a ``shared`` facet wherever they are listed;
* a move or rename is reported as a change of the file, at its new place; a folder's move
  reports the folder alone; ``paths_in_delta = False`` leaves ``parentReference.path`` out of
  delta entries, as Graph's documentation says it does (items and children carry it);
* ``fault`` makes every request to the library answer that status (403: the app lost access,
  404: the library was deleted); ``expire_tokens()`` makes the delta links handed out so far
  answer 410 Gone (``resyncRequired``), as Graph does when it cannot list changes since a
  token: the client must read the library again from scratch.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

EVERYONE = {"id": "p-org", "roles": ["read"], "link": {"scope": "organization", "type": "view"}}
SITE = "https://acme.sharepoint.com/sites/hr/Shared%20Documents"


@dataclass
class Item:
    id: str
    name: str
    content: bytes
    folder: str = ""  # path inside the library, "" for its root
    # its own permissions; None: inherited from its folder (Graph lists them as the item's)
    permissions: list[dict[str, Any]] | None = field(default_factory=lambda: [dict(EVERYONE)])
    version: int = 0  # the change number that last touched it
    modified: str = "2026-03-01T10:00:00Z"
    shared_version: int = 0  # the change number of its last sharing change
    behind_gap: bool = False  # its changes reach delta only with deltatraversepermissiongaps
    fault: int = 0  # the HTTP status its content and permissions answer (0: none)


@dataclass
class Folder:
    id: str
    path: str
    permissions: list[dict[str, Any]] | None = None  # None: inherited
    version: int = 0
    shared_version: int = 0
    fault: int = 0  # the HTTP status listing its children answers (0: none)


class Library:
    def __init__(self, drive: str = "drive-1", name: str = "Documents") -> None:
        self.drive, self.name = drive, name
        self.site_url = SITE if name == "Documents" else f"{SITE.rpartition('/')[0]}/{name}"
        self.fault = 0  # the HTTP status every request to this library answers (0: none)
        self.expired_below = 0  # delta tokens below this change number answer 410 Gone
        self.paths_in_delta = True  # False: delta entries without parentReference.path
        self.items: dict[str, Item] = {}
        self.deleted: dict[str, int] = {}  # item id -> change number of its deletion
        self.folders: dict[str, Folder] = {}  # path -> folder
        self.root_permissions: list[dict[str, Any]] = [dict(EVERYONE)]
        self.change = 1
        self.lock = threading.Lock()

    # -- changes -----------------------------------------------------------------
    def put(self, item: Item) -> Item:
        with self.lock:
            self.change += 1
            item.version = self.change
            self.items[item.id] = item
            self._folders_of(item.folder)
        return item

    def edit(self, item_id: str, content: bytes) -> None:
        with self.lock:
            self.change += 1
            self.items[item_id].content, self.items[item_id].version = content, self.change

    def share(self, item_id: str, permissions: list[dict[str, Any]] | None) -> None:
        with self.lock:
            self.change += 1
            item = self.items[item_id]
            item.permissions, item.shared_version = permissions, self.change

    def share_folder(self, path: str, permissions: list[dict[str, Any]] | None) -> None:
        with self.lock:
            self.change += 1
            folder = self._folders_of(path)
            folder.permissions, folder.shared_version = permissions, self.change

    def move(self, item_id: str, folder: str, name: str | None = None) -> None:
        """A move to another folder (and/or a rename): delta reports the file at its new place."""
        with self.lock:
            self.change += 1
            item = self.items[item_id]
            item.folder, item.name, item.version = folder, name or item.name, self.change
            self._folders_of(folder)

    def move_folder(self, path: str, new_path: str) -> None:
        """A folder moved or renamed, with everything under it (ids unchanged): delta reports
        the folder alone, never the files under it (as Graph does)."""
        with self.lock:
            self.change += 1
            under = [p for p in self.folders if p == path or p.startswith(path + "/")]
            for old in under:
                folder = self.folders.pop(old)
                folder.path = new_path + old[len(path):]
                self.folders[folder.path] = folder
            self.folders[new_path].version = self.change
            for item in self.items.values():
                if item.folder == path or item.folder.startswith(path + "/"):
                    item.folder = new_path + item.folder[len(path):]
            self._folders_of(new_path)

    def expire_tokens(self) -> None:
        """Every delta link handed out so far expires (Graph answers 410 resyncRequired)."""
        with self.lock:
            self.change += 1
            self.expired_below = self.change

    def delete(self, item_id: str) -> None:
        with self.lock:
            self.change += 1
            del self.items[item_id]
            self.deleted[item_id] = self.change

    def _folders_of(self, path: str) -> Folder:
        """The folder at ``path`` and those above it, made when first needed."""
        parts = [p for p in path.split("/") if p]
        folder = None
        for depth in range(1, len(parts) + 1):
            here = "/".join(parts[:depth])
            if here not in self.folders:
                folder_id = "fld-" + re.sub(r"[^A-Za-z0-9]", "-", here)  # URL-safe, as Graph's
                self.folders[here] = Folder(folder_id, here, version=self.change)
            folder = self.folders[here]
        return folder or Folder("root", "")

    # -- reads ---------------------------------------------------------------------
    def permissions_of(self, item: Item | Folder) -> list[dict[str, Any]]:
        if item.permissions is not None:
            return item.permissions
        where = item.folder if isinstance(item, Item) else item.path.rpartition("/")[0]
        parts = [p for p in where.split("/") if p]
        for depth in range(len(parts), 0, -1):
            folder = self.folders.get("/".join(parts[:depth]))
            if folder and folder.permissions is not None:
                return folder.permissions
        return self.root_permissions

    def find(self, item_id: str) -> Item | Folder | None:
        if item_id == "root":
            return Folder("root", "", self.root_permissions)
        if item_id in self.items:
            return self.items[item_id]
        return next((f for f in self.folders.values() if f.id == item_id), None)

    def delta(self, since: int, prefer: set[str]) -> tuple[list[dict[str, Any]], int]:
        """The changes after change number ``since`` (0: everything), and the current one."""
        sharing = "deltashowsharingchanges" in prefer
        gaps = "deltatraversepermissiongaps" in prefer
        marked = "hierarchicalsharing" in prefer
        with self.lock:
            files: list[dict[str, Any]] = []
            folders: dict[str, dict[str, Any]] = {}
            for item in sorted(self.items.values(), key=lambda i: max(i.version,
                                                                       i.shared_version)):
                edited = item.version > since
                reshared = sharing and item.shared_version > since
                if since and item.behind_gap and not gaps:
                    continue
                if since == 0 or edited or reshared:
                    entry = self.file_json(item)
                    if since and reshared:
                        entry["@microsoft.graph.sharedChanged"] = "True"
                    files.append(entry)
                    for path in _above(item.folder):
                        folders.setdefault(path, self.folder_json(self.folders[path]))
            for folder in self.folders.values():
                if since == 0 or folder.version > since or (
                    sharing and folder.shared_version > since
                ):
                    entry = self.folder_json(folder)
                    if since and sharing and folder.shared_version > since:
                        entry["shared"] = {"scope": "users"} if folder.permissions else {}
                    folders[folder.path] = entry
            for path, entry in folders.items():
                if marked and self.folders[path].permissions is not None:
                    entry.setdefault("shared", {"scope": "users"})
            gone = [
                {"id": item_id, "deleted": {"state": "deleted"}}
                for item_id, when in sorted(self.deleted.items(), key=lambda x: x[1])
                if since and when > since
            ]
            root: dict[str, Any] = {"id": "root", "name": "root", "root": {}, "folder": {}}
            if marked:
                root["shared"] = {"scope": "users"}
            listed = [root] if not since or files or folders or gone else []
            ordered = [folders[p] for p in sorted(folders)]
            if not self.paths_in_delta:  # as Graph documents it: track items by id
                for entry in ordered + files:
                    entry["parentReference"].pop("path", None)
            return listed + ordered + files + gone, self.change

    def children(self, folder_id: str) -> list[dict[str, Any]] | None:
        with self.lock:
            folder = next((f for f in self.folders.values() if f.id == folder_id), None)
            if folder is None and folder_id != "root":
                return None
            path = folder.path if folder else ""
            subfolders = [
                self.folder_json(f) for p, f in sorted(self.folders.items())
                if p.rpartition("/")[0] == path
            ]
            files = [self.file_json(i) for i in self.items.values() if i.folder == path]
            return subfolders + files

    def file_json(self, item: Item) -> dict[str, Any]:
        folder = f"/{item.folder}" if item.folder else ""
        return {
            "id": item.id,
            "name": item.name,
            "file": {"mimeType": "application/octet-stream"},
            "size": len(item.content),
            "eTag": f'"{item.id},{item.version}"',
            "lastModifiedDateTime": item.modified,
            "webUrl": f"{self.site_url}{folder}/{item.name}",
            "parentReference": {"driveId": self.drive,
                                "path": f"/drives/{self.drive}/root:{folder}"},
        }

    def folder_json(self, folder: Folder) -> dict[str, Any]:
        parent, _, name = folder.path.rpartition("/")
        return {
            "id": folder.id,
            "name": name,
            "folder": {"childCount": sum(1 for i in self.items.values()
                                         if i.folder == folder.path)},
            "webUrl": f"{self.site_url}/{folder.path}",
            "parentReference": {
                "driveId": self.drive,
                "path": f"/drives/{self.drive}/root:" + (f"/{parent}" if parent else ""),
            },
        }


def _above(path: str) -> list[str]:
    """``a/b`` -> ``a``, ``a/b``: the folders a file at that path sits in."""
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[:depth]) for depth in range(1, len(parts) + 1)]
