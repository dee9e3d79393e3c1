"""A local HTTP server implementing the Confluence REST endpoints the connector uses
(content search with CQL and cursor-style ``_links.next`` paging, read restrictions, space
permissions), Cloud-style under ``/wiki`` with basic auth; faults can be queued.

Runs in a thread (stdlib ``ThreadingHTTPServer``) so both in-process code and a ``wikibot``
subprocess can talk to it.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

OLD = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


@dataclass
class Page:
    id: str
    title: str
    space: str
    body: str
    parent: str | None = None
    labels: list[str] = field(default_factory=list)
    users: list[dict[str, str]] = field(default_factory=list)  # read restriction: people
    groups: list[str] = field(default_factory=list)  # read restriction: groups
    modified: datetime = OLD
    version: int = 1


class ConfluenceStub:
    def __init__(self, email: str = "bot@acme.test", token: str = "conf-token") -> None:
        self.pages: dict[str, Page] = {}
        self.spaces: dict[str, dict[str, Any]] = {}  # key -> {"groups": [...], "anonymous"}
        self.auth = "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()
        self.faults: list[tuple[int, dict[str, str]]] = []  # (status, headers) for next requests
        self.requests: list[tuple[float, str]] = []  # (time, path with query)
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/wiki"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> ConfluenceStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- content ------------------------------------------------------------
    def add(self, page: Page) -> Page:
        self.pages[page.id] = page
        return page

    def edit(self, page_id: str, body: str) -> None:
        page = self.pages[page_id]
        page.body, page.version, page.modified = body, page.version + 1, datetime.now(UTC)

    def searches(self) -> list[str]:
        return [p for _, p in self.requests if "/content/search" in p]

    # -- HTTP ---------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                with stub.lock:
                    stub.requests.append((time.monotonic(), self.path))
                    fault = stub.faults.pop(0) if stub.faults else None
                if fault:
                    return self._send(fault[0], {"message": "injected"}, fault[1])
                if self.headers.get("Authorization") != stub.auth:
                    return self._send(401, {"message": "Unauthorized"})
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                path = url.path.removeprefix("/wiki")
                if path == "/rest/api/content/search":
                    return self._send(200, stub._search(query))
                match = re.fullmatch(r"/rest/api/content/(\w+)/restriction/byOperation/read", path)
                if match and match.group(1) in stub.pages:
                    return self._send(200, {"restrictions": stub._restrictions(match.group(1))})
                match = re.fullmatch(r"/rest/api/space/(\w+)", path)
                if match and match.group(1) in stub.spaces:
                    return self._send(200, stub._space(match.group(1)))
                return self._send(404, {"message": "not found"})

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def _matches(self, page: Page, cql: str) -> bool:
        spaces = re.search(r"space in \(([^)]*)\)", cql)
        if spaces and page.space not in re.findall(r'"([^"]+)"', spaces.group(1)):
            return False
        labels = re.search(r"label in \(([^)]*)\)", cql)
        if labels and not set(page.labels) & set(re.findall(r'"([^"]+)"', labels.group(1))):
            return False
        ancestor = re.search(r"ancestor = (\w+)", cql)
        if ancestor and ancestor.group(1) not in self._ancestor_ids(page):
            return False
        since = re.search(r'lastmodified >= now\("-(\d+)m"\)', cql)
        cutoff = datetime.now(UTC) - timedelta(minutes=int(since.group(1))) if since else None
        return cutoff is None or page.modified >= cutoff

    def _search(self, query: dict[str, str]) -> dict[str, Any]:
        cql, expand = query["cql"], query.get("expand", "")
        limit, start = int(query.get("limit", "25")), int(query.get("start", "0"))
        with self.lock:
            found = [p for p in sorted(self.pages.values(), key=lambda p: p.id)]
            found = [p for p in found if self._matches(p, cql)]
        chunk = found[start : start + limit]
        links: dict[str, Any] = {"base": self.url, "context": "/wiki"}
        if start + limit < len(found):
            params = {"cql": cql, "limit": limit, "start": start + limit, "cursor": "opaque"}
            if expand:
                params["expand"] = expand
            links["next"] = "/rest/api/content/search?" + urlencode(params)
        results = [self._page_json(p, full="body.storage" in expand) for p in chunk]
        return {
            "results": results,
            "start": start,
            "limit": limit,
            "size": len(chunk),
            "_links": links,
        }

    def _ancestor_ids(self, page: Page) -> list[str]:
        chain = []
        parent = page.parent
        while parent:
            chain.insert(0, parent)
            parent = self.pages[parent].parent
        return chain

    def _restrictions(self, page_id: str) -> dict[str, Any]:
        page = self.pages[page_id]
        return {
            "user": {"results": page.users, "size": len(page.users)},
            "group": {"results": [{"type": "group", "name": g} for g in page.groups]},
        }

    def _space(self, key: str) -> dict[str, Any]:
        space = self.spaces[key]
        permissions: list[dict[str, Any]] = [
            {
                "operation": {"operation": "read", "targetType": "space"},
                "subjects": {"group": {"results": [{"name": g} for g in space["groups"]]}},
                "anonymousAccess": space.get("anonymous", False),
            },
            {"operation": {"operation": "create", "targetType": "page"}, "subjects": {}},
        ]
        return {"key": key, "name": key, "permissions": permissions}

    def _page_json(self, page: Page, *, full: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": page.id,
            "type": "page",
            "status": "current",
            "title": page.title,
        }
        if not full:
            return data
        slug = page.title.replace(" ", "+")
        data.update(
            space={"key": page.space, "name": page.space},
            version={
                "number": page.version,
                "when": page.modified.isoformat().replace("+00:00", "Z"),
            },
            ancestors=[
                {"id": a, "type": "page", "title": self.pages[a].title}
                for a in self._ancestor_ids(page)
            ],
            body={"storage": {"value": page.body, "representation": "storage"}},
            metadata={
                "labels": {"results": [{"prefix": "global", "name": x} for x in page.labels]}
            },
            restrictions={
                "read": {"operation": "read", "restrictions": self._restrictions(page.id)}
            },
            _links={
                "webui": f"/spaces/{page.space}/pages/{page.id}/{slug}",
                "tinyui": f"/x/{page.id}",
            },
        )
        return data
