"""`wikibot teams-package`: the Teams app package (manifest.json + two icons, zipped) written
from the settings, ready to upload in Teams (Apps > Manage your apps > Upload an app) or in
the Teams admin center for the whole organisation. Nothing to edit by hand.

Manifest schema 1.17: the bot is the Azure Bot's app id (MICROSOFT_APP_ID), in personal
chats, teams and group chats; the commands are the ones the bot answers.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bot.errors import InputError

SCHEMA = "https://developer.microsoft.com/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
COMMANDS = [
    ("help", "What wikibot does and its commands"),
    ("status", "What is indexed and how the last index run went"),
    ("forget", "Delete your stored conversations with wikibot"),
    ("reindex", "(admins) Refresh the index: reindex [SOURCE] [--full]"),
]


def manifest(
    app_id: str,
    *,
    company: str,
    company_url: str,
    domain: str,
    name: str,
    version: str,
    privacy_url: str = "",
    terms_url: str = "",
) -> dict[str, Any]:
    """The manifest. Teams shows the privacy statement and terms of use as links on the app:
    ``privacy_url`` / ``terms_url``, else ``company_url``'s /privacy and /terms; without a
    company URL, the bot's own host (``domain``) is the website, and the two links must be
    given (`wikibot serve` serves no such pages)."""
    problems = []
    if not GUID.match(app_id):
        problems.append(
            f"MICROSOFT_APP_ID must be the Azure Bot's Microsoft App ID, a GUID (got {app_id!r})"
        )
    site = company_url or (f"https://{domain}" if domain else "")
    if urlparse(site).scheme != "https":
        problems.append(f"--company-url must be an https:// address (got {site!r})")
    base = site.rstrip("/")
    links = {"--privacy-url": privacy_url, "--terms-url": terms_url}
    for option, page in (("--privacy-url", "/privacy"), ("--terms-url", "/terms")):
        if not links[option] and company_url:
            links[option] = base + page
        if not links[option]:
            problems.append(
                f"{option} is required without --company-url: the page Teams links from the "
                "app (e.g. your intranet's IT policy); wikibot serves none"
            )
        elif urlparse(links[option]).scheme != "https":
            problems.append(f"{option} must be an https:// address (got {links[option]!r})")
    if not 1 <= len(name) <= 30:
        problems.append("--name must be 1 to 30 characters (Teams' limit for short names)")
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        problems.append(f"--version must be MAJOR.MINOR.PATCH (got {version!r})")
    if "://" in domain or "/" in domain:
        problems.append(f"--domain is a host name such as bot.example.com (got {domain!r})")
    if problems:
        raise InputError("cannot write the Teams app package:\n  " + "\n  ".join(problems))
    scopes = ["personal", "team", "groupChat"]
    return {
        "$schema": SCHEMA,
        "manifestVersion": "1.17",
        "version": version,
        "id": app_id,
        "developer": {
            "name": company,
            "websiteUrl": base,
            "privacyUrl": links["--privacy-url"],
            "termsOfUseUrl": links["--terms-url"],
        },
        "name": {"short": name, "full": f"{name}: answers from the handbook"[:100]},
        "description": {
            "short": "Answers staff questions from the wiki and HR documents, with sources.",
            "full": (
                f"Mention {name} in a channel or chat with it: it answers from the company "
                "wiki and HR documents and cites the documents it used, or says when they do "
                "not hold the answer. In a personal chat it also answers questions about your "
                "own HR records (such as vacation days left); nobody else sees them."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#2563EB",
        "bots": [
            {
                "botId": app_id,
                "scopes": scopes,
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": scopes,
                        "commands": [{"title": t, "description": d} for t, d in COMMANDS],
                    }
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [domain] if domain else [],
    }


def write_package(out: Path, manifest_json: dict[str, Any]) -> None:
    icons = files("bot.teams") / "icons"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest_json, indent=2) + "\n")
        for icon in ("color.png", "outline.png"):
            package.writestr(icon, (icons / icon).read_bytes())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())
