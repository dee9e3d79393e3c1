"""Which metadata keys count as restriction-like (connectors/parsing/metadata.py): any such
key other than a top-level `access:` fails the document; ordinary keys never do."""

from __future__ import annotations

import pytest

from connectors.parsing.metadata import restriction_like


@pytest.mark.parametrize(
    "key",
    [
        "access",
        "Access",
        "acess",
        "ACL",
        "groups",
        "group",
        "Readers",
        "allowed",
        "audience",
        "access_groups",
        "accessGroups",
        "wikibot:access",
        "dc.accessRights",
        "read-groups",
        "permissions",
        "visibility",
        "users",
        "roles",
        "private",
        "restricted",
        "confidential",
        "secret",
        "access\u00a0",
        "\u0430ccess",
    ],
)
def test_restriction_like_keys(key: str) -> None:
    assert restriction_like(key)


@pytest.mark.parametrize(
    "key",
    [
        "title",
        "redirect_from",
        "owner_slack",
        "allowTitleToDifferFromFilename",
        "shortTitle",
        "hide_in_navigation",
        "last_reviewed_on",
        "review_in",
        "controlled_document",
        "cover",
        "description",
        "keywords",
        "layout",
        "permalink",
        "user_guide",
        "group_name",
        "viewport",
        "robots",
        "author",
        "og:title",
        "twitter:card",
        "",
    ],
)
def test_ordinary_keys_are_not_restriction_like(key: str) -> None:
    assert not restriction_like(key)
