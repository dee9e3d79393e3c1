"""A drive item's Graph permissions -> the index's DocumentACL (who may read it).

* a sharing link for the whole organisation (``scope: organization``) or anyone
  (``anonymous``), and the "Everyone" / "Everyone except external users" claims, make the
  document public (every member of staff may open it);
* a person (``grantedToV2.user``, ``grantedToIdentitiesV2[].user``, links to specific people)
  is a reader by e-mail or user principal name (lower-cased), which is how chat askers are
  matched (their verified e-mail, in a DM);
* an Entra group is a reader group by its object id (list members in WIKIBOT_GROUPS_FILE
  under that id); a SharePoint site group as ``sharepoint:<site group name>``.

Nothing recognisable means nobody: a document is never public by default.
"""

from __future__ import annotations

from typing import Any

from connectors.base import DocumentACL

PUBLIC_SCOPES = {"organization", "anonymous"}
EVERYONE_CLAIMS = ("spo-grid-all-users", "c:0(.s|true", "c:0-.f|rolemanager|everyone")


def acl_of(permissions: list[dict[str, Any]]) -> DocumentACL:
    users: set[str] = set()
    groups: set[str] = set()
    for permission in permissions:
        roles = set(permission.get("roles") or [])
        if roles and not roles & {"read", "write", "owner", "sp.full control"}:
            continue  # e.g. "restrictedView" grants no reading
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


def _everyone(identity: dict[str, Any]) -> bool:
    login = str((identity.get("siteUser") or {}).get("loginName") or "").lower()
    return any(claim in login for claim in EVERYONE_CLAIMS)
