"""Metadata-looking text that we do not read: the shapes that fail a document rather than
let the restriction its author meant be lost (issue 27, finding 5).

The top of the text is scanned (its first ``WINDOW_LINES`` non-blank lines, below the front
matter; format characters such as U+200B removed, ``metadata_lines.py``), skipping blank
lines, comments and headings (Markdown ``#``/underlined, reStructuredText over- and
underlined, AsciiDoc ``=``). Refused:

* anywhere in that window: a comment (HTML ``<!-- -->``, ERB ``<%# %>``, Liquid
  ``{% comment %}``, Markdown ``[//]: # (...)``) holding a restriction-like ``key: value``
  line; a restriction-like key in metadata syntax (``:access:``, ``#+ACCESS:``,
  ``.. access:``, ``.. meta::``, an Org drawer, an MDX ``export const meta = {...}``); a
  block of ``key: value`` lines (fenced or not) with a restriction-like key;
* before any text (below blank lines, comments or a title only): a ``key: value`` block
  fenced by ``---``/``----``/``+++`` lines anywhere but at the very start of line 1 (below a
  title, only with a restriction-like key), a JSON object, and a paragraph opening with
  restriction-like ``key: value`` lines (``Access: HR only``, ``**Access:** HR only``).

Anywhere in Markdown or plain text: a ``<meta>`` tag with a restriction-like name.

Ordinary text is not mistaken for metadata: a block counts only when every line in it reads
as ``key: value`` (or a list item, an indented continuation, a comment) or a line opens with
a restriction-like word, so a page opening with a horizontal rule, a table or a sentence
reads as it always did.
"""

from __future__ import annotations

import re

from connectors.base import Section
from connectors.parsing.metadata import restriction_like
from connectors.parsing.metadata_lines import (
    field_key,
    heading_length,
    is_key_line,
    keyed_statement,
    line_key,
    visible,
)

_FENCE_LIKE = re.compile(r"^[\s\ufeff]*(-{3,}|\+{3,})[ \t]*$")
_LIST_OR_MORE = re.compile(r"^(?:\s*-\s|\s*-$|\s+\S|\s*#|\s*\[[\w.\" -]+\]\s*$)")
_LIST_MARK = re.compile(r"^\s*[-*+]\s+")
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_FIRST_WORD = re.compile(r"^[\s>*+-]*[\"']?([A-Za-z_][\w-]*)")
_JSON_START = re.compile(r'^\s*\{\s*"')
_COMMENTS = (("<!--", "-->"), ("<%#", "%>"), ("{% comment %}", "{% endcomment %}"))
_MARKDOWN_COMMENT = re.compile(r"""^\s*\[[^\]]*\]:\s*#\s*["'(](.*)["')]\s*$""")
_META_TAG = re.compile(r"<meta\b([^<>]{0,1000})", re.I)
_META_NAME = re.compile(r"""\b(?:name|property|itemprop|http-equiv)\s*=\s*["']?([^"'\s>]+)""", re.I)
_TABLE_ROW = re.compile(r"; [^;:]{1,60}: ")
SCAN_LINES, SCAN_CHARS = 400, 65_536
WINDOW_LINES = 20  # non-blank lines scanned below the front matter
_ADVICE = "put it in front matter: --- on the first line, access: [group, ...], ---"


def metadata_like(lines: list[str], *, unclosed: bool = False) -> bool:
    """Lines that read as metadata: every one ``key: value`` (or a list item, an indented
    continuation, a comment, a TOML table) with a ``key: value`` line first (for a block that
    never closes, the first line alone decides), or any line opening with a restriction-like
    word (``- access: [execs]``, ``access execs``)."""
    content = [line for line in lines if line.strip()]
    if not content:
        return False
    if is_key_line(content[0]) and (
        unclosed or all(is_key_line(x) or _LIST_OR_MORE.match(x) for x in content)
    ):
        return True
    return any(
        (word := _FIRST_WORD.match(line)) is not None and restriction_like(word.group(1))
        for line in content
    )


def block_restriction_key(lines: list[str], *, fenced: bool = False) -> str | None:
    """The restriction-like key of a block made only of ``key: value`` lines (list items,
    indented continuations and comments allowed after the first): ``Access: HR only``,
    ``access:`` then ``- execs``; None for a block with any other line. Keys of list items
    (``- access: x``) count only in a ``fenced`` block (in text they are labels)."""
    content = [line for line in lines if line.strip()]
    unmarked = [_LIST_MARK.sub("", line) if fenced else line for line in content]
    if not content or not (is_key_line(content[0]) or line_key(unmarked[0])):
        return None
    if not all(is_key_line(x) or _LIST_OR_MORE.match(x) for x in content):
        return None
    keys = [line_key(line) for line in unmarked]
    return next((key for key in keys if key and restriction_like(key)), None)


def leading_paragraph(lines: list[str]) -> list[str]:
    """The first run of non-blank lines (blank lines before it skipped)."""
    start = next((n for n, line in enumerate(lines) if line.strip()), len(lines))
    end = next((n for n in range(start, len(lines)) if not lines[n].strip()), len(lines))
    return lines[start:end]


def _leading_restriction_key(lines: list[str]) -> str | None:
    """The first restriction-like key among the ``key: value`` lines that open ``lines``
    (also quoted: ``> Access: HR only``; list items are labels: ``- **Assess:** try it``)."""
    for line in lines:
        key = line_key(_QUOTE.sub("", line))
        if key is None:
            return None
        if restriction_like(key):
            return key
    return None


def _comment_at(lines: list[str], i: int) -> tuple[int, str] | None:
    """(last line, text inside) of a comment starting at line ``i``; None if none does."""
    stripped = lines[i].strip()
    if single := _MARKDOWN_COMMENT.match(stripped):
        return i, single.group(1)
    for opener, closer in _COMMENTS:
        if stripped.startswith(opener):
            end = next((j for j in range(i, len(lines)) if closer in lines[j]), len(lines) - 1)
            joined = "\n".join(lines[i : end + 1]).split(opener, 1)[1]
            return end, joined.split(closer, 1)[0]
    return None


def _paragraph_at(lines: list[str], i: int) -> list[str]:
    """Line ``i`` and the non-blank lines after it, up to a comment, a fence, a heading or
    a line in metadata syntax."""
    end = i + 1
    while end < len(lines) and lines[end].strip():
        line = lines[end]
        if _FENCE_LIKE.match(line) or _comment_at(lines, end) or heading_length(lines, end):
            break
        if field_key(line) or keyed_statement(lines, end):
            break
        end += 1
    return lines[i:end]


def _fenced_block(lines: list[str], i: int, line_no: int, below: str, *, top: bool) -> str | None:
    """Why the block fenced at line ``i`` is metadata we do not read; None when it is not
    (a horizontal rule). Below a title or text, only a block with a restriction-like key."""
    fence = _FENCE_LIKE.match(lines[i])
    if fence is None:
        return None
    close = next((j for j in range(i + 1, len(lines)) if _FENCE_LIKE.match(lines[j])), None)
    block = lines[i + 1 : close] if close is not None else leading_paragraph(lines[i + 1 :])
    if top and not metadata_like(block, unclosed=close is None):
        return None
    if not top and block_restriction_key(block, fenced=True) is None:
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


def _key_reason(key: str, line_no: int, shape: str = "starts metadata") -> str:
    return (
        f"line {line_no} {shape} with the key {key!r}, which is not read outside front "
        f"matter; skipped so that its restriction is not lost ({_ADVICE})"
    )


def unread_metadata(text: str, *, first_line: int = 1, after: bool = False) -> str | None:
    """Why the top of ``text`` is metadata we do not read, or None. ``first_line`` is the
    file's line number of the text's first line; ``after`` says front matter came before."""
    lines = [visible(line) for line in text[:SCAN_CHARS].splitlines()[:SCAN_LINES]]
    below = "the front matter" if after else ""
    i, scanned, place = 0, 0, "top"  # top: nothing but blank lines and comments; title; text
    while i < len(lines) and scanned < WINDOW_LINES:
        line, line_no = lines[i], first_line + i
        if not line.strip():
            below = below or "blank lines"
            i += 1
            continue
        start = i
        if comment := _comment_at(lines, i):
            keys = [key for x in comment[1].splitlines() if (key := line_key(x.strip()))]
            if restrictive := [key for key in keys if restriction_like(key)]:
                return (
                    f"a comment at line {line_no} holds {restrictive[0]!r}: metadata in "
                    f"comments is not read; skipped so that its restriction is not lost "
                    f"({_ADVICE})"
                )
            below, i = below if place != "top" else "a comment", comment[0] + 1
        elif statement := keyed_statement(lines, i):
            return _key_reason(statement[1], line_no, "starts a statement of metadata")
        elif (key := field_key(line)) and restriction_like(key):
            return _key_reason(key, line_no, "is a metadata field")
        elif fenced := _fenced_block(lines, i, line_no, below, top=place == "top"):
            return fenced
        elif _FENCE_LIKE.match(line):
            i += 1  # a horizontal rule
        elif place != "text" and (
            _JSON_START.match(line)
            or (line.strip() == "{" and lines[i + 1 : i + 2] and lines[i + 1].lstrip()[:1] == '"')
        ):
            return (
                f"a JSON object starts at line {line_no}, below {below or 'a space'}; it is not "
                "read as front matter: JSON front matter starts at the very first character"
            )
        elif length := heading_length(lines, i):
            title = lines[i + 1] if length == 3 else line
            if length > 1 and (key := line_key(title)) and restriction_like(key):
                return _key_reason(key, first_line + i + length // 3)
            i += length
            place, below = ("title", "a title") if place == "top" else (place, below)
        else:
            paragraph = _paragraph_at(lines, i)
            key = (
                _leading_restriction_key(paragraph)
                if place != "text"
                else block_restriction_key(paragraph)
            )
            if key:
                return _key_reason(key, line_no)
            i, place = i + len(paragraph), "text"
        scanned += sum(1 for x in lines[start:i] if x.strip())
    return None


def office_top_text(sections: list[Section]) -> str:
    """The first lines of an Office file's text as Markdown (headings as ``#`` lines, one
    paragraph per line), for :func:`unread_metadata`: metadata typed into a Word file's first
    paragraphs is refused like the same lines at the top of a text file (each paragraph is a
    block of its own, as in a .txt with blank lines between them)."""
    out: list[str] = []
    path: list[str] = []
    for section in sections:
        if len(out) > SCAN_LINES:
            break
        if section.heading_path and section.heading_path != path:
            out += ["", "#" * min(len(section.heading_path), 6) + " " + section.heading_path[-1]]
        path = section.heading_path
        for line in section.text.splitlines()[:SCAN_LINES]:
            # a table row ("Role: Owner; Team: HR") is data, not a label
            out += ["", "" if _TABLE_ROW.search(line) else line]
    return "\n".join(out)


def restriction_meta_tag(text: str) -> str | None:
    """The name of a ``<meta>`` tag in Markdown or plain text that looks like a restriction."""
    for tag in _META_TAG.finditer(text):
        for name in _META_NAME.finditer(tag.group(1)):
            if restriction_like(name.group(1)):
                return name.group(1)
    return None
