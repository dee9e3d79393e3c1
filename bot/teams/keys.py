"""Bot Framework signing keys, fetched without ever blocking the event loop.

botframework-connector 4.17 fetches the OpenID metadata and the JWKS with blocking
``requests.get`` calls, without a timeout, inside its async token validation, and refetches
on every request after a failure: one unauthenticated Teams request froze the whole server
(Slack acks included) for as long as the key endpoint was slow. Its per-URL metadata cache is
the SDK's extension point (``JwtTokenExtractor.metadataCache``); :func:`install` fills it with
:class:`OffLoopOpenIdMetadata`, which

* fetches in a worker thread with a timeout, one fetch at a time per URL (requests wait on
  the fetch in flight instead of starting their own);
* keeps keys for a day, refetches at most once per ``unknown_key_refresh_s`` for an unknown
  key id, and backs off after a failure (5 s doubling to 5 min) while answering from the
  keys it has (none yet: the request is refused, a 401);
* returns None for an unknown key id (the SDK raised IndexError there, a 500).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import requests
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor, _OpenIdConfig
from jwt.algorithms import RSAAlgorithm

logger = logging.getLogger(__name__)

KEYS_MAX_AGE_S = 24 * 3600


class SigningKeysUnavailableError(PermissionError):
    """No signing keys to check a token with (the key endpoint failed or is backing off)."""


class OffLoopOpenIdMetadata:
    def __init__(
        self, url: str, *, timeout_s: float = 5.0, unknown_key_refresh_s: float = 3600
    ) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.unknown_key_refresh_s = unknown_key_refresh_s
        self.keys: list[dict[str, Any]] = []
        self.fetched_at = 0.0  # monotonic; 0 = never
        self.retry_at = 0.0
        self.backoff_s = 0.0
        self._lock = asyncio.Lock()

    async def get(self, key_id: str | None) -> _OpenIdConfig | None:
        now = time.monotonic()
        if not self.keys or now - self.fetched_at > KEYS_MAX_AGE_S:
            await self._refresh()
        key = self._find(key_id)
        if key is None and time.monotonic() - self.fetched_at > self.unknown_key_refresh_s:
            await self._refresh()  # keys rotate: look again, at most once per interval
            key = self._find(key_id)
        if key is None and not self.keys:
            raise SigningKeysUnavailableError("no Bot Framework signing keys available")
        return key

    async def _refresh(self) -> None:
        started = time.monotonic()
        async with self._lock:
            if self.fetched_at > started:
                return  # another request refreshed while this one waited
            if time.monotonic() < self.retry_at:
                return  # backing off after a failure: answer from the keys we have
            try:
                self.keys = await asyncio.wait_for(
                    asyncio.to_thread(self._fetch), self.timeout_s * 2 + 1
                )
            except Exception as exc:
                self.backoff_s = min(max(self.backoff_s * 2, 5.0), 300.0)
                self.retry_at = time.monotonic() + self.backoff_s
                logger.warning(
                    "could not fetch Bot Framework signing keys (%s); retrying in %.0f s",
                    type(exc).__name__,
                    self.backoff_s,
                )
                return
            self.fetched_at = time.monotonic()
            self.backoff_s, self.retry_at = 0.0, 0.0

    def _fetch(self) -> list[dict[str, Any]]:
        metadata = requests.get(self.url, timeout=self.timeout_s)
        metadata.raise_for_status()
        keys = requests.get(metadata.json()["jwks_uri"], timeout=self.timeout_s)
        keys.raise_for_status()
        found = keys.json()["keys"]
        if not isinstance(found, list):
            raise ValueError("the JWKS has no key list")
        return found

    def _find(self, key_id: str | None) -> _OpenIdConfig | None:
        for key in self.keys:
            if isinstance(key, dict) and key.get("kid") == key_id:
                public_key = RSAAlgorithm.from_jwk(json.dumps(key))
                return _OpenIdConfig(public_key, key.get("endorsements", []))
        return None


class _MetadataCache(dict[str, Any]):
    """The SDK calls ``metadataCache.get(url, None)``: answer with our metadata object."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self.timeout_s = timeout_s

    def get(self, url: str, default: Any = None) -> Any:
        if url not in self:
            self[url] = OffLoopOpenIdMetadata(url, timeout_s=self.timeout_s)
        return self[url]


def install(*, timeout_s: float = 5.0) -> None:
    """Make every Bot Framework token check use :class:`OffLoopOpenIdMetadata`."""
    if not isinstance(JwtTokenExtractor.metadataCache, _MetadataCache):
        JwtTokenExtractor.metadataCache = _MetadataCache(timeout_s)
