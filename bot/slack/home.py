"""The App Home tab: what the bot knows (sources, documents, last sync), how to ask, and for
admins their commands; published with ``views.publish`` when someone opens the tab."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from bot.slack.render import slack_escape
from bot.source_admin import SourceRow, source_rows

if TYPE_CHECKING:
    from bot.app import App

logger = logging.getLogger(__name__)
MAX_SOURCES_SHOWN = 20


def home_view(rows: list[SourceRow], *, is_admin: bool) -> dict[str, Any]:
    def section(text: str) -> dict[str, Any]:
        return {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}

    indexed = [r for r in rows if r.documents]
    lines = [
        f"• *{slack_escape(r.name)}* ({slack_escape(r.kind)}): {r.documents} documents, "
        f"last run {slack_escape(r.last_run)}"
        for r in indexed[:MAX_SOURCES_SHOWN]
    ]
    if len(indexed) > MAX_SOURCES_SHOWN:
        lines.append(f"… and {len(indexed) - MAX_SOURCES_SHOWN} more")
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
        rows = await asyncio.to_thread(source_rows, app)
        await client.views_publish(user_id=user, view=home_view(rows, is_admin=is_admin))
    except Exception as exc:
        logger.warning("could not publish the App Home tab: %s", type(exc).__name__)
