"""A local HTTP server standing in for Microsoft Graph and the Entra token endpoint, as the
SharePoint source uses them: OpenID discovery and client-credentials tokens, sites by path,
a site's drives, ``/drives/{id}/root/delta`` with ``@odata.nextLink`` paging and an
``@odata.deltaLink`` to resume from (honouring the Prefer header: graph_library.py), an item,
a folder's children, item content, item permissions; faults (429 with Retry-After) can be
queued; an item can answer a fixed status (403, 500) for its content and permissions, a
library one for everything (403, 404) or 410 Gone for its expired delta links, and the site a
fixed status too. More libraries can be added (``add_library``); other sites do not exist
(404). Counts Graph requests apart from token requests.

Runs in a thread (stdlib ``ThreadingHTTPServer``) so in-process code and a ``wikibot``
subprocess can both talk to it.
"""

from __future__ import annotations

import json
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.support.certificates import server_certificate
from tests.support.graph_library import EVERYONE, Folder, Item, Library

__all__ = ["CLIENT_ID", "EVERYONE", "SECRET", "TENANT", "GraphStub", "Item", "Library"]
TENANT, CLIENT_ID, SECRET, TOKEN = "tenant-1", "client-1", "graph-secret", "graph-token"


class GraphStub:
    def __init__(self, *, page_size: int = 50) -> None:
        self.library = Library()  # the first library ("Documents", drive-1) in site-1
        self.libraries = {self.library.drive: self.library}
        self.site_fault = 0  # the status the hr site answers (0: none); other sites are 404
        self.delta_prefer: list[str] = []  # the Prefer header of each delta request
        self.memberships: dict[str, list[str]] = {}  # user (UPN or object id) -> group ids
        self.app_certificate: Any = None  # the app's uploaded certificate (client assertions)
        self.page_size = page_size
        self.faults: list[tuple[int, dict[str, str]]] = []
        self.graph_requests: list[str] = []
        self.token_requests = 0
        self.lock = self.library.lock
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

    # -- the library (graph_library.py) -------------------------------------------
    def put(self, item: Item) -> Item:
        return self.library.put(item)

    def edit(self, item_id: str, content: bytes) -> None:
        self.library.edit(item_id, content)

    def share(self, item_id: str, permissions: list[dict[str, Any]] | None) -> None:
        """A sharing change: in delta only for a client that asks for sharing changes."""
        self.library.share(item_id, permissions)

    def share_folder(self, path: str, permissions: list[dict[str, Any]] | None) -> None:
        """A folder's sharing change: delta reports the folder, not the files under it."""
        self.library.share_folder(path, permissions)

    def delete(self, item_id: str) -> None:
        self.library.delete(item_id)

    def add_library(self, drive: str, name: str) -> Library:
        """Another library of site-1 (its drive id and name)."""
        self.libraries[drive] = Library(drive, name)
        return self.libraries[drive]

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
        if path == "/sites/acme.sharepoint.com:/sites/hr" and self.site_fault:
            return self._send(handler, self.site_fault, {"error": {"code": "accessDenied"}})
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
            drives = [{"id": lib.drive, "name": lib.name} for lib in self.libraries.values()]
            return self._send(handler, 200, {"value": drives})
        if path.startswith("/sites/"):
            return self._send(handler, 404, {"error": {"code": "itemNotFound"}})
        parts = path.strip("/").split("/")
        library = self.libraries.get(parts[1]) if parts[:1] == ["drives"] else None
        if library is None:
            return self._send(handler, 404, {"error": {"code": "itemNotFound"}})
        if library.fault:
            code = "itemNotFound" if library.fault == 404 else "accessDenied"
            return self._send(handler, library.fault, {"error": {"code": code}})
        if parts[2:] == ["root", "delta"]:
            prefer = handler.headers.get("Prefer") or ""
            self.delta_prefer.append(prefer)
            since = int(query.get("token") or 0)  # 0: a read from scratch, never expired
            if 0 < since < library.expired_below:
                return self._send(handler, 410, {"error": {"code": "resyncRequired"}})
            return self._send(handler, 200, self._delta(library, query, prefer))
        with library.lock:
            found = library.find(parts[3]) if len(parts) > 3 else None
        if parts[2:3] != ["items"] or found is None:
            return self._send(handler, 404, {"error": {"code": "itemNotFound"}})
        if len(parts) == 4:
            body = (library.folder_json(found) if isinstance(found, Folder)
                    else library.file_json(found))
            return self._send(handler, 200, body)
        if parts[4:] == ["children"]:
            if isinstance(found, Folder) and found.fault:
                return self._send(handler, found.fault, {"error": {"code": "accessDenied"}})
            return self._send(handler, 200, self._children(library, found, path, query))
        if isinstance(found, Item) and found.fault:
            return self._send(handler, found.fault, {"error": {"code": "accessDenied"}},
                              {"Retry-After": "0"})
        if parts[4:] == ["permissions"]:
            with library.lock:
                permissions = library.permissions_of(found)
            return self._send(handler, 200, {"value": permissions})
        if parts[4:] == ["content"] and isinstance(found, Item):
            return self._send(handler, 200, found.content)
        return self._send(handler, 404, {"error": {"code": "itemNotFound"}})

    def _children(self, library: Library, folder: Item | Folder, path: str,
                  query: dict[str, str]) -> Any:
        children = library.children(folder.id) or []
        skip = int(query.get("skip") or 0)
        body: dict[str, Any] = {"value": children[skip : skip + self.page_size]}
        if skip + self.page_size < len(children):
            body["@odata.nextLink"] = f"{self.url}/v1.0{path}?skip={skip + self.page_size}"
        return body

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

    def _delta(self, library: Library, query: dict[str, str], prefer: str) -> dict[str, Any]:
        since = int(query.get("token") or 0)
        skip = int(query.get("skip") or 0)
        asked = {p.strip().lower() for p in prefer.split(",")}
        changes, current = library.delta(since, asked)
        page = changes[skip : skip + self.page_size]
        body: dict[str, Any] = {"value": page}
        base = f"{self.url}/v1.0/drives/{library.drive}/root/delta"
        if skip + self.page_size < len(changes):
            body["@odata.nextLink"] = f"{base}?token={since}&skip={skip + self.page_size}"
        else:
            body["@odata.deltaLink"] = f"{base}?token={current}"
        return body
