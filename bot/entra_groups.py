"""Group membership from Entra ID (Microsoft Graph), as an alternative to listing members in
WIKIBOT_GROUPS_FILE: documents restricted to Entra groups (SharePoint permissions name groups
by object id) can then be checked for Teams users (by their Entra object id) and for Slack
users (by their verified e-mail).

``GET /users/{id or UPN}/transitiveMemberOf/microsoft.graph.group?$select=id`` (nested groups
included), paged, cached per person for WIKIBOT_ENTRA__CACHE_TTL_S. The app registration
needs the GroupMember.Read.All application permission. A failed lookup gives no groups (fewer
documents, never more) and one warning; it is retried after a minute.
"""

from __future__ import annotations

import asyncio
import logging
import time
from urllib.parse import quote

from pydantic import BaseModel, Field, SecretStr

logger = logging.getLogger(__name__)
RETRY_FAILED_AFTER_S = 60.0


class EntraSettings(BaseModel):
    tenant_id: str = ""
    client_id: str = ""
    client_secret: SecretStr | None = None
    graph_url: str = "https://graph.microsoft.com/v1.0"
    login_url: str = "https://login.microsoftonline.com"
    ca_bundle: str | None = None
    cache_ttl_s: int = Field(default=900, ge=10, le=86400)

    @property
    def enabled(self) -> bool:
        return bool(self.tenant_id and self.client_id and self.client_secret)


class EntraGroups:
    def __init__(self, settings: EntraSettings) -> None:
        from connectors.sharepoint.client import GraphClient  # msal: only when configured

        assert settings.client_secret is not None
        self.settings = settings
        self.client = GraphClient(
            tenant_id=settings.tenant_id,
            client_id=settings.client_id,
            credential=settings.client_secret.get_secret_value(),
            graph_url=settings.graph_url,
            login_url=settings.login_url,
            ca_bundle=settings.ca_bundle,
            timeout_s=5.0,
            max_retries=2,
            max_retry_after_s=5.0,
        )
        self.cache: dict[str, tuple[float, frozenset[str]]] = {}

    async def of(self, person: str) -> frozenset[str]:
        """The Entra group ids of ``person`` (an e-mail/UPN or an Entra object id)."""
        if not person:
            return frozenset()
        key = person.lower()
        hit = self.cache.get(key)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        try:
            groups = await asyncio.to_thread(self._read, key)
            expires = time.monotonic() + self.settings.cache_ttl_s
        except Exception as exc:  # fewer documents, never more
            logger.warning("Entra group lookup failed: %s", type(exc).__name__)
            groups, expires = frozenset(), time.monotonic() + RETRY_FAILED_AFTER_S
        self.cache[key] = (expires, groups)
        return groups

    def _read(self, person: str) -> frozenset[str]:
        link = (
            f"/users/{quote(person, safe='@')}/transitiveMemberOf/microsoft.graph.group"
            "?$select=id"
        )
        found: set[str] = set()
        while link:
            page = self.client.get(link)
            found.update(str(g["id"]) for g in page.get("value", []) if g.get("id"))
            link = page.get("@odata.nextLink", "")
        return frozenset(found)
