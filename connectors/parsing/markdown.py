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
from connectors.parsing.markup_spans import (
    COMMENTS,
    TEMPLATE_TAGS,
    remove_hidden_elements,
    remove_spans,
)

__all__ = ["FrontMatterError", "ParsedMarkdown", "parse_markdown", "split_front_matter"]

_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~=<:])")
_FOOTNOTE_REF = re.compile(r"\[\^[^\[\]]+\]")
_QUOTE_MARK = re.compile(r"^\s{0,3}(?:>\s?)+")
_INNER_SPACES = re.compile(r"(?<=\S) {2,}(?=\S)")
_LIST_START = re.compile(r"^\s*(?:[*\-+•]|\d+[.)])\s+")
# Every pattern here runs in linear time: no class can run past the delimiter that ends it
# (``[^\[\]]``, ``[^<>]``, ``[^()]``), so an opener without its closer costs the distance to
# the next opener, not the rest of the text. A link target may hold one level of parentheses.
_URL = r"\([^()]*(?:\([^()]*\)[^()]*)*\)"
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_IMAGE = re.compile(r"!\[([^\[\]]*)\]" + _URL)
_LINK = re.compile(r"\[([^\[\]]+)\]" + _URL)
_REF_LINK = re.compile(r"\[([^\[\]]+)\]\[[^\[\]]*\]")
_LINK_DEF = re.compile(r"^\s{0,3}\[[^\[\]]+\]:\s+\S+.*$", re.M)
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_HEADING = re.compile(r"^(#{1,6})\s")
_SETEXT = re.compile(r"^\s{0,3}(={3,}|-{3,})\s*$")
_TABLE_RULE_CELL = re.compile(r":?-{3,}:?")
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
    """A line as it reads: markup dropped (each pattern tried only where its mark is)."""
    line = _QUOTE_MARK.sub("", line)
    if "[" in line:
        line = _FOOTNOTE_REF.sub("", line)
        line = _IMAGE.sub(r"\1", line)
        line = _LINK.sub(r"\1", line)
        line = _REF_LINK.sub(r"\1", line)
    if "**" in line or "__" in line:
        line = _EMPHASIS.sub(r"\2", line)
    if "<" in line:
        line = _HTML_TAG.sub("", line)
    if "\\" in line:
        line = _ESCAPE.sub(r"\1", line)
    line = _INNER_SPACES.sub(" ", line)  # where a tag or link was removed
    return line.replace("&nbsp;", " ").replace("&amp;", "&").rstrip()


class _Lines:
    """The lines of the section being read. A hard-wrapped line is kept as parts of the line
    it continues and joined once, at the end (joining as lines come is quadratic: a 200,000
    line paragraph took 21 s)."""

    def __init__(self) -> None:
        self.parts: list[list[str]] = []

    def add(self, line: str) -> None:
        self.parts.append([line])

    def ends_paragraph(self) -> bool:
        """Nothing read yet, or the last line is blank: the next line starts a paragraph."""
        return not self.parts or not self.parts[-1][0].strip()

    def join_wrapped(self, line: str, raw: str) -> bool:
        """Append ``line`` to the previous line when it continues the same paragraph or list
        item (a hard wrap); False when it starts something new."""
        if self.ends_paragraph() or not line.strip():
            return False
        if _LIST_START.match(_QUOTE_MARK.sub("", raw)) or line.lstrip().startswith("|"):
            return False  # (an escaped "\\-" starts no list: the raw line decides)
        previous = self.parts[-1]
        if previous[0].lstrip().startswith("|") or previous[-1].rstrip().endswith(":"):
            return False  # a table row; a line introducing a list keeps its own line
        previous.append(line.strip())
        return True

    def take(self) -> str:
        """The text read since the last call, hard-wrapped lines joined."""
        lines = [p[0] if len(p) == 1 else " ".join([p[0].rstrip(), *p[1:]]) for p in self.parts]
        self.parts = []
        return "\n".join(lines)


def _strip_markup(body: str) -> str:
    body = remove_spans(body, COMMENTS)
    body = remove_hidden_elements(body)
    body = remove_spans(body, TEMPLATE_TAGS)
    return _LINK_DEF.sub("", body)


def parse_markdown(text: str, *, fallback_title: str) -> ParsedMarkdown:
    front_matter, body = split_front_matter(text)
    lines = _strip_markup(body).splitlines()

    sections: list[Section] = []
    path: list[tuple[int, str]] = []
    buffer = _Lines()
    first_heading = ""

    def flush() -> None:
        content = buffer.take().strip()
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
            buffer.add(raw.rstrip())
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
        if _table_rule(raw):
            continue
        line = clean_inline(raw)
        if line.lstrip().startswith("|"):
            line = " | ".join(c.strip() for c in line.strip().strip("|").split("|"))
        if not buffer.join_wrapped(line, raw):
            buffer.add(line)
    flush()

    fm_title = front_matter.get("title")
    title = str(fm_title).strip() if fm_title else first_heading or fallback_title
    return ParsedMarkdown(title=title, front_matter=front_matter, sections=sections)


def _table_rule(line: str) -> bool:
    """A table's header rule (``|---|:---:|``), read cell by cell."""
    if "---" not in line:
        return False
    cells = line.strip()
    cells = cells[1:] if cells.startswith("|") else cells
    cells = cells[:-1] if cells.endswith("|") else cells
    return all(_TABLE_RULE_CELL.fullmatch(cell.strip()) for cell in cells.split("|"))


def _heading_at(line: str, next_line: str, buffer: _Lines) -> tuple[int, str]:
    """(level, title) if ``line`` is an ATX heading, or a setext heading (a line after a
    blank line, underlined with === or ---); (0, "") otherwise."""
    atx = _HEADING.match(line)
    if atx:  # the title without the closing #s (``## Title ##``), read without a regex
        title = line[len(atx.group(1)) :].strip().rstrip("#").rstrip()
        return len(atx.group(1)), clean_inline(title).strip()
    starts_paragraph = buffer.ends_paragraph()
    underline = _SETEXT.match(next_line)
    if underline and line.strip() and starts_paragraph and not line.lstrip().startswith("|"):
        level = 1 if underline.group(1).startswith("=") else 2
        return level, clean_inline(line).strip()
    return 0, ""
