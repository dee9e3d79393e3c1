"""The App Home tab over real HTTP: an app_home_opened event makes the bot publish a view of
what it knows; admins also see their commands."""

from __future__ import annotations

import json

from tests.support.slack_bot import ADMIN, Bot


async def _opened(bot: Bot, user: str, event_id: str) -> dict:
    body = {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"}
    before = len(bot.api.of("views.publish"))
    assert await bot.event(body, event_id) == 200
    return (await bot.api.wait_for("views.publish", before + 1))[-1]


async def test_home_tab_shows_sources_and_admin_commands_to_admins(bot: Bot) -> None:
    staff = await _opened(bot, "UALICE", "Ehome1")
    assert staff["user_id"] == "UALICE"
    view = staff["view"] if isinstance(staff["view"], dict) else json.loads(staff["view"])
    text = json.dumps(view)
    assert view["type"] == "home"
    assert "*handbook* (folder): 24 documents" in text
    assert "/wikibot your question" in text and "reindex" not in text

    admin = await _opened(bot, ADMIN, "Ehome2")
    admin_view = admin["view"] if isinstance(admin["view"], dict) else json.loads(admin["view"])
    assert "/wikibot reindex" in json.dumps(admin_view)

    messages_tab = {"type": "app_home_opened", "user": "UALICE", "channel": "D1",
                    "tab": "messages"}
    assert await bot.event(messages_tab, "Ehome3") == 200
    await __import__("asyncio").sleep(0.5)
    assert len(bot.api.of("views.publish")) == 2  # the Messages tab needs no view
