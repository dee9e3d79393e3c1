r"""Markdown -> clean text split into heading sections.

Handles YAML front matter (parsed and stripped), template shortcodes (``{% ... %}``,
``{{ ... }}``) and ERB tags (``<% %>``, ``<%= %>``: GOV.UK tech-docs ``*.html.md.erb``
pages), HTML comments and inline tags, links and images, fenced code (kept as text, never
read as headings) and tables (kept as readable rows). Text comes out as it reads: hard-wrapped
paragraph lines are joined (a line is a sentence boundary downstream), list items keep their
continuation lines, blockquote markers, footnote references and backslash escapes (``\-``)
are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from connectors.base import Section
from connectors.errors import DocumentError

_FRONT_MATTER = re.compile(
    r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S
)
_FRONT_MATTER_OPEN = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
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


class FrontMatterError(DocumentError):
    """Front matter that cannot be read. The document is skipped (reported), never indexed
    without it: the front matter may be what restricts who may read the document."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML that refuses a key given twice (``access: [execs]`` then ``access: public``)."""


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
    for key in keys:
        if keys.count(key) > 1:
            raise FrontMatterError(f"front matter gives the key {key!r} twice")
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (front matter, body). Front matter that opens but never closes, is not valid
    YAML, or is not a mapping raises :class:`FrontMatterError` (fail closed)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        if _FRONT_MATTER_OPEN.match(text):
            raise FrontMatterError("front matter opens with --- but has no closing --- line")
        return {}, text
    try:
        data = yaml.load(match.group(1), Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise FrontMatterError(f"front matter is not valid YAML{where} ({problem})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError(
            f"front matter is a {type(data).__name__}, not a mapping of keys to values"
        )
    return data, text[match.end() :]


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
