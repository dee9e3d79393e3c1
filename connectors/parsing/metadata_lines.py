"""What one line (or a few) at the top of a document is, for the metadata scan in
``unread_metadata.py``: a ``key: value`` line in any of the syntaxes people write metadata
in, a heading, or a statement that carries keys (MDX ``export``, reStructuredText
``.. meta::``, an Org ``:PROPERTIES:`` drawer).

Key lines: ``key: value`` (YAML, MultiMarkdown), ``key = value`` (TOML), ``**Key:** value``
(bold labels), ``#+KEY: value`` (Org), ``:key: value`` (reStructuredText fields, AsciiDoc
attributes, Org properties) and ``.. key: value`` (a reStructuredText comment). The last
three are metadata syntax wherever they stand; the others only in the places the scan says.

Lines are looked at with Unicode format characters removed (category Cf: U+200B, U+2060,
U+FEFF, soft hyphens, bidi marks), so an invisible character cannot hide a fence or a key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from connectors.parsing.metadata import restriction_like

# ``key: value`` (YAML), ``key = value`` (TOML), ``:key: value`` (reStructuredText fields);
# in a fenced block a key may have spaces
KEY_LINE = re.compile(
    r"""^\s{0,3}(?::([A-Za-z_][\w .-]*):|["']?([A-Za-z_][\w.:-]*)["']?\s*[:=])(?:\s|$)"""
)
SPACED_KEY_LINE = re.compile(
    r"""^\s{0,3}["']?([A-Za-z_][\w.-]*(?: [A-Za-z_][\w.-]*){0,3})["']?\s*[:=](?:\s|$)"""
)
_BOLD_KEY = re.compile(r"^\s{0,3}(\*\*|__|\*|_)([A-Za-z_][\w .-]{0,40}?)\s*(?::\1|\1\s*:)(?:\s|$)")
# metadata syntax wherever it stands: ``:key: value``, ``#+KEY: value``, ``.. key: value``
_FIELD_KEY = re.compile(r"^\s*:([A-Za-z_][\w .-]{0,60}):(?:\s|$)")
_ORG_KEY = re.compile(r"^\s*#\+([A-Za-z_][\w-]*):")
_RST_COMMENT_KEY = re.compile(r"""^\s*\.\.\s+(?!_)["']?([A-Za-z_][\w.-]*)["']?\s*[:=](?:\s|$)""")
_ATX_HEADING = re.compile(r"^\s{0,3}(?:#{1,6}|={1,6})(?:\s|$)")  # Markdown; AsciiDoc ``= T``
TITLE_ADORNMENT = re.compile(r"""^\s*([=\-~^"'`#*+:.])\1{2,}\s*$""")
_EXPORT = re.compile(r"^\s*export\s+(?:default\b|(?:const|let|var|function)\s+([A-Za-z_$][\w$]*))")
_OBJECT_KEY = re.compile(r"""(?<![\w$-])["']?([A-Za-z_$][\w$-]*)["']?\s*:(?!:)""")
_RST_META = re.compile(r"^\s*\.\.\s+meta::\s*$")
_ORG_DRAWER = re.compile(r"^\s*:PROPERTIES:\s*$", re.I)
_ORG_DRAWER_END = re.compile(r"^\s*:END:\s*$", re.I)


def visible(line: str) -> str:
    """``line`` without Unicode format characters (category Cf)."""
    if line.isascii():
        return line
    return "".join(c for c in line if unicodedata.category(c) != "Cf")


def line_key(line: str) -> str | None:
    """The key of a ``key: value`` line in any of the syntaxes above; None otherwise."""
    for pattern in (KEY_LINE, _BOLD_KEY, _ORG_KEY, _RST_COMMENT_KEY):
        match = pattern.match(line)
        if match:
            return next(group for group in reversed(match.groups()) if group is not None)
    return None


def field_key(line: str) -> str | None:
    """The key of a line in a syntax that is metadata wherever it stands (``:key:``,
    ``#+KEY:``, ``.. key:``), at any indentation."""
    for pattern in (_FIELD_KEY, _ORG_KEY, _RST_COMMENT_KEY):
        match = pattern.match(line)
        if match:
            return match.group(1)
    return None


def is_key_line(line: str) -> bool:
    """A ``key: value`` line, the key possibly of a few words (``Reviewed by: Ann``)."""
    return bool(line_key(line) or SPACED_KEY_LINE.match(line))


def heading_length(lines: list[str], i: int) -> int:
    """How many lines the heading at line ``i`` takes: 1 for ``# Title`` (Markdown) or
    ``= Title`` (AsciiDoc), 2 for an underlined title, 3 for an over- and underlined one;
    0 when line ``i`` starts no heading."""
    line = lines[i]
    if _ATX_HEADING.match(line) and not TITLE_ADORNMENT.match(line):
        return 1
    after = lines[i + 1] if i + 1 < len(lines) else ""
    if TITLE_ADORNMENT.match(line):
        below = lines[i + 2] if i + 2 < len(lines) else ""
        if after.strip() and not TITLE_ADORNMENT.match(after) and TITLE_ADORNMENT.match(below):
            return 3
        return 0
    return 2 if line.strip() and TITLE_ADORNMENT.match(after) else 0


def keyed_statement(lines: list[str], i: int) -> tuple[int, str] | None:
    """(last line, first restriction-like key) of a statement at line ``i`` that carries
    keys: an MDX ``export`` (``export const meta = {access: ...}``), a reStructuredText
    ``.. meta::`` directive or an Org ``:PROPERTIES:`` drawer; None when line ``i`` starts
    none, or the statement has no restriction-like key."""
    if match := _EXPORT.match(lines[i]):
        end = _block_end(lines, i, stop=lambda line: not line.strip())
        names = [match.group(1) or ""] + [
            key.group(1) for line in lines[i : end + 1] for key in _OBJECT_KEY.finditer(line)
        ]
    elif _RST_META.match(lines[i]):
        end = _block_end(lines, i, stop=lambda line: bool(line.strip()) and not line[:1].isspace())
        names = [field_key(line) or "" for line in lines[i + 1 : end + 1]]
    elif _ORG_DRAWER.match(lines[i]):
        end = _block_end(lines, i, stop=lambda line: bool(_ORG_DRAWER_END.match(line)))
        names = [field_key(line) or "" for line in lines[i + 1 : end + 1]]
    else:
        return None
    restrictive = [name for name in names if name and restriction_like(name)]
    return (end, restrictive[0]) if restrictive else None


def _block_end(lines: list[str], i: int, *, stop: Callable[[str], bool]) -> int:
    """The last line before the first line after ``i`` for which ``stop`` holds."""
    return next((j - 1 for j in range(i + 1, len(lines)) if stop(lines[j])), len(lines) - 1)
