"""Metadata-looking text that we do not read: the shapes that fail a document rather than
let the restriction its author meant be lost (issue 27, finding 5).

At the top of the text (after blank lines and comments): a ``key: value`` block fenced by
``---``/``----``/``+++`` lines anywhere but at the very start of line 1, a JSON object, and
``key: value`` lines (or reStructuredText ``:field: value`` lines, also under a title) with
a restriction-like key; in a leading comment (HTML ``<!-- -->``, ERB ``<%# %>``, Liquid
``{% comment %}``, Markdown ``[//]: # (...)``), a restriction-like ``key: value`` line.
Anywhere in Markdown or plain text: a ``<meta>`` tag with a restriction-like name.

Ordinary text is not mistaken for metadata: a fenced block counts only when every line in it
reads as ``key: value`` (or a list item, an indented continuation, a comment) or a line
opens with a restriction-like word, so a page opening with a horizontal rule, a table or a
sentence reads as it always did.
"""

from __future__ import annotations

import re

from connectors.parsing.metadata import restriction_like

_FENCE_LIKE = re.compile(r"^[\s\ufeff]*(-{3,}|\+{3,})[ \t]*$")
# ``key: value`` (YAML), ``key = value`` (TOML), ``:key: value`` (reStructuredText fields);
# in a fenced block a key may have spaces
_KEY_LINE = re.compile(
    r"""^\s{0,3}(?::([A-Za-z_][\w .-]*):|["']?([A-Za-z_][\w.:-]*)["']?\s*[:=])(?:\s|$)"""
)
_SPACED_KEY_LINE = re.compile(
    r"""^\s{0,3}["']?([A-Za-z_][\w.-]*(?: [A-Za-z_][\w.-]*){0,3})["']?\s*[:=](?:\s|$)"""
)
_LIST_OR_MORE = re.compile(r"^(?:\s*-\s|\s*-$|\s+\S|\s*#|\s*\[[\w.\" -]+\]\s*$)")
_FIRST_WORD = re.compile(r"^[\s>*+-]*[\"']?([A-Za-z_][\w-]*)")
_JSON_START = re.compile(r'^\s*\{\s*"')
_COMMENTS = (("<!--", "-->"), ("<%#", "%>"), ("{% comment %}", "{% endcomment %}"))
_MARKDOWN_COMMENT = re.compile(r"""^\s*\[[^\]]*\]:\s*#\s*["'(](.*)["')]\s*$""")
_TITLE_ADORNMENT = re.compile(r"""^\s*([=\-~^"'`#*+:.])\1{2,}\s*$""")
_META_TAG = re.compile(r"<meta\b([^<>]{0,1000})", re.I)
_META_NAME = re.compile(r"""\b(?:name|property|itemprop|http-equiv)\s*=\s*["']?([^"'\s>]+)""", re.I)
SCAN_LINES, SCAN_CHARS = 400, 65_536
_ADVICE = "put it in front matter: --- on the first line, access: [group, ...], ---"


def metadata_like(lines: list[str], *, unclosed: bool = False) -> bool:
    """Lines that read as metadata: every one ``key: value`` (or a list item, an indented
    continuation, a comment, a TOML table) with a ``key: value`` line first (for a block that
    never closes, the first line alone decides), or any line opening with a restriction-like
    word (``- access: [execs]``, ``access execs``)."""
    content = [line for line in lines if line.strip()]
    if not content:
        return False
    if _key_line(content[0]) and (
        unclosed or all(_key_line(x) or _LIST_OR_MORE.match(x) for x in content)
    ):
        return True
    return any(
        (word := _FIRST_WORD.match(line)) is not None and restriction_like(word.group(1))
        for line in content
    )


def _key_line(line: str) -> bool:
    return bool(_KEY_LINE.match(line) or _SPACED_KEY_LINE.match(line))


def leading_paragraph(lines: list[str]) -> list[str]:
    """The first run of non-blank lines (blank lines before it skipped)."""
    start = next((n for n, line in enumerate(lines) if line.strip()), len(lines))
    end = next((n for n in range(start, len(lines)) if not lines[n].strip()), len(lines))
    return lines[start:end]


def _restriction_keys(lines: list[str], *, leading_only: bool) -> list[str]:
    """The restriction-like keys of ``key: value`` lines: only those that open ``lines``
    (``leading_only``), or any line's."""
    keys = []
    for line in lines:
        match = _KEY_LINE.match(line)
        if match:
            keys.append(match.group(1) or match.group(2))
        elif leading_only:
            break
    return [key for key in keys if restriction_like(key)]


def _is_title(paragraph: list[str]) -> bool:
    """``Title`` underlined, or over- and underlined (``=====``, ``-----``, ``~~~~~``)."""
    if len(paragraph) == 2:
        return bool(_TITLE_ADORNMENT.match(paragraph[1])) and not _TITLE_ADORNMENT.match(
            paragraph[0]
        )
    return len(paragraph) == 3 and all(_TITLE_ADORNMENT.match(x) for x in paragraph[::2])


def _comment_at(lines: list[str], i: int) -> tuple[int, str] | None:
    """(last line, text inside) of a comment starting at line ``i``; None if none does."""
    stripped = lines[i].strip().lstrip("\ufeff")
    if single := _MARKDOWN_COMMENT.match(stripped):
        return i, single.group(1)
    for opener, closer in _COMMENTS:
        if stripped.startswith(opener):
            end = next((j for j in range(i, len(lines)) if closer in lines[j]), len(lines) - 1)
            joined = "\n".join(lines[i : end + 1]).split(opener, 1)[1]
            return end, joined.split(closer, 1)[0]
    return None


def _fenced_block(lines: list[str], i: int, line_no: int, below: str) -> str | None:
    fence = _FENCE_LIKE.match(lines[i])
    if fence is None:
        return None
    close = next((j for j in range(i + 1, len(lines)) if _FENCE_LIKE.match(lines[j])), None)
    block = lines[i + 1 : close] if close is not None else leading_paragraph(lines[i + 1 :])
    if not metadata_like(block, unclosed=close is None):
        return None
    marker = fence.group(1)
    if below:
        shape = f"starts at line {line_no}, below {below}"
    elif marker not in ("---", "+++"):
        shape = f"is fenced by {marker!r} lines"
    else:
        shape = "does not start at the beginning of the first line"
    return (
        f"a metadata block ({marker} ... key: value) {shape}; it is not read as front matter: "
        "front matter starts on the very first line with exactly --- (YAML) or +++ (TOML)"
    )


def unread_metadata(text: str, *, first_line: int = 1, after: bool = False) -> str | None:
    """Why the top of ``text`` is metadata we do not read, or None. ``first_line`` is the
    file's line number of the text's first line; ``after`` says front matter came before."""
    lines = text[:SCAN_CHARS].splitlines()[:SCAN_LINES]
    i, below = 0, "the front matter" if after else ""
    while i < len(lines):
        if not lines[i].strip().lstrip("\ufeff").strip():
            below, i = below or "blank lines", i + 1
            continue
        comment = _comment_at(lines, i)
        if comment is None:
            break
        keys = _restriction_keys(comment[1].splitlines(), leading_only=False)
        if keys:
            return (
                f"a comment at line {first_line + i} holds {keys[0]!r}: metadata in comments "
                f"is not read; skipped so that its restriction is not lost ({_ADVICE})"
            )
        below, i = "a comment", comment[0] + 1
    if i >= len(lines):
        return None
    line_no = first_line + i
    fenced = _fenced_block(lines, i, line_no, below)
    if fenced:
        return fenced
    if _JSON_START.match(lines[i]) or (
        lines[i].strip() == "{" and i + 1 < len(lines) and lines[i + 1].lstrip().startswith('"')
    ):
        return (
            f"a JSON object starts at line {line_no}, below {below or 'a space'}; it is not "
            "read as front matter: JSON front matter starts at the very first character"
        )
    paragraph = leading_paragraph(lines[i:])
    if _is_title(paragraph):  # a reStructuredText title, then its fields
        i += len(paragraph)
        i += next((n for n, line in enumerate(lines[i:]) if line.strip()), 0)
        paragraph, line_no = leading_paragraph(lines[i:]), first_line + i
    keys = _restriction_keys(paragraph, leading_only=True)
    if keys:
        return (
            f"line {line_no} starts metadata with the key {keys[0]!r}, which is not read "
            f"outside front matter; skipped so that its restriction is not lost ({_ADVICE})"
        )
    return None


def restriction_meta_tag(text: str) -> str | None:
    """The name of a ``<meta>`` tag in Markdown or plain text that looks like a restriction."""
    for tag in _META_TAG.finditer(text):
        for name in _META_NAME.finditer(tag.group(1)):
            if restriction_like(name.group(1)):
                return name.group(1)
    return None
