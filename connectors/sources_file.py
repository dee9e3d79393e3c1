"""The sources file (``WIKIBOT_SOURCES_FILE``): what to index, described once::

    sources:
      - name: handbook
        type: folder
        path: ./handbook            # relative to this file
        base_url: https://handbook.example.com/
        url_style: strip-extension  # or keep-extension (default), directory, url_template
      - name: eng-wiki
        type: confluence
        url: https://acme.atlassian.net/wiki
        email: wikibot@acme.com     # Cloud; Data Center uses a personal access token alone
        token_env: CONFLUENCE_TOKEN # secrets by environment variable name, never inline
        spaces: [ENG, HR]
      - name: hr-site
        type: sharepoint
        tenant_id: 00000000-0000-0000-0000-000000000000
        client_id: 11111111-1111-1111-1111-111111111111
        client_secret_env: SHAREPOINT_SECRET
        sites: ["acme.sharepoint.com:/sites/hr"]
        libraries: [Documents]      # optional: drive names (default: all libraries)
      - name: hr
        type: hr_records            # looked up live for personal answers, never indexed
        export_path: ./hr/balances.csv

Every mistake is reported as one line naming the source and the field.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import httpx
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors.base import Connector
from connectors.confluence.client import ConfluenceClient
from connectors.confluence.connector import ConfluenceConfig, ConfluenceConnector
from connectors.errors import SourceConfigError
from connectors.folder import FolderConnector, FolderLimits
from connectors.sharepoint.connector import SharePointConfig, SharePointConnector
from connectors.sharepoint.credentials import certificate_credential
from connectors.site_urls import UrlStyle, UrlTemplateError, check_template

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_SECRET_FIELDS = {"token", "api_token", "api_key", "password", "secret", "client_secret", "pat"}


class SourcesFileError(SourceConfigError):
    """The sources file is unreadable or wrong; one line per mistake."""


class FolderSource(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["folder"]
    name: str
    path: Path
    base_url: str | None = None
    url_style: UrlStyle = "keep-extension"
    url_template: str | None = None  # e.g. "{base}/{path_without_ext}/"; wins over url_style


class ConfluenceSource(ConfluenceConfig):
    model_config = ConfigDict(extra="forbid")
    type: Literal["confluence"]
    name: str


class SharePointSource(SharePointConfig):
    model_config = ConfigDict(extra="forbid")
    type: Literal["sharepoint"]
    name: str


class HRRecordsSource(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["hr_records"]
    name: str
    export_path: Path | None = None
    api_url: str | None = None
    api_key_env: str | None = None
    timeout_s: float = Field(default=5.0, ge=0.5, le=60)


SourceConfig = FolderSource | ConfluenceSource | SharePointSource | HRRecordsSource
_TYPES: dict[str, type[BaseModel]] = {
    "folder": FolderSource,
    "confluence": ConfluenceSource,
    "sharepoint": SharePointSource,
    "hr_records": HRRecordsSource,
}


def load_sources(path: Path, env: Mapping[str, str] | None = None) -> list[SourceConfig]:
    """Read and validate the file; relative paths are resolved against its folder."""
    env = os.environ if env is None else env
    where = f"sources file {path}"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourcesFileError(f"{where}: cannot read it: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1})" if mark else ""
        raise SourcesFileError(f"{where}: not valid YAML{at}") from None
    entries = raw.get("sources") if isinstance(raw, dict) else raw
    if not isinstance(entries, list) or not entries:
        raise SourcesFileError(f"{where}: expected `sources:` followed by a list of sources")
    errors: list[str] = []
    sources: list[SourceConfig] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        problems, source = _one(entry, number, path.parent, env)
        errors.extend(f"{where}: {p}" for p in problems)
        if source is not None:
            if source.name in seen:
                errors.append(f'{where}: source "{source.name}": name: used twice')
            seen.add(source.name)
            sources.append(source)
    if errors:
        raise SourcesFileError("\n".join(errors))
    return sources


def _one(
    entry: Any, number: int, base: Path, env: Mapping[str, str]
) -> tuple[list[str], SourceConfig | None]:
    if not isinstance(entry, dict):
        return [f"source #{number}: expected a mapping with name and type"], None
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        return [f"source #{number}: name: required, letters/digits/._- (got {name!r})"], None
    label = f'source "{name}"'
    kind = entry.get("type")
    if kind not in _TYPES:
        known = ", ".join(_TYPES)
        return [f"{label}: type: unknown type {kind!r} (expected one of: {known})"], None
    inline = sorted(k for k in entry if str(k).lower() in _SECRET_FIELDS)
    if inline:
        return [
            f"{label}: {inline[0]}: secrets are not allowed inline; put it in an environment "
            f"variable and write {inline[0]}_env: VARIABLE_NAME"
        ], None
    try:
        source: SourceConfig = _TYPES[kind].model_validate(entry)  # type: ignore[assignment]
    except ValidationError as exc:
        return [_pydantic_line(label, e) for e in exc.errors()], None
    return _check(source, label, base, env), source


def _pydantic_line(label: str, error: Any) -> str:
    field = ".".join(str(p) for p in error["loc"]) or "?"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown field (a typo?)"
    elif error["type"] == "missing":
        message = "required"
    return f"{label}: {field}: {message}"


def _check(source: SourceConfig, label: str, base: Path, env: Mapping[str, str]) -> list[str]:
    errors: list[str] = []
    if isinstance(source, FolderSource):
        source.path = (base / source.path.expanduser()).resolve()
        if not source.path.is_dir() or not os.access(source.path, os.R_OK | os.X_OK):
            errors.append(f"{label}: path: {source.path} is not a readable folder")
        if source.base_url and not source.base_url.startswith(("http://", "https://")):
            errors.append(f"{label}: base_url: expected http(s)://... (got {source.base_url!r})")
        if source.url_template:
            try:
                check_template(source.url_template)
            except UrlTemplateError as exc:
                errors.append(f"{label}: url_template: {exc}")
            if not source.base_url and "{base}" in source.url_template:
                errors.append(f"{label}: url_template: uses {{base}}: also set base_url")
    elif isinstance(source, ConfluenceSource):
        if not source.url.startswith(("http://", "https://")):
            errors.append(f"{label}: url: expected http(s)://host[/context] (got {source.url!r})")
        if not env.get(source.token_env):
            errors.append(f"{label}: token_env: environment variable {source.token_env} is not set")
        if source.is_cloud and not source.email:
            errors.append(f"{label}: email: required for Confluence Cloud (the token's account)")
    elif isinstance(source, SharePointSource):
        if bool(source.client_secret_env) == bool(source.certificate_path):
            errors.append(f"{label}: give client_secret_env or certificate_path (one of them)")
        elif source.client_secret_env and not env.get(source.client_secret_env):
            errors.append(
                f"{label}: client_secret_env: environment variable {source.client_secret_env} "
                "is not set"
            )
        if source.certificate_path:
            source.certificate_path = str((base / source.certificate_path).resolve())
            try:
                certificate_credential(Path(source.certificate_path))
            except (OSError, ValueError) as exc:
                errors.append(f"{label}: certificate_path: {exc}")
        for field in ("graph_url", "login_url"):
            if not getattr(source, field).startswith("https://"):
                errors.append(f"{label}: {field}: expected https://...")
        if source.ca_bundle:
            source.ca_bundle = str((base / source.ca_bundle).resolve())
            if not Path(source.ca_bundle).is_file():
                errors.append(f"{label}: ca_bundle: {source.ca_bundle} is not a readable file")
    elif isinstance(source, HRRecordsSource):
        if source.export_path:
            source.export_path = (base / source.export_path.expanduser()).resolve()
            if not source.export_path.is_file():
                errors.append(f"{label}: export_path: {source.export_path} is not a readable file")
        elif source.api_url:
            if not source.api_key_env or not env.get(source.api_key_env):
                errors.append(f"{label}: api_key_env: name a set environment variable")
        else:
            errors.append(f"{label}: export_path: required (or api_url with api_key_env)")
    return errors


def build_connector(
    source: SourceConfig,
    *,
    folder_limits: FolderLimits | None = None,
    env: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Connector | None:
    """The connector for one source; None for sources that are not indexed (HR records)."""
    env = os.environ if env is None else env
    if isinstance(source, FolderSource):
        return FolderConnector(
            source.path,
            name=source.name,
            base_url=source.base_url,
            url_style=source.url_style,
            url_template=source.url_template,
            limits=folder_limits,
        )
    if isinstance(source, ConfluenceSource):
        token = env.get(source.token_env, "")
        client = ConfluenceClient(
            source.url,
            auth=httpx.BasicAuth(source.email or "", token) if source.is_cloud else None,
            bearer_token=None if source.is_cloud else token,
            timeout_s=source.timeout_s,
            transport=transport,
        )
        return ConfluenceConnector(source.name, source, client)
    if isinstance(source, SharePointSource):
        from connectors.sharepoint.client import GraphClient  # msal loads only for SharePoint


        graph = GraphClient(
            tenant_id=source.tenant_id,
            client_id=source.client_id,
            credential=(
                certificate_credential(Path(source.certificate_path))
                if source.certificate_path
                else env.get(source.client_secret_env or "", "")
            ),
            graph_url=source.graph_url,
            login_url=source.login_url,
            timeout_s=source.timeout_s,
            ca_bundle=source.ca_bundle,
        )
        return SharePointConnector(source.name, source, graph, limits=folder_limits)
    return None
