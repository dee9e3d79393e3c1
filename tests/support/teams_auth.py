"""A local OpenID metadata + JWKS server standing in for login.botframework.com, and
Bot Framework channel tokens signed with its key (or with a key it does not publish).

Runs in its own thread: botframework-connector fetches keys with blocking ``requests``."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://api.botframework.com"


class SigningKeys:
    def __init__(self) -> None:
        self.known = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.unknown = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.url = ""
        self.delay_s = 0.0  # a slow key endpoint (each request waits this long)
        self.requests = 0

    def jwks(self) -> dict[str, Any]:
        key = json.loads(RSAAlgorithm.to_jwk(self.known.public_key()))
        return {"keys": [{**key, "kid": "known", "use": "sig", "endorsements": ["msteams"]}]}

    def token(
        self,
        *,
        app_id: str,
        service_url: str,
        known: bool = True,
        kid: str = "",
        expires: bool = True,
    ) -> str:
        claims = {
            "iss": ISSUER,
            "aud": app_id,
            "serviceurl": service_url,
            "nbf": int(time.time()) - 10,
        }
        if expires:
            claims["exp"] = int(time.time()) + 600
        key = self.known if known else self.unknown
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid or "known"})


@contextmanager
def running_keys() -> Iterator[SigningKeys]:
    keys = SigningKeys()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            keys.requests += 1
            time.sleep(keys.delay_s)
            if self.path.endswith("/keys"):
                payload = keys.jwks()
            else:
                payload = {"issuer": ISSUER, "jwks_uri": keys.url.rsplit("/", 1)[0] + "/keys"}
            body = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    keys.url = f"http://127.0.0.1:{server.server_port}/v1/.well-known/openidconfiguration"
    try:
        yield keys
    finally:
        server.shutdown()
        server.server_close()
