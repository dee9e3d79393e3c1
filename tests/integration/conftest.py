"""Fixtures shared by the integration tests."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import build_app
from bot.config import load_settings
from bot.serve.web import build_web_app
from tests.support.commands import DEMO
from tests.support.engines import SwitchableEngine
from tests.support.slack_api import SlackAPIStub
from tests.support.slack_bot import ADMIN, SECRET, Bot
from tests.support.web_site import start_site


@pytest.fixture
async def bot(
    indexed_template: Path, tmp_path: Path, clean_env: Path, embedder, redis_server, monkeypatch
) -> AsyncIterator[Bot]:  # type: ignore[no-untyped-def]
    data = tmp_path / "bot-data"
    shutil.copytree(indexed_template, data)
    api = SlackAPIStub()
    await api.start()
    settings = load_settings(
        data_dir=data,
        sources=[DEMO],
        slack={
            "bot_token": "xoxb-test",
            "signing_secret": SECRET,
            "api_url": api.url + "/api/",
            "admins": [ADMIN],
            "update_interval_s": 0.2,
            "progress_interval_s": 0.1,
        },
        redis={"url": redis_server.url},
    )
    switch = SwitchableEngine(lambda: components.answer_engine)
    components = build_app(settings, embedder=embedder, engine=switch)
    app = build_web_app(components)
    runner, url = await start_site(app)
    bot = Bot(url, api, components)
    yield bot
    assert not api.violations, api.violations  # every call was within Slack's limits
    await bot.session.close()
    await runner.cleanup()
    components.store.client.close()
    await api.stop()
