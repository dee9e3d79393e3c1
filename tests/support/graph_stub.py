"""A local HTTP server standing in for Microsoft Graph and the Entra token endpoint, as the
SharePoint source uses them: OpenID discovery and client-credentials tokens, sites by path,
a site's drives, ``/drives/{id}/root/delta`` with ``@odata.nextLink`` paging and an
``@odata.deltaLink`` to resume from, item content, item permissions; faults (429 with
Retry-After) can be queued. Counts Graph requests apart from token requests.

Runs in a thread (stdlib ``ThreadingHTTPServer``) so in-process code and a ``wikibot``
subprocess can both talk to it.
"""

from __future__ import annotations

import json
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.support.certificates import server_certificate

TENANT, CLIENT_ID, SECRET, TOKEN = "tenant-1", "client-1", "graph-secret", "graph-token"
EVERYONE = {"id": "p-org", "roles": ["read"], "link": {"scope": "organization", "type": "view"}}


@dataclass
class Item:
    id: str
    name: str
    content: bytes
    folder: str = ""  # path inside the library, "" for its root
    permissions: list[dict[str, Any]] = field(default_factory=lambda: [dict(EVERYONE)])
    version: int = 0  # the change number that last touched it
    modified: str = "2026-03-01T10:00:00Z"


class GraphStub:
    def __init__(self, *, page_size: int = 50) -> None:
        self.items: dict[str, Item] = {}  # one library ("Documents", drive-1) in site-1
        self.deleted: dict[str, int] = {}  # item id -> change number of its deletion
        self.memberships: dict[str, list[str]] = {}  # user (UPN or object id) -> group ids
        self.app_certificate: Any = None  # the app's uploaded certificate (client assertions)
        self.change = 1
        self.page_size = page_size
        self.faults: list[tuple[int, dict[str, str]]] = []
        self.graph_requests: list[str] = []
        self.token_requests = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        # HTTPS, as MSAL accepts no other authority: a certificate made here, trusted by
        # the client through its ca_bundle setting
        self.ca_bundle = server_certificate(Path(tempfile.mkdtemp(prefix="graph-stub-")))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_bundle, self.ca_bundle.with_suffix(".key"))
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> GraphStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- the library -----------------------------------------------------------
    def put(self, item: Item) -> Item:
        with self.lock:
            self.change += 1
            item.version = self.change
            self.items[item.id] = item
        return item

    def edit(self, item_id: str, content: bytes) -> None:
        with self.lock:
            self.change += 1
            self.items[item_id].content, self.items[item_id].version = content, self.change

    def share(self, item_id: str, permissions: list[dict[str, Any]]) -> None:
        """A sharing change: shows up in delta (the client asks for sharing changes)."""
        with self.lock:
            self.change += 1
            self.items[item_id].permissions, self.items[item_id].version = permissions, self.change

    def delete(self, item_id: str) -> None:
        with self.lock:
            self.change += 1
            del self.items[item_id]
            self.deleted[item_id] = self.change

    # -- HTTP ------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                stub._serve(self, "GET")

            def do_POST(self) -> None:
                stub._serve(self, "POST")

        return Handler

    def _send(self, handler: BaseHTTPRequestHandler, status: int, body: Any,
              headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Content-Type", "application/octet-stream" if isinstance(
            body, bytes) else "application/json")
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urlparse(handler.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        path = url.path
        if path == f"/{TENANT}/v2.0/.well-known/openid-configuration":
            base = f"{self.url}/{TENANT}"
            return self._send(handler, 200, {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "issuer": f"{base}/v2.0",
            })
        if path == f"/{TENANT}/oauth2/v2.0/token" and method == "POST":
            length = int(handler.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(handler.rfile.read(length).decode()).items()}
            self.token_requests += 1
            if "client_assertion" in form and self._assertion_ok(form):
                return self._send(handler, 200, {"access_token": TOKEN, "expires_in": 3600,
                                                 "token_type": "Bearer"})
            if form.get("client_id") != CLIENT_ID or form.get("client_secret") != SECRET:
                return self._send(handler, 401, {"error": "invalid_client",
                                                 "error_description": "AADSTS7000215"})
            return self._send(handler, 200, {"access_token": TOKEN, "expires_in": 3600,
                                             "token_type": "Bearer"})
        if not path.startswith("/v1.0/"):
            return self._send(handler, 404, {"error": {"code": "itemNotFound"}})
        with self.lock:
            self.graph_requests.append(handler.path)
            fault = self.faults.pop(0) if self.faults else None
        if fault:
            return self._send(handler, fault[0], {"error": {"code": "throttled"}}, fault[1])
        if handler.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._send(handler, 401, {"error": {"code": "InvalidAuthenticationToken"}})
        return self._graph(handler, path.removeprefix("/v1.0"), query)

    def _graph(self, handler: BaseHTTPRequestHandler, path: str, query: dict[str, str]) -> None:
        if path == "/sites/acme.sharepoint.com:/sites/hr":
            return self._send(handler, 200, {"id": "site-1", "webUrl": "https://acme.sharepoint.com/sites/hr"})
        groups_of = "/transitiveMemberOf/microsoft.graph.group"
        if path.startswith("/users/") and path.endswith(groups_of):
            person = path.split("/")[2].lower()
            if person not in self.memberships:
                return self._send(handler, 404, {"error": {"code": "Request_ResourceNotFound"}})
            groups = self.memberships[person]
            skip = int(query.get("skip") or 0)
            body: dict[str, Any] = {"value": [{"id": g} for g in groups[skip : skip + 2]]}
            if skip + 2 < len(groups):
                body["@odata.nextLink"] = f"{self.url}/v1.0{path}?skip={skip + 2}"
            return self._send(handler, 200, body)
        if path == "/sites/site-1/drives":
            return self._send(handler, 200, {"value": [{"id": "drive-1", "name": "Documents"}]})
        if path.startswith("/sites/"):
            return self._send(handler, 404, {"error": {"code": "itemNotFound"}})
        parts = path.strip("/").split("/")
        if parts[:2] != ["drives", "drive-1"]:
            return self._send(handler, 404, {"error": {"code": "itemNotFound"}})
        if parts[2:] == ["root", "delta"]:
            return self._send(handler, 200, self._delta(query))
        if len(parts) == 5 and parts[2] == "items":
            with self.lock:
                item = self.items.get(parts[3])
            if item is None:
                return self._send(handler, 404, {"error": {"code": "itemNotFound"}})
            if parts[4] == "content":
                return self._send(handler, 200, item.content)
            if parts[4] == "permissions":
                return self._send(handler, 200, {"value": item.permissions})
        return self._send(handler, 404, {"error": {"code": "itemNotFound"}})

    def _assertion_ok(self, form: dict[str, str]) -> bool:
        """A client assertion signed by the key of the app's uploaded certificate."""
        import jwt

        if self.app_certificate is None or form.get("client_id") != CLIENT_ID:
            return False
        try:
            claims = jwt.decode(
                form["client_assertion"],
                self.app_certificate.public_key(),
                algorithms=["RS256", "PS256"],
                options={"verify_aud": False},
            )
        except jwt.PyJWTError:
            return False
        return bool(claims.get("iss") == CLIENT_ID and claims.get("sub") == CLIENT_ID)

    def _delta(self, query: dict[str, str]) -> dict[str, Any]:
        since = int(query.get("token") or 0)
        skip = int(query.get("skip") or 0)
        with self.lock:
            changes: list[dict[str, Any]] = []
            if since == 0:
                changes.append({"id": "root", "name": "root", "root": {}, "folder": {}})
            for item in sorted(self.items.values(), key=lambda i: i.version):
                if item.version > since:
                    changes.append(self._json(item))
            for item_id, when in sorted(self.deleted.items(), key=lambda x: x[1]):
                if when > since and since:
                    changes.append({"id": item_id, "deleted": {"state": "deleted"}})
            current = self.change
        page = changes[skip : skip + self.page_size]
        body: dict[str, Any] = {"value": page}
        base = f"{self.url}/v1.0/drives/drive-1/root/delta"
        if skip + self.page_size < len(changes):
            body["@odata.nextLink"] = f"{base}?token={since}&skip={skip + self.page_size}"
        else:
            body["@odata.deltaLink"] = f"{base}?token={current}"
        return body

    def _json(self, item: Item) -> dict[str, Any]:
        folder = f"/{item.folder}" if item.folder else ""
        return {
            "id": item.id,
            "name": item.name,
            "file": {"mimeType": "application/octet-stream"},
            "size": len(item.content),
            "eTag": f'"{item.id},{item.version}"',
            "lastModifiedDateTime": item.modified,
            "webUrl": f"https://acme.sharepoint.com/sites/hr/Shared%20Documents{folder}/{item.name}",
            "parentReference": {"driveId": "drive-1", "path": f"/drives/drive-1/root:{folder}"},
        }
