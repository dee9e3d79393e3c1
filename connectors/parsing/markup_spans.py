"""Spans of markup removed from a Markdown body before it is read, in linear time.

HTML comments (``<!-- -->``), template tags (``{% %}``, ``{{ }}``, ERB ``<% %>``) and hidden
HTML elements (``hidden``, ``aria-hidden="true"``, ``display:none``: hidden text is never
indexed). A backtracking regex such as ``<!--.*?-->`` rescans the rest of the text from every
opener that has no closer (200 KB of ``<!--`` took 31 s; the hidden-element regex was cubic
on ``<meta <meta ...``): here each opener's closer is looked up once, and an opener known to
have no closer after it is never searched for again.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict

COMMENTS = (("<!--", "-->"),)
TEMPLATE_TAGS = (("{%", "%}"), ("{{", "}}"), ("<%", "%>"))

_OPEN_TAG = re.compile(r"<(\w+)([^<>]*)>")
_CLOSE_TAG = re.compile(r"</(\w+)\s*>")
_HIDING = re.compile(r"\shidden(?:[\s=/]|$)|display\s*:\s*none|aria-hidden\s*=\s*[\"']?true", re.I)


def remove_spans(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    """``text`` without each span from an opener to the first closer after it (``{% x %}``);
    an opener with no closer after it stays, as text."""
    closers = dict(pairs)
    opener = re.compile("|".join(re.escape(start) for start, _ in pairs))
    unclosed: set[str] = set()  # no closer after one of these: none after a later one either
    kept: list[str] = []
    done = search = 0
    while match := opener.search(text, search):
        start = match.group()
        end = -1 if start in unclosed else text.find(closers[start], match.end())
        if end < 0:
            unclosed.add(start)
            if len(unclosed) == len(pairs):
                break
            search = match.start() + 1
            continue
        kept.append(text[done : match.start()])
        done = search = end + len(closers[start])
    kept.append(text[done:])
    return "".join(kept)


def remove_hidden_elements(text: str) -> str:
    """``text`` without each hidden element (``<div hidden>...</div>``), from its opening tag
    to the first closing tag of the same name; a hidden element never closed stays."""
    closings: dict[str, list[int]] = defaultdict(list)  # tag name -> where its closing tags start
    for closing in _CLOSE_TAG.finditer(text):
        closings[closing.group(1).lower()].append(closing.start())
    kept: list[str] = []
    done = search = 0
    while match := _OPEN_TAG.search(text, search):
        search = match.end()
        if not _HIDING.search(match.group(2)):
            continue
        starts = closings.get(match.group(1).lower(), [])
        n = bisect_left(starts, match.end())
        if n == len(starts):
            continue
        close = _CLOSE_TAG.match(text, starts[n])
        assert close is not None
        kept.append(text[done : match.start()])
        done = search = close.end()
    kept.append(text[done:])
    return "".join(kept)
