"""HTML -> clean text split into heading sections (stdlib parser, no network).

Scripts, styles and hidden elements (``hidden``, ``aria-hidden="true"``,
``display:none``) are dropped: hidden text is never indexed, so it can never reach an answer.
A ``<meta>`` whose name looks like a restriction (``access``, ``dc.accessRights``,
``wikibot:groups``) fails the document (``metadata.py``): meta tags are not read, and the
restriction its author meant must not be lost; so does a comment before the page's text
(``<title>Plan</title><!-- access: execs -->``) holding a restriction-like ``key: value``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

from connectors.base import Section
from connectors.parsing.markdown import slugify
from connectors.parsing.metadata import MetadataError, meta_tag_reason, restriction_like
from connectors.parsing.metadata_lines import line_key, visible

_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head"}
_VOID_TAGS = {
    "br",
    "hr",
    "img",
    "input",
    "meta",
    "link",
    "area",
    "base",
    "col",
    "embed",
    "source",
    "track",
    "wbr",
}
_BLOCK_TAGS = {
    "p",
    "div",
    "li",
    "tr",
    "table",
    "section",
    "article",
    "ul",
    "ol",
    "pre",
    "blockquote",
    "dd",
    "dt",
    "header",
    "footer",
    "main",
    "nav",
    "br",
    "hr",
}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_META_NAMES = ("name", "property", "itemprop", "http-equiv")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


@dataclass
class ParsedHtml:
    title: str
    sections: list[Section] = field(default_factory=list)


class _SectionCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[Section] = []
        self.path: list[tuple[int, str, str]] = []  # level, title, anchor
        self.buffer: list[str] = []
        self.heading: tuple[int, list[str], str] | None = None
        self.hidden_depth = 0
        self.stack: list[tuple[str, bool]] = []  # tag, hides its content
        self.open_tags: Counter[str] = Counter()  # how many of each tag are on the stack
        self.doc_title = ""
        self.first_heading = ""
        self._in_title = False
        self.restriction_meta: list[str] = []  # names of <meta> tags that look restrictive
        self.restriction_comment: list[str] = []  # restriction-like keys in leading comments
        self.text_seen = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k.lower(): (v or "") for k, v in attrs}
        if tag == "title":
            self._in_title = True
        if tag == "meta":
            names = [attr[k] for k in _META_NAMES if attr.get(k)]
            self.restriction_meta += [name for name in names if restriction_like(name)]
        if tag in _VOID_TAGS:
            if tag in ("br", "hr"):
                self.buffer.append("\n")
            return
        hides = (
            tag in _SKIP_TAGS
            or "hidden" in attr
            or attr.get("aria-hidden", "").lower() == "true"
            or bool(_HIDDEN_STYLE.search(attr.get("style", "")))
        )
        self.stack.append((tag, hides))
        self.open_tags[tag] += 1
        if hides:
            self.hidden_depth += 1
            return
        if tag in _HEADINGS and not self.hidden_depth:
            self._flush()
            self.heading = (_HEADINGS[tag], [], attr.get("id", ""))
        elif tag in _BLOCK_TAGS:
            self.buffer.append("\n")
        if tag == "li":
            self.buffer.append("* ")
        elif tag in ("td", "th"):
            self.buffer.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _VOID_TAGS:
            return
        # pop to the matching tag (tolerates unclosed tags; one never opened is ignored at
        # once, so a page of stray end tags is read in linear time)
        while self.open_tags[tag]:
            popped, hides = self.stack.pop()
            self.open_tags[popped] -= 1
            self.hidden_depth -= hides
            if popped == tag:
                break
        if tag in _HEADINGS and self.heading and not self.hidden_depth:
            level, parts, anchor = self.heading
            self.heading = None
            title = " ".join("".join(parts).split())
            if title:
                self.first_heading = self.first_heading or title
                while self.path and self.path[-1][0] >= level:
                    self.path.pop()
                self.path.append((level, title, anchor or slugify(title)))
        elif tag in _BLOCK_TAGS:
            self.buffer.append("\n")

    def handle_comment(self, data: str) -> None:
        """A comment before the page's first text (in the head, after the title) holding a
        restriction-like ``key: value`` line: metadata we do not read."""
        if self.text_seen:
            return
        keys = [key for line in data.splitlines() if (key := line_key(visible(line).strip()))]
        self.restriction_comment += [key for key in keys if restriction_like(key)]

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.doc_title += data
            return
        if self.hidden_depth:
            return
        self.text_seen = self.text_seen or bool(data.strip())
        if not self.open_tags["pre"]:
            data = data.replace("\r", " ").replace("\n", " ")  # source line breaks are spaces
        if self.heading is not None:
            self.heading[1].append(data)
        else:
            self.buffer.append(data)

    def _flush(self) -> None:
        text = "".join(self.buffer)
        self.buffer.clear()
        lines = [" ".join(line.split()) for line in text.splitlines()]
        content = "\n".join(line for line in lines if line and line not in ("*", "|"))
        if content:
            self.sections.append(
                Section(
                    heading_path=[t for _, t, _ in self.path],
                    text=content,
                    anchor=self.path[-1][2] if self.path else "",
                )
            )

    def finish(self) -> None:
        self.close()
        self._flush()


def _completed_markup(text: str) -> str:
    """``text`` as the stdlib parser reads it in linear time: it rescans the rest of the page
    from every ``<`` that cannot end (120 KB of ``<meta `` took 67 s, 200 KB of ``<!--`` 30 s).
    A ``<`` after the last ``>`` starts no tag (it is text), and a comment left open hides the
    rest of the page, as in a browser."""
    last_gt = text.rfind(">")
    if "<" in text[last_gt + 1 :]:
        text = text[: last_gt + 1] + text[last_gt + 1 :].replace("<", "&lt;")
    last_close = text.rfind("-->")
    if text.find("<!--", last_close + 3 if last_close >= 0 else 0) >= 0:
        text += "-->"
    return text


def parse_html(text: str, *, fallback_title: str) -> ParsedHtml:
    collector = _SectionCollector()
    collector.feed(_completed_markup(text))
    collector.finish()
    if collector.restriction_meta:
        raise MetadataError(meta_tag_reason(collector.restriction_meta[0]))
    if collector.restriction_comment:
        raise MetadataError(
            f"an HTML comment before the page's text holds {collector.restriction_comment[0]!r}: "
            "metadata in comments is not read; skipped so that its restriction is not lost "
            "(write 'access: [group, ...]' in front matter, or a .wikibot-acl.yaml rule)"
        )
    title = " ".join(collector.doc_title.split()) or collector.first_heading or fallback_title
    return ParsedHtml(title=title, sections=collector.sections)
