"""The raw Microsoft Graph client for SharePoint document libraries (no mapping here).

App-only auth with MSAL (client credentials: the app registration's client id and a secret
from an environment variable); the token is cached by MSAL and renewed before it expires.
Every request has a timeout; 429 and 503/504 wait out ``Retry-After`` (Graph's throttling
contract) or back off exponentially; 401/403/404 raise one line an admin can act on, carrying
the HTTP status so the connector can tell one unreadable item (403/404/5xx on that item) from a
source it cannot read at all (401, persistent 429, no answer). Paging follows
``@odata.nextLink`` on the Graph host only, so the token goes nowhere else. Secrets are never
put in messages or logs.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse

import httpx

from connectors.errors import SourceConfigError, SourceUnavailableError
from connectors.retry import retry_wait

logger = logging.getLogger(__name__)
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
RETRIED = {429, 500, 502, 503, 504}
# Microsoft's scan guidance (aka.ms/scanguidance): deleted items as deletions, items behind
# permission gaps traversed, items whose sharing changed reported (files annotated
# @microsoft.graph.sharedChanged); hierarchicalsharing puts a ``shared`` facet (empty when
# sharing was removed) on the root of each changed permission hierarchy, e.g. a folder
DELTA_PREFER = (
    "deltashowremovedasdeleted, deltatraversepermissiongaps, deltashowsharingchanges, "
    "hierarchicalsharing"
)


class GraphError(SourceUnavailableError):
    """Graph refused or kept failing; the message is one line for the admin. ``status`` is
    the last HTTP status Graph answered (None: no answer at all, e.g. a timeout)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class GraphNotFoundError(SourceConfigError):
    """Graph answered 404: a site or library that does not exist, or an item deleted since."""


def source_wide(exc: Exception) -> bool:
    """Errors that say the source cannot be read now, not one item, library or site: a
    rejected token, persistent throttling, no answer. The run fails and nothing advances."""
    return isinstance(exc, GraphError) and exc.status in (None, 401, 429)


def status_of(exc: Exception) -> int | None:
    """The HTTP status Graph answered (404 for GraphNotFoundError; None: no answer)."""
    return 404 if isinstance(exc, GraphNotFoundError) else getattr(exc, "status", None)


class GraphClient:
    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        credential: str | dict[str, str],  # a client secret, or certificate_credential(...)
        graph_url: str = "https://graph.microsoft.com/v1.0",
        login_url: str = "https://login.microsoftonline.com",
        timeout_s: float = 30.0,
        ca_bundle: str | None = None,
        max_retries: int = 5,
        max_retry_after_s: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import msal  # loaded only with a SharePoint source

        self.graph_url = graph_url.rstrip("/")
        # ca_bundle: a proxy that inspects TLS (and the tests' stand-in) signs with its own CA
        verify: Any = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else True
        self.http = httpx.Client(timeout=timeout_s, follow_redirects=True, verify=verify)
        self.max_retries, self.max_retry_after_s, self.sleep = max_retries, max_retry_after_s, sleep
        self.requests = 0  # Graph requests made (tokens not counted): for benchmarks and tests
        official = urlparse(login_url).hostname == "login.microsoftonline.com"
        self.msal = msal.ConfidentialClientApplication(
            client_id,
            client_credential=credential,
            authority=f"{login_url.rstrip('/')}/{tenant_id}",
            http_client=_MsalHttp(self.http),
            validate_authority=official,
            instance_discovery=official,
        )

    def _token(self) -> str:
        try:
            result = self.msal.acquire_token_for_client(scopes=[GRAPH_SCOPE])
        except (httpx.HTTPError, ValueError) as exc:
            raise GraphError(f"Entra ID token request failed ({type(exc).__name__})") from None
        if "access_token" not in result:
            code = result.get("error", "error")
            detail = str(result.get("error_description", "")).split("\n")[0][:160]
            raise GraphError(
                f"Entra ID refused the app credentials ({code}): check tenant_id, client_id "
                f"and the secret's environment variable. {detail}".strip()
            )
        return str(result["access_token"])

    def get(self, url: str, *, prefer: str = "", raw: bool = False) -> Any:
        """GET a Graph path (``/sites/...``) or a full Graph URL (a next/delta link)."""
        full = url if url.startswith(("http://", "https://")) else self.graph_url + url
        if urlparse(full).netloc != urlparse(self.graph_url).netloc:
            raise GraphError(f"Graph returned a link to another host ({urlparse(full).netloc})")
        headers = {"Authorization": f"Bearer {self._token()}", "Accept": "application/json"}
        if prefer:
            headers["Prefer"] = prefer
        for attempt in range(self.max_retries + 1):
            self.requests += 1
            try:
                response = self.http.get(full, headers=headers)
            except httpx.TimeoutException:
                if attempt == self.max_retries:
                    raise GraphError(f"Graph timed out ({_where(full)})") from None
                self.sleep(retry_wait(None, attempt, cap=self.max_retry_after_s))
                continue
            except httpx.HTTPError as exc:
                raise GraphError(f"Graph is unreachable ({type(exc).__name__})") from None
            if response.status_code in RETRIED and attempt < self.max_retries:
                wait = retry_wait(response.headers, attempt, cap=self.max_retry_after_s)
                logger.info("Graph %s: retrying in %.1f s", response.status_code, wait)
                self.sleep(wait)
                continue
            return self._result(response, full, raw)
        raise GraphError(f"Graph kept failing ({_where(full)})")

    def pages(self, url: str) -> Iterator[dict[str, Any]]:
        """Every ``value`` entry of a paged collection (``@odata.nextLink`` followed)."""
        link = url
        while link:
            page = self.get(link)
            yield from page.get("value", [])
            link = page.get("@odata.nextLink", "")

    def _result(self, response: httpx.Response, url: str, raw: bool) -> Any:
        status = response.status_code
        if status == 401:
            raise GraphError(
                "Graph rejected the token (401): the app registration's secret?", status=401
            )
        if status == 403:
            raise GraphError(
                f"Graph: access denied (403) to {_where(url)}: grant the app Sites.Selected "
                "on this site (or Sites.Read.All) with admin consent",
                status=403,
            )
        if status == 404:
            raise GraphNotFoundError(f"Graph: not found (404): {_where(url)}")
        if status >= 400:
            raise GraphError(f"Graph answered {status} for {_where(url)}", status=status)
        return response.content if raw else response.json()

    def close(self) -> None:
        self.http.close()


class _MsalHttp:
    """httpx as MSAL's HTTP client. MSAL was written for requests, which sends bytes form
    values as they are; httpx would send their repr ("b'eyJ...'"), breaking the signed client
    assertion of certificate credentials."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def post(self, url: str, params: Any = None, data: Any = None, headers: Any = None,
             **kwargs: Any) -> httpx.Response:
        if isinstance(data, dict):
            data = {k: v.decode() if isinstance(v, bytes) else v for k, v in data.items()}
        timeout = kwargs.get("timeout") or httpx.USE_CLIENT_DEFAULT  # never "no timeout"
        return self.http.post(url, params=params, data=data, headers=headers, timeout=timeout)

    def get(self, url: str, params: Any = None, headers: Any = None, **kwargs: Any) -> Any:
        timeout = kwargs.get("timeout") or httpx.USE_CLIENT_DEFAULT
        return self.http.get(url, params=params, headers=headers, timeout=timeout)

    def close(self) -> None:
        self.http.close()


def _where(url: str) -> str:
    """The URL's path without its query (delta tokens, skip tokens)."""
    return urlparse(url).path
