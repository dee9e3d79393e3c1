r"""Markdown -> clean text split into heading sections.

Handles front matter (read, refused or stripped by ``front_matter.py``), template shortcodes
(``{% ... %}``, ``{{ ... }}``) and ERB tags (``<% %>``, ``<%= %>``: GOV.UK tech-docs
``*.html.md.erb`` pages), HTML comments and inline tags, links and images, fenced code (kept
as text, never read as headings) and tables (kept as readable rows). Text comes out as it
reads: hard-wrapped paragraph lines are joined (a line is a sentence boundary downstream),
list items keep their continuation lines, blockquote markers, footnote references and
backslash escapes (``\-``) are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from connectors.base import Section
from connectors.parsing.front_matter import FrontMatterError, split_front_matter

__all__ = ["FrontMatterError", "ParsedMarkdown", "parse_markdown", "split_front_matter"]

_SHORTCODE = re.compile(r"\{%-?.*?-?%\}|\{\{-?.*?-?\}\}|<%.*?%>", re.S)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~=<:])")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]]+\]")
_QUOTE_MARK = re.compile(r"^\s{0,3}(?:>\s?)+")
_INNER_SPACES = re.compile(r"(?<=\S) {2,}(?=\S)")
_LIST_START = re.compile(r"^\s*(?:[*\-+•]|\d+[.)])\s+")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HIDDEN_HTML = re.compile(
    r"<(\w+)[^>]*(?:\shidden[\s>=]|display\s*:\s*none|aria-hidden=\"true\")[^>]*>.*?</\1\s*>",
    re.S | re.I,
)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_LINK_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+.*$", re.M)
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(={3,}|-{3,})\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass
class ParsedMarkdown:
    title: str
    front_matter: dict[str, Any]
    sections: list[Section] = field(default_factory=list)


def slugify(heading: str) -> str:
    """GitHub-style heading anchor."""
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


def clean_inline(line: str) -> str:
    line = _QUOTE_MARK.sub("", line)
    line = _FOOTNOTE_REF.sub("", line)
    line = _IMAGE.sub(r"\1", line)
    line = _LINK.sub(r"\1", line)
    line = _REF_LINK.sub(r"\1", line)
    line = _EMPHASIS.sub(r"\2", line)
    line = _HTML_TAG.sub("", line)
    line = _ESCAPE.sub(r"\1", line)
    line = _INNER_SPACES.sub(" ", line)  # where a tag or link was removed
    return line.replace("&nbsp;", " ").replace("&amp;", "&").rstrip()


def _join_wrapped(buffer: list[str], line: str, raw: str) -> bool:
    """Append ``line`` to the previous buffered line when it continues the same paragraph
    or list item (a hard wrap); False when it starts something new."""
    if not buffer or not buffer[-1].strip() or not line.strip():
        return False
    if _LIST_START.match(_QUOTE_MARK.sub("", raw)) or line.lstrip().startswith("|"):
        return False  # (an escaped "\\-" starts no list: the raw line decides)
    previous = buffer[-1]
    if previous.lstrip().startswith("|") or previous.rstrip().endswith(":"):
        return False  # a table row; a line introducing a list keeps its own line
    buffer[-1] = previous.rstrip() + " " + line.strip()
    return True


def _strip_markup(body: str) -> str:
    body = _HTML_COMMENT.sub("", body)
    body = _HIDDEN_HTML.sub("", body)
    body = _SHORTCODE.sub("", body)
    return _LINK_DEF.sub("", body)


def parse_markdown(text: str, *, fallback_title: str) -> ParsedMarkdown:
    front_matter, body = split_front_matter(text)
    lines = _strip_markup(body).splitlines()

    sections: list[Section] = []
    path: list[tuple[int, str]] = []
    buffer: list[str] = []
    first_heading = ""

    def flush() -> None:
        content = "\n".join(buffer).strip()
        buffer.clear()
        if content:
            anchor = slugify(path[-1][1]) if path else ""
            sections.append(Section(heading_path=[h for _, h in path], text=content, anchor=anchor))

    in_fence = False
    i = 0
    while i < len(lines):
        raw = lines[i]
        i += 1
        if _FENCE.match(raw):
            in_fence = not in_fence
            continue
        if in_fence:
            buffer.append(raw.rstrip())
            continue
        level, title = _heading_at(raw, lines[i] if i < len(lines) else "", buffer)
        if level:
            if not _HEADING.match(raw):
                i += 1  # skip the setext underline
            flush()
            if not title:
                continue
            first_heading = first_heading or title
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, title))
            continue
        if _TABLE_RULE.match(raw):
            continue
        line = clean_inline(raw)
        if line.lstrip().startswith("|"):
            line = " | ".join(c.strip() for c in line.strip().strip("|").split("|"))
        if not _join_wrapped(buffer, line, raw):
            buffer.append(line)
    flush()

    fm_title = front_matter.get("title")
    title = str(fm_title).strip() if fm_title else first_heading or fallback_title
    return ParsedMarkdown(title=title, front_matter=front_matter, sections=sections)


def _heading_at(line: str, next_line: str, buffer: list[str]) -> tuple[int, str]:
    """(level, title) if ``line`` is an ATX heading, or a setext heading (a line after a
    blank line, underlined with === or ---); (0, "") otherwise."""
    atx = _HEADING.match(line)
    if atx:
        return len(atx.group(1)), clean_inline(atx.group(2)).strip()
    starts_paragraph = not buffer or not buffer[-1].strip()
    underline = _SETEXT.match(next_line)
    if underline and line.strip() and starts_paragraph and not line.lstrip().startswith("|"):
        level = 1 if underline.group(1).startswith("=") else 2
        return level, clean_inline(line).strip()
    return 0, ""
