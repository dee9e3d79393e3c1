"""Who may read a folder's documents: `.wikibot-acl.yaml` rules and front matter `access:`.

The rules file sits at the folder's root::

    rules:                      # later rules win over earlier ones
      - path: "hr/**"           # a glob relative to the folder ("**" spans folders)
        groups: [hr-only]
      - path: "hr/handbook.md"
        public: true
      - path: "finance/salary-bands.md"
        groups: [finance]
        users: [U012ABC]        # platform user ids

Front matter wins over the file: ``access: public``, ``access: [group, ...]`` or
``access: {groups: [...], users: [...]}``. Anything malformed fails closed: a bad rules file
stops the folder from being indexed, a bad ``access:`` skips that document (reported).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors.base import DocumentACL

RULES_FILE = ".wikibot-acl.yaml"


class AccessRuleError(ValueError):
    """A rules file or an ``access:`` value that cannot be trusted."""


class AccessRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    public: bool = False
    groups: list[str] = Field(default_factory=list)
    users: list[str] = Field(default_factory=list)

    def acl(self) -> DocumentACL:
        if self.public:
            return DocumentACL(public=True)
        return DocumentACL(public=False, groups=sorted(self.groups), users=sorted(self.users))


class _RulesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[AccessRule] = Field(default_factory=list)


def _glob_regex(pattern: str) -> re.Pattern[str]:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


class AccessRules:
    def __init__(self, rules: list[AccessRule]) -> None:
        self.rules = [(_glob_regex(r.path.strip("/")), r) for r in rules]

    @classmethod
    def load(cls, root: Path) -> AccessRules:
        path = root / RULES_FILE
        if not path.is_file():
            return cls([])
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            return cls(_RulesFile.model_validate(raw).rules)
        except (yaml.YAMLError, ValidationError, UnicodeDecodeError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise AccessRuleError(f"{path}: not a valid rules file ({first})") from exc

    def acl_for(self, relative: str, front_matter: dict[str, Any]) -> DocumentACL:
        if "access" in front_matter:
            return access_from_front_matter(front_matter["access"])
        acl = DocumentACL()
        for pattern, rule in self.rules:
            if pattern.match(relative):
                acl = rule.acl()
        return acl


def access_from_front_matter(value: Any) -> DocumentACL:
    if value == "public" or value is True:
        return DocumentACL(public=True)
    if isinstance(value, str) and value.strip():
        return DocumentACL(public=False, groups=[value.strip()])
    if isinstance(value, list) and value and all(isinstance(g, str) and g for g in value):
        return DocumentACL(public=False, groups=sorted(value))
    if isinstance(value, dict) and set(value) <= {"groups", "users"} and value:
        groups, users = value.get("groups") or [], value.get("users") or []
        if all(isinstance(x, str) and x for x in [*groups, *users]) and (groups or users):
            return DocumentACL(public=False, groups=sorted(groups), users=sorted(users))
    raise AccessRuleError(
        f"front matter access: {value!r} is not 'public', a list of groups, or "
        "{groups: [...], users: [...]}"
    )
