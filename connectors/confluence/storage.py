"""Confluence storage format (XHTML with ``ac:``/``ri:`` elements) -> clean HTML -> sections.

Macros are rewritten into plain HTML before the shared HTML section parser runs, so
headings still split sections and tables stay rows of cells:

* ``code`` / ``noformat``: the code as a ``<pre>`` block (CDATA body kept verbatim);
* ``info`` / ``note`` / ``tip`` / ``warning`` / ``panel``: a block starting "Warning:" (etc.),
  with the panel's title if it has one;
* ``expand``: its title, then its body (collapsed text is still policy text);
* ``toc``, ``children``, ``anchor``, ``jira``, images, emoticons...: dropped (no text of their
  own); an unknown macro keeps the text of its rich-text body;
* links: their visible text (or the linked page's title); ``ac:parameter`` values never leak
  into the text.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from connectors.base import Section
from connectors.parsing.html import parse_html

_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_PANELS = {"info": "Info", "note": "Note", "tip": "Tip", "warning": "Warning", "panel": ""}
_CODE = {"code", "noformat"}
_DROPPED_MACROS = {"toc", "children", "anchor", "jira", "recently-updated", "pagetree", "status"}
_DROPPED_TAGS = {"ac:image", "ac:emoticon", "ac:placeholder", "ri:attachment", "ri:url"}
_PASS_TAGS = {"ac:rich-text-body", "ac:link-body", "ac:plain-text-link-body", "ac:layout"}
_TABLE_TAGS = {"table", "tr", "td", "th"}
_TAG = re.compile(r"<[^>]+>")
_BLOCK_AC = {"ac:layout-section": "div", "ac:layout-cell": "div", "ac:task-list": "ul"}


class _StorageRewriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.macros: list[dict[str, str]] = []  # name, and parameters seen so far
        self.skip_depth = 0  # inside ac:parameter or a dropped element
        self.stack: list[str] = []  # what each open element closes with
        self.param: str | None = None
        self.out_param: list[str] = []
        self.links: list[list[str]] = []  # per open ac:link: [linked page title, "body"?]
        self.tables: list[list[list[tuple[str, bool]]]] = []  # rows of (cell text, is header)
        self.sinks: list[list[str]] = []  # outputs suspended while a table cell is read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if self.skip_depth:
            self.skip_depth += 1
            self.stack.append("")
            return
        close = ""
        if tag == "ac:structured-macro" or tag == "ac:macro":
            name = attr.get("ac:name", "")
            self.macros.append({"name": name})
            if name in _DROPPED_MACROS:
                self.skip_depth = 1
            elif name in _CODE:
                self.out.append("<pre>")
                close = "</pre>"
            elif name in _PANELS or name == "expand":
                self.out.append("<blockquote>" if name != "expand" else "<div>")
                close = "</blockquote>" if name != "expand" else "</div>"
        elif tag == "ac:parameter":
            self.param = attr.get("ac:name", "")
            self.skip_depth = 1
            self.out_param = []
        elif tag in _DROPPED_TAGS:
            self.skip_depth = 1
        elif tag == "ri:page" and self.links:
            self.links[-1][0] = attr.get("ri:content-title", "")
        elif tag == "ac:link":
            self.links.append(["", ""])
        elif tag in ("ac:link-body", "ac:plain-text-link-body") and self.links:
            self.links[-1][1] = "body"
        elif tag == "ac:rich-text-body" or tag == "ac:plain-text-body":
            self._open_body()
        elif tag == "ac:task":
            self.out.append("<li>")
            close = "</li>"
        elif tag in _BLOCK_AC:
            self.out.append(f"<{_BLOCK_AC[tag]}>")
            close = f"</{_BLOCK_AC[tag]}>"
        elif tag == "ac:task-status" or tag == "ac:task-id":
            self.skip_depth = 1
        elif tag in _TABLE_TAGS:
            self._table_start(tag)
            close = tag
        elif not tag.startswith(("ac:", "ri:")) and tag not in _PASS_TAGS:
            self.out.append(f"<{tag}>")
            close = f"</{tag}>"
        self.stack.append(close)

    def _open_body(self) -> None:
        """A macro's body begins: panels and expands show their label first."""
        if not self.macros:
            return
        macro = self.macros[-1]
        name, title = macro["name"], macro.get("title", "")
        if name in _PANELS:
            label = _PANELS[name]
            lead = f"{label} ({title}):" if label and title else f"{label}:" if label else title
            if lead:
                self.out.append(f"<p>{html.escape(lead)}</p>")
        elif name == "expand" and title:
            self.out.append(f"<p>{html.escape(title)}</p>")

    def _table_start(self, tag: str) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self.sinks.append(self.out)
            self.out = []

    def _table_end(self, tag: str) -> None:
        """Rows become lines; under a header row each value is labelled with its column
        ("Role: Designer; Laptop: MacBook Pro"), which reads well in an answer."""
        if tag in ("td", "th") and self.sinks:
            text = " ".join(html.unescape(_TAG.sub(" ", "".join(self.out))).split())
            self.out = self.sinks.pop()
            if self.tables and self.tables[-1]:
                self.tables[-1][-1].append((text, tag == "th"))
        elif tag == "table" and self.tables:
            rows = [r for r in self.tables.pop() if any(text for text, _ in r)]
            header: list[str] = []
            lines = []
            for row in rows:
                if all(is_head for _, is_head in row):
                    header = [text for text, _ in row]
                    continue
                cells = [text for text, _ in row]
                if header and len(header) == len(cells):
                    cells = [f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=True)]
                lines.append("; ".join(c for c in cells if c))
            self.out.append("".join(f"<p>{html.escape(line)}</p>" for line in lines))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack:
            return
        close = self.stack.pop()
        if self.skip_depth:
            self.skip_depth -= 1
            if tag == "ac:parameter" and self.param is not None and self.macros:
                self.macros[-1][self.param] = "".join(self.out_param).strip()
                self.param = None
            return
        if close in _TABLE_TAGS:
            self._table_end(close)
            return
        self.out.append(close)
        if tag in ("ac:structured-macro", "ac:macro") and self.macros:
            self.macros.pop()
        elif tag == "ac:link" and self.links:
            page_title, body = self.links.pop()
            if not body and page_title:  # a bare page link shows the page's title
                self.out.append(html.escape(page_title, quote=False))

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            if self.param is not None and self.skip_depth == 1:
                self.out_param.append(data)
            return
        self.out.append(html.escape(data, quote=False))


def storage_to_html(storage: str) -> str:
    """The storage format rewritten as plain HTML (macros resolved, ``ac:`` tags gone)."""
    escaped = _CDATA.sub(lambda m: html.escape(m.group(1), quote=False), storage)
    rewriter = _StorageRewriter()
    rewriter.feed(escaped)
    rewriter.close()
    return "".join(rewriter.out)


def storage_sections(storage: str, *, title: str, breadcrumb: list[str]) -> list[Section]:
    """The page's sections; each heading path starts with the page's breadcrumb, so the
    citation's section reads "Space › Parent › Page › Heading". Anchors are left empty:
    citations link to the page itself (Confluence's heading anchors are not stable)."""
    parsed = parse_html(storage_to_html(storage), fallback_title=title)
    trail = [*breadcrumb, title]
    sections = []
    for section in parsed.sections:
        headings = list(section.heading_path)
        if headings and headings[0] == title:  # a page repeating its title as a heading
            headings = headings[1:]
        sections.append(Section(heading_path=[*trail, *headings], text=section.text, anchor=""))
    return sections
