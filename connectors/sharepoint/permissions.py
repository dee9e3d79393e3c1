"""A drive item's Graph permissions -> the index's DocumentACL (who may read it).

* a sharing link for the whole organisation (``scope: organization``) or anyone
  (``anonymous``), and the "Everyone" / "Everyone except external users" claims, make the
  document public (every member of staff may open it);
* a person (``grantedToV2.user``, ``grantedToIdentitiesV2[].user``, links to specific people)
  is a reader by e-mail or user principal name (lower-cased), which is how chat askers are
  matched (their verified e-mail, in a DM);
* an Entra group is a reader group by its object id (list members in WIKIBOT_GROUPS_FILE
  under that id); a SharePoint site group as ``sharepoint:<site group name>``.

Fail closed: nothing recognisable means nobody (a document is never public by default); the
org-wide claims match only exactly (a guest whose login merely contains
``spo-grid-all-users`` is that guest, not everyone); a permission whose
``expirationDateTime`` has passed, or cannot be read, grants nothing. ``expires_at`` tells
when the readers of a document next change by themselves (the earliest future expiry), so
the connector re-reads it then: Graph's delta does not report an expiry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from connectors.base import DocumentACL

PUBLIC_SCOPES = {"organization", "anonymous"}
READING_ROLES = {"read", "write", "owner", "sp.full control"}
# the claims SharePoint uses for everyone in the tenant, as whole login names
EVERYONE_LOGINS = {"c:0(.s|true", "c:0-.f|rolemanager|everyone"}
EVERYONE_EXCEPT_EXTERNAL = re.compile(
    r"c:0-\.f\|rolemanager\|spo-grid-all-users/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"
)


def acl_of(permissions: list[dict[str, Any]], *, now: datetime | None = None) -> DocumentACL:
    users: set[str] = set()
    groups: set[str] = set()
    for permission in _granting(permissions, now or datetime.now(UTC)):
        link = permission.get("link") or {}
        if link.get("scope") in PUBLIC_SCOPES:
            return DocumentACL(public=True)
        identities = [permission.get("grantedToV2") or {}]
        identities += permission.get("grantedToIdentitiesV2") or []
        for identity in identities:
            if _everyone(identity):
                return DocumentACL(public=True)
            person = identity.get("user") or {}
            address = person.get("email") or person.get("userPrincipalName")
            if address:
                users.add(str(address).lower())
            group = identity.get("group") or {}
            if group.get("id"):
                groups.add(str(group["id"]))
            site_group = identity.get("siteGroup") or {}
            if site_group.get("displayName"):
                groups.add(f"sharepoint:{site_group['displayName']}")
    return DocumentACL(public=False, users=sorted(users), groups=sorted(groups))


def expires_at(
    permissions: list[dict[str, Any]], *, now: datetime | None = None
) -> datetime | None:
    """The earliest moment one of the granting permissions expires (None: none expires)."""
    moments = [_expiry(p) for p in _granting(permissions, now or datetime.now(UTC))]
    return min((m for m in moments if m is not None), default=None)


def _granting(permissions: list[dict[str, Any]], now: datetime) -> Iterator[dict[str, Any]]:
    """The permissions that let someone read the item now."""
    for permission in permissions:
        roles = {str(r).lower() for r in permission.get("roles") or []}
        if roles and not roles & READING_ROLES:
            continue  # e.g. "restrictedView" grants no reading
        stated = _stated_expiry(permission)
        if stated is None:
            yield permission
            continue
        moment = _expiry(permission)
        if moment is not None and moment > now:
            yield permission  # else expired, or a date we cannot read: it grants nothing


def _stated_expiry(permission: dict[str, Any]) -> Any:
    link = permission.get("link") or {}
    return permission.get("expirationDateTime") or link.get("expirationDateTime")


def _expiry(permission: dict[str, Any]) -> datetime | None:
    stated = _stated_expiry(permission)
    if stated is None:
        return None
    try:
        moment = datetime.fromisoformat(str(stated).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _everyone(identity: dict[str, Any]) -> bool:
    login = str((identity.get("siteUser") or {}).get("loginName") or "").strip().lower()
    return login in EVERYONE_LOGINS or EVERYONE_EXCEPT_EXTERNAL.fullmatch(login) is not None
