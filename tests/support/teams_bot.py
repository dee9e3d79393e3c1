"""A running wikibot as the Bot Framework sees it: activities over HTTP to /api/messages,
replies recorded by the Bot Connector stand-in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from redis.asyncio import Redis

from bot.app import App, build_app
from bot.config import load_settings
from bot.serve.web import build_web_app
from tests.support.commands import DEMO
from tests.support.engines import SwitchableEngine
from tests.support.teams_connector import ConnectorStub
from tests.support.web_site import start_site

CHANNEL = "19:general@thread.tacv2"
ADMIN = "aad-admin"
QUESTION = "How many vacation days do I get per year?"


class TeamsBot:
    def __init__(self, url: str, connector: ConnectorStub, components: App) -> None:
        self.url, self.connector, self.components = url, connector, components
        self.engine: SwitchableEngine = components.engine  # type: ignore[assignment]
        self.session = aiohttp.ClientSession()

    def activity(
        self, text: str, *, kind: str = "channel", id: str = "act1", user: str = "aad-alice"
    ) -> dict[str, Any]:
        conversation = {
            "channel": {"id": f"{CHANNEL};messageid=1700", "conversationType": "channel"},
            "group": {"id": "19:group-chat@thread.v2", "conversationType": "groupChat"},
            "personal": {"id": f"a:personal-{user}", "conversationType": "personal"},
        }[kind]
        entities = []
        if kind != "personal":
            text = f"<at>wikibot</at> {text}"
            entities = [
                {
                    "type": "mention",
                    "text": "<at>wikibot</at>",
                    "mentioned": {"id": "28:bot", "name": "wikibot"},
                }
            ]
        return {
            "type": "message",
            "id": id,
            "channelId": "msteams",
            "serviceUrl": self.connector.url,
            "from": {"id": f"29:{user}", "name": user, "aadObjectId": user},
            "recipient": {"id": "28:bot", "name": "wikibot"},
            "conversation": {**conversation, "tenantId": "tenant1"},
            "channelData": {"tenant": {"id": "tenant1"}},
            "text": text,
            "entities": entities,
        }

    async def post(self, activity: dict[str, Any], token: str | None = None) -> int:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.session.post(
            f"{self.url}/api/messages", json=activity, headers=headers
        ) as response:
            await response.read()
            return response.status


async def start_bot(
    tmp_path: Path,
    template: Path,
    embedder: Any,
    redis_url: str,
    hr: dict[str, Any] | None = None,
    **teams: Any,
) -> tuple[TeamsBot, web.AppRunner]:
    data = tmp_path / "bot-data"
    shutil.copytree(template, data)
    connector = ConnectorStub()
    await connector.start()
    settings = load_settings(
        data_dir=data,
        sources=[DEMO],
        teams={"admins": [ADMIN], "stream_interval_s": 0.5, **teams},
        slack={"progress_interval_s": 0.1},
        redis={"url": redis_url},
        hr=hr or {},
    )
    switch = SwitchableEngine(lambda: components.answer_engine)
    components = build_app(settings, embedder=embedder, engine=switch)
    runner, url = await start_site(build_web_app(components))
    return TeamsBot(url, connector, components), runner


async def stop_bot(bot: TeamsBot, runner: web.AppRunner) -> None:
    assert not bot.connector.violations, bot.connector.violations  # all under Teams' size limit
    await bot.session.close()
    await runner.cleanup()
    bot.components.store.client.close()
    await bot.connector.stop()


async def stored_answer(bot: TeamsBot, feedback_id: str) -> dict[str, Any]:
    url = bot.components.settings.redis.url
    assert url
    client = Redis.from_url(url, decode_responses=True)
    try:
        return json.loads(await client.get(f"wikibot:answer:{feedback_id}") or "{}")
    finally:
        await client.aclose()


def card_of(sent: dict[str, Any]) -> dict[str, Any]:
    return sent["activity"]["attachments"][0]["content"]
