"""Group membership for document permissions, from a YAML file (WIKIBOT_GROUPS_FILE)::

    hr-only: [U012ABC, slack:U034DEF, teams:6f1c…-aad-object-id]
    finance: [U056GHI]

A member is a platform user id, optionally prefixed with its platform, or a work e-mail
(``alice@example.com``: matched against the asker's e-mail as the platform verifies it, in a
DM). Membership comes from this file only (platform identity -> groups), never from what a
user writes.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.errors import ConfigurationError


class GroupDirectory:
    def __init__(self, groups: dict[str, list[str]]) -> None:
        self.members: dict[str, set[str]] = {}
        for group, users in groups.items():
            for user in users:
                key = user.lower() if "@" in user else user  # e-mails match in any case
                self.members.setdefault(key, set()).add(group)

    @classmethod
    def load(cls, path: Path | None) -> GroupDirectory:
        if path is None:
            return cls({})
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigurationError(f"WIKIBOT_GROUPS_FILE: cannot read {path}: {exc}") from exc
        valid = isinstance(raw, dict) and all(
            isinstance(g, str) and isinstance(m, list) and all(isinstance(u, str) for u in m)
            for g, m in raw.items()
        )
        if not valid:
            raise ConfigurationError(
                f"WIKIBOT_GROUPS_FILE: {path} must map group names to lists of user ids"
            )
        return cls(raw)

    def groups_of_email(self, email: str) -> frozenset[str]:
        return frozenset(self.members.get(email.lower(), set())) if "@" in email else frozenset()

    def groups_of(self, platform: str, user: str) -> frozenset[str]:
        return frozenset(
            self.members.get(user, set()) | self.members.get(f"{platform}:{user}", set())
        )
