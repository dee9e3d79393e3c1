"""Answer -> plain text for the terminal (`wikibot ask`, `wikibot chat`)."""

from __future__ import annotations

from bot.models import Answer


def render_terminal(answer: Answer) -> str:
    lines = [answer.text]
    if answer.citations or answer.related:
        if answer.citations:
            lines += ["", "Sources:"]
        for c in answer.citations or answer.related:
            updated = f" ({c.updated_note()})" if c.updated_at else ""
            lines.append(f"  [{c.n}] {c.label()}: {c.source}{updated}")
            if c.url:
                lines.append(f"      {c.url}")
    return "\n".join(lines)
