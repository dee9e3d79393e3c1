"""The App Home tab: what the bot knows (sources, documents, last sync), how to ask, and for
admins their commands; published with ``views.publish`` when someone opens the tab.

Everyone in the workspace can open the tab, so a non-admin sees only what anyone may read:
the sources that hold public documents, with the number of those; no restricted source's
name or size, no run outcome (a failed run's error names server paths). Admins (the rule of
bot/admins.py) see every source, all its documents and its last run. The counts come from
``app.source_counts``: one pass over the index per index generation, not one per open.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

from bot.slack.render import slack_escape

if TYPE_CHECKING:
    from bot.app import App

logger = logging.getLogger(__name__)
MAX_SOURCES_SHOWN = 20
MAX_ERROR_CHARS = 300


@dataclass(frozen=True)
class HomeSource:
    """One line of "What I know", already cut to what its viewer may see."""

    name: str
    kind: str
    documents: int
    public_documents: int | None = None  # admins: how many of them are public
    last_run: str = ""  # admins: "2026-12-01 10:00 UTC ok" / "never run" / "... failed: why"

    def line(self) -> str:
        text = f"• *{slack_escape(self.name)}* ({slack_escape(self.kind)}): "
        text += f"{self.documents} documents"
        if self.public_documents is not None and self.public_documents != self.documents:
            text += f" ({self.public_documents} public)"
        return text + (f", last run {slack_escape(self.last_run)}" if self.last_run else "")


def home_sources(app: App, *, is_admin: bool) -> list[HomeSource]:
    """The sources ``is_admin`` decides the viewer may know about, by name."""
    counts = app.source_counts.get()
    states = {s.name: s for s in app.sync_states.all()}
    configured = {s.name: s.type for s in app.sources.indexed}

    def kind(name: str) -> str:
        state = states.get(name)
        return configured.get(name) or (state.kind if state else "") or "?"

    if not is_admin:
        return [
            HomeSource(name, kind(name), count.public_documents)
            for name, count in sorted(counts.items())
            if count.public_documents > 0
        ]
    rows = []
    for name in sorted(set(counts) | set(states) | set(configured)):
        count, state = counts.get(name), states.get(name)
        if state is None or state.last_run_at is None:
            last = "never run"
        else:
            when = state.last_run_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
            error = " ".join(state.error.split())[:MAX_ERROR_CHARS]
            last = f"{when} {state.outcome}" + (f": {error}" if error else "")
        documents, public = (count.documents, count.public_documents) if count else (0, 0)
        rows.append(HomeSource(name, kind(name), documents, public, last))
    return rows


def home_view(sources: list[HomeSource], *, is_admin: bool) -> dict[str, Any]:
    def section(text: str) -> dict[str, Any]:
        return {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}

    lines = [source.line() for source in sources[:MAX_SOURCES_SHOWN]]
    if len(sources) > MAX_SOURCES_SHOWN:
        lines.append(f"… and {len(sources) - MAX_SOURCES_SHOWN} more")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "wikibot"}},
        section(
            "I answer questions from the company handbook and HR documents, with links to "
            "my sources, and say so when the documents do not hold the answer."
        ),
        section(
            "*How to ask*\n• Send me a direct message (your own HR figures, such as vacation "
            "days left, only here)\n• @mention me in a channel: I answer in the thread\n"
            "• `/wikibot your question`: an answer only you see\n"
            "• Open me from the top bar (AI apps) beside any channel: a chat of your own, "
            "with suggested questions"
        ),
        {"type": "divider"},
        section("*What I know*\n" + ("\n".join(lines) or "Nothing is indexed yet.")),
    ]
    if is_admin:
        blocks += [
            {"type": "divider"},
            section(
                "*Admin commands*\n`/wikibot status` the index and the last runs\n"
                "`/wikibot reindex [SOURCE] [--full]` refresh it (progress reported to you)"
            ),
        ]
    return {"type": "home", "blocks": blocks}


async def publish_home(client: Any, app: App, user: str, *, is_admin: bool) -> None:
    """Build and publish the tab; failures are logged, never raised (it is only a view)."""
    try:
        sources = await asyncio.to_thread(home_sources, app, is_admin=is_admin)
        await client.views_publish(user_id=user, view=home_view(sources, is_admin=is_admin))
    except Exception as exc:
        logger.warning("could not publish the App Home tab: %s", type(exc).__name__)
