"""The settings of one SharePoint source (a `type: sharepoint` entry of the sources file)."""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel, Field

SETTINGS_KEY = "wikibot:settings"  # in the cursor: the scope_fingerprint it was made under


class SharePointConfig(BaseModel):
    tenant_id: str
    client_id: str
    client_secret_env: str | None = None  # the NAME of the variable holding the client secret
    # or a certificate: a PEM file with the private key and the certificate (uploaded to the
    # app registration); Microsoft recommends certificates over secrets for app-only access
    certificate_path: str | None = None
    sites: list[str] = Field(min_length=1)  # "acme.sharepoint.com:/sites/hr", or site ids
    libraries: list[str] = Field(default_factory=list)  # drive names; empty: all of them
    folder: str = ""  # only items under this folder of each library
    graph_url: str = "https://graph.microsoft.com/v1.0"
    login_url: str = "https://login.microsoftonline.com"
    ca_bundle: str | None = None  # a CA file for proxies that inspect TLS
    timeout_s: float = Field(default=30.0, gt=0, le=300)
    full_refresh_every_s: int = Field(default=7 * 86400, ge=0)
    batch_size: int = Field(default=16, ge=1, le=200)

    def scope_fingerprint(self) -> str:
        """What decides which items the source holds (sites, libraries, folder). A cursor made
        under other values is not resumed: the next sync reads everything again and removes
        what is no longer in scope (a library or folder taken out of the settings)."""
        scope = [sorted(self.sites), sorted(self.libraries), self.folder.strip("/")]
        return hashlib.sha256(json.dumps(scope).encode()).hexdigest()[:16]
