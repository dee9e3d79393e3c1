"""Answer -> plain text for the terminal (`wikibot ask`, `wikibot chat`)."""

from __future__ import annotations

from bot.models import Answer, Citation


def render_terminal(answer: Answer) -> str:
    """The answer text; its sources (or, when not sure, the related pages); an answer's
    "see also" pages after its sources."""
    lines = [answer.text]
    if answer.citations:
        lines += ["", "Sources:"]
    lines += _page_lines(answer.citations or answer.related)
    if answer.citations and answer.related:
        lines += ["", "See also:", *_page_lines(answer.related)]
    return "\n".join(lines)


def _page_lines(pages: list[Citation]) -> list[str]:
    lines = []
    for c in pages:
        updated = f" ({c.updated_note()})" if c.updated_at else ""
        lines.append(f"  [{c.n}] {c.label()}: {c.source}{updated}")
        if c.url:
            lines.append(f"      {c.url}")
    return lines
