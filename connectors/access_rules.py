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
stops the folder from being indexed; a bad ``access:`` value, or any other restriction-like
key (``groups:``, ``Access:``, ``wikibot: {access: ...}``; connectors/parsing/metadata.py),
skips that document (reported).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors.base import DocumentACL
from connectors.errors import SourceConfigError
from connectors.parsing.metadata import restriction_key_reason, unknown_restriction_key

RULES_FILE = ".wikibot-acl.yaml"


class AccessRuleError(SourceConfigError):
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


STARS = ("*", "**", "**/")


class GlobPattern:
    """A path glob (``*`` within a folder, ``?`` one character, ``**`` across folders,
    ``**/`` zero or more folders), matched by simulating its automaton over the path: time is
    linear in the path for a given pattern, whatever the pattern (a regex translation
    backtracks exponentially on patterns like ``**a**a**a**b``). Kept by hand rather than
    taking ``pathspec``, which translates globs to Python regular expressions and so inherits
    that backtracking: an admin's rules file must not be able to stall an index run."""

    def __init__(self, pattern: str) -> None:
        tokens: list[str] = []
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                tokens.append("**/")
                i += 3
            elif pattern.startswith("**", i):
                tokens.append("**")
                i += 2
            else:
                tokens.append(pattern[i] if pattern[i] in "*?" else "=" + pattern[i])
                i += 1
        self.tokens = tokens

    def _closure(self, states: set[tuple[int, bool]]) -> set[tuple[int, bool]]:
        """Add the states reachable without reading a character: a star may match nothing,
        but ``**/`` only before it has started a folder name."""
        todo = list(states)
        while todo:
            state, inside = todo.pop()
            star = not inside and state < len(self.tokens) and self.tokens[state] in STARS
            if star and (state + 1, False) not in states:
                states.add((state + 1, False))
                todo.append((state + 1, False))
        return states

    def _step(self, state: int, char: str) -> tuple[int, bool] | None:
        token = self.tokens[state]
        if token == "**" or (token == "*" and char != "/"):
            return state, False
        if token == "**/":
            return state, char != "/"  # inside a folder name until its "/"
        if (token == "?" and char != "/") or token == "=" + char:
            return state + 1, False
        return None

    def match(self, path: str) -> bool:
        states = self._closure({(0, False)})
        end = len(self.tokens)
        for char in path:
            following = {
                moved
                for state, _ in states
                if state < end and (moved := self._step(state, char)) is not None
            }
            if not following:
                return False
            states = self._closure(following)
        return (end, False) in states


class AccessRules:
    def __init__(self, rules: list[AccessRule]) -> None:
        self.rules = [(GlobPattern(r.path.strip("/")), r) for r in rules]

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
        unknown = unknown_restriction_key(front_matter)
        if unknown is not None:
            raise AccessRuleError(restriction_key_reason(unknown))
        if "access" in front_matter:
            return access_from_front_matter(front_matter["access"])
        acl = DocumentACL()
        for pattern, rule in self.rules:
            if pattern.match(relative):
                acl = rule.acl()
        return acl


def access_from_front_matter(value: Any) -> DocumentACL:
    """Only the documented forms; anything else (``access: yes``, a number, a date, a string
    where a list belongs) is refused, never read as public."""
    if value == "public":
        return DocumentACL(public=True)
    if isinstance(value, str) and value.strip():
        return DocumentACL(public=False, groups=[value.strip()])
    if isinstance(value, list) and value and all(isinstance(g, str) and g for g in value):
        return DocumentACL(public=False, groups=sorted(value))
    if isinstance(value, dict) and set(value) <= {"groups", "users"} and value:
        groups, users = value.get("groups") or [], value.get("users") or []
        names = [*groups, *users] if isinstance(groups, list) and isinstance(users, list) else []
        if names and all(isinstance(x, str) and x.strip() for x in names):
            return DocumentACL(public=False, groups=sorted(groups), users=sorted(users))
    raise AccessRuleError(
        f"front matter access: {value!r} is not 'public', a list of groups, or "
        "{groups: [...], users: [...]}"
    )
