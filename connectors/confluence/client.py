"""The raw Confluence REST client (Cloud and Data Center share the v1 ``/rest/api`` used here).

Auth: Cloud takes an account email + API token (HTTP basic), Data Center a personal access
token (bearer). Every request has a timeout; 429 waits out ``Retry-After``; 5xx and timeouts
are retried with exponential backoff; a bad token, a missing permission or an unknown space
raise a typed error whose message is one line an admin can act on. Credentials are never put
in messages or logs. Pagination follows the ``_links.next`` the server returns, on the same
host only (the credentials never go anywhere else).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urljoin, urlparse

import httpx

from connectors.errors import SourceUnavailableError
from connectors.retry import retry_wait

logger = logging.getLogger(__name__)


class ConfluenceError(SourceUnavailableError):
    """Base of every Confluence failure; the message is one line for the admin."""


class ConfluenceAuthError(ConfluenceError):
    """401: the credentials were rejected."""


class ConfluencePermissionError(ConfluenceError):
    """403: the account may not read what was asked."""


class ConfluenceNotFoundError(ConfluenceError):
    """404: no such space or page (or it is invisible to the account)."""


class ConfluenceUnavailableError(ConfluenceError):
    """The server kept failing (5xx, 429, timeouts) after every retry."""


PAGE_EXPAND = ",".join(
    [
        "body.storage",
        "version",
        "ancestors",
        "space",
        "metadata.labels",
        "restrictions.read.restrictions.user",
        "restrictions.read.restrictions.group",
    ]
)


class ConfluenceClient:
    def __init__(
        self,
        base_url: str,
        *,
        auth: httpx.Auth | None = None,
        bearer_token: str | None = None,
        timeout_s: float = 30.0,
        max_retries: int = 4,
        max_retry_after_s: float = 120.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        headers = {"Accept": "application/json", "User-Agent": "wikibot"}
        if bearer_token:
            headers["Authorization"] = f"Bearer {bearer_token}"
        self.http = httpx.Client(auth=auth, headers=headers, timeout=timeout_s, transport=transport)
        self.max_retries = max_retries
        self.max_retry_after_s = max_retry_after_s
        self.sleep = sleep
        self.requests = 0

    def close(self) -> None:
        self.http.close()

    def get(self, path_or_url: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        url = path_or_url if "://" in path_or_url else self.base_url + path_or_url
        if urlparse(url).netloc != urlparse(self.base_url).netloc:
            raise ConfluenceError(f"refusing to follow a link to another host: {url}")
        delay = 0.5
        for attempt in range(self.max_retries + 1):
            last = attempt == self.max_retries
            self.requests += 1
            try:
                response = self.http.get(url, params=params)
            except httpx.TimeoutException:
                if last:
                    raise ConfluenceUnavailableError(
                        f"Confluence at {self.base_url} timed out {attempt + 1} times"
                    ) from None
                self.sleep(delay)
                delay *= 2
                continue
            except httpx.TransportError as exc:
                if last:
                    raise ConfluenceUnavailableError(
                        f"cannot reach Confluence at {self.base_url}: {exc}"
                    ) from None
                self.sleep(delay)
                delay *= 2
                continue
            status = response.status_code
            if status == 200:
                data = response.json()
                return data if isinstance(data, dict) else {"results": data}
            if status == 429 and not last:
                wait = retry_wait(response.headers, attempt, cap=self.max_retry_after_s)
                logger.info("Confluence rate limit: waiting %.1f s", wait)
                self.sleep(wait)
                delay *= 2
                continue
            if status >= 500 and not last:
                logger.info("Confluence answered %d: retrying in %.1f s", status, delay)
                self.sleep(delay)
                delay *= 2
                continue
            raise _error_for(status, self.base_url, url)
        raise AssertionError("unreachable")  # pragma: no cover

    def paged(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every result across pages, following ``_links.next``."""
        data = self.get(path, params)
        while True:
            yield from data.get("results", [])
            next_link = (data.get("_links") or {}).get("next")
            if not next_link or not data.get("results"):
                return
            data = self.get(self._resolve(next_link, data.get("_links") or {}))

    def _resolve(self, link: str, links: dict[str, Any]) -> str:
        if "://" in link:
            return link
        base = urlparse(self.base_url)
        origin = f"{base.scheme}://{base.netloc}"
        context = str(links.get("context") or base.path or "")
        if context and link.startswith(context.rstrip("/") + "/"):
            return origin + link
        return urljoin(self.base_url + "/", link.lstrip("/"))

    def search(self, cql: str, *, expand: str = "", limit: int = 25) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"cql": cql, "limit": limit}
        if expand:
            params["expand"] = expand
        return self.paged("/rest/api/content/search", params)

    def read_restrictions(self, page_id: str) -> dict[str, Any]:
        return self.get(
            f"/rest/api/content/{page_id}/restriction/byOperation/read",
            {"expand": "restrictions.user,restrictions.group"},
        )

    def space(self, key: str) -> dict[str, Any]:
        return self.get(f"/rest/api/space/{key}", {"expand": "permissions"})


def _error_for(status: int, base_url: str, url: str) -> ConfluenceError:
    path = urlparse(url).path
    if status == 401:
        return ConfluenceAuthError(
            f"Confluence at {base_url} rejected the credentials (401): check the account "
            "email and the token's environment variable"
        )
    if status == 403:
        return ConfluencePermissionError(
            f"the Confluence account may not read {path} (403): grant it view permission"
        )
    if status == 404:
        return ConfluenceNotFoundError(
            f"Confluence has no {path} (404), or the account cannot see it"
        )
    if status == 429:
        return ConfluenceUnavailableError(f"Confluence kept rate-limiting {path} (429)")
    return ConfluenceUnavailableError(f"Confluence answered {status} for {path}")
