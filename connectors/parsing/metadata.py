"""Document metadata: the one rule every format follows (issue 27).

Only a top-level ``access:`` restricts a document (``connectors/access_rules.py`` reads its
value). Any other key that looks like a restriction, at any depth (``groups:``,
``readers:``, ``wikibot: {access: ...}``, ``Access:``, ``<meta name="access">``), fails the
document with :class:`MetadataError`: its author meant a restriction we would otherwise
ignore, so the document is skipped and reported, never indexed as public.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any

from connectors.errors import DocumentError

ACCESS_KEY = "access"

# restriction-like as a whole key or as one word of a compound key (``access_groups``,
# ``allowedUsers``, ``wikibot:access``, ``dc.accessRights``)
RESTRICTION_WORDS = frozenset(
    {
        "access",
        "acl",
        "acls",
        "allowed",
        "audience",
        "audiences",
        "classification",
        "confidential",
        "confidentiality",
        "groups",
        "permission",
        "permissions",
        "private",
        "readers",
        "restricted",
        "restriction",
        "restrictions",
        "roles",
        "sensitivity",
        "users",
        "viewers",
        "visibility",
    }
)
# restriction-like only as the whole key: inside a compound they usually name something else
# (``user_guide``, ``group_name``, ``role_title``, ``secret_santa``)
WHOLE_KEY_WORDS = frozenset({"group", "internal", "reader", "role", "secret", "user", "viewer"})

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_MAX_DEPTH = 50


class MetadataError(DocumentError):
    """Document metadata that cannot be trusted: a restriction-like key we do not read, or
    metadata in a shape we do not read. The document is skipped and reported."""


def _edit_distance_at_most(a: str, b: str, limit: int) -> bool:
    """Levenshtein distance of ``a`` and ``b`` is <= ``limit`` (small strings only)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] <= limit


def misspelt_access(key: str) -> bool:
    """``Access``, ``acess``, ``ACCESS `` (edit distance 2 or less, any case), not ``access``."""
    return key != ACCESS_KEY and _edit_distance_at_most(key.strip().casefold(), ACCESS_KEY, 2)


def restriction_like(key: str) -> bool:
    """Whether a metadata key (or an HTML meta name) looks like it restricts readers."""
    folded = key.strip().casefold()
    if folded in RESTRICTION_WORDS or folded in WHOLE_KEY_WORDS or misspelt_access(key):
        return True
    words = _NOT_WORD.split(_CAMEL.sub(" ", key.strip()).casefold())
    return any(
        w in RESTRICTION_WORDS or (len(w) > 3 and _edit_distance_at_most(w, ACCESS_KEY, 1))
        for w in words
    )


def unknown_restriction_key(metadata: dict[Any, Any]) -> str | None:
    """The first restriction-like key other than a top-level ``access``, as a dotted path
    (``wikibot.access``, ``pages[0].groups``); None when there is none. Shared and
    self-referencing values (YAML aliases) are visited once."""
    seen: set[int] = set()
    todo: deque[tuple[str, Any, int]] = deque([("", metadata, 0)])
    while todo:
        path, value, depth = todo.popleft()
        if id(value) in seen or depth > _MAX_DEPTH:
            continue
        if isinstance(value, dict):
            seen.add(id(value))
            for key, item in value.items():
                name = str(key) if isinstance(key, str) else ""
                if name == ACCESS_KEY and not path:
                    continue  # the one key read (access_rules.py checks its value)
                if name and restriction_like(name):
                    return f"{path}.{name}" if path else name
                todo.append((f"{path}.{key}" if path else str(key), item, depth + 1))
        elif isinstance(value, list):
            seen.add(id(value))
            todo.extend((f"{path}[{n}]", item, depth + 1) for n, item in enumerate(value))
    return None


def restriction_key_reason(key: str, *, where: str = "front matter") -> str:
    """Why a document with this key is skipped, in a line an admin can act on."""
    if "." not in key and "[" not in key and misspelt_access(key):
        return (
            f"{where} key {key!r} looks like a misspelt 'access:'; skipped so that its "
            "restriction is not lost (write 'access:')"
        )
    return (
        f"{where} key {key!r} looks like a restriction, but only a top-level 'access:' is read; "
        "skipped so that its restriction is not lost (write 'access: [group, ...]' in the "
        "front matter, or a .wikibot-acl.yaml rule)"
    )


def meta_tag_reason(name: str) -> str:
    """Why a document with a restriction-like ``<meta>`` tag is skipped."""
    return (
        f"<meta name={name!r}> looks like a restriction, but meta tags are not read; skipped "
        "so that its restriction is not lost (write 'access: [group, ...]' in front matter, "
        "or a .wikibot-acl.yaml rule)"
    )


def check_metadata(metadata: dict[Any, Any], *, where: str = "front matter") -> None:
    """Raise :class:`MetadataError` when ``metadata`` has a restriction-like key we do not
    read (anything but a top-level ``access``)."""
    key = unknown_restriction_key(metadata)
    if key is not None:
        raise MetadataError(restriction_key_reason(key, where=where))
