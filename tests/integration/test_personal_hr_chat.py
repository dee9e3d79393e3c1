"""Personal HR answers over real HTTP: in a Slack channel the figure goes to its owner as an
ephemeral message; in Teams to a personal chat only."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.app import build_app
from bot.config import load_settings
from tests.support.hr_data import EMAILS, EXPORT
from tests.support.slack_api import SlackAPIStub
from tests.support.slack_bot import SECRET, Bot, mention


@pytest.fixture
async def slack_bot(
    indexed_template, tmp_path, clean_env, embedder, redis_server
) -> AsyncIterator[Bot]:  # type: ignore[no-untyped-def]
    from bot.serve.web import build_web_app
    from tests.support.web_site import start_site

    data = tmp_path / "bot-data"
    shutil.copytree(indexed_template, data)
    export = tmp_path / "hr.csv"
    export.write_text(EXPORT)
    api = SlackAPIStub()
    api.emails.update(EMAILS)
    await api.start()
    settings = load_settings(
        data_dir=data,
        hr={"export_path": export},
        slack={"bot_token": "xoxb-test", "signing_secret": SECRET, "api_url": api.url + "/api/"},
        redis={"url": redis_server.url},
    )
    components = build_app(settings, embedder=embedder)
    runner, url = await start_site(build_web_app(components))
    bot = Bot(url, api, components)
    yield bot
    await bot.session.close()
    await runner.cleanup()
    components.store.client.close()
    await api.stop()


async def test_in_a_channel_the_figure_goes_privately(
    slack_bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await slack_bot.event(mention("How many vacation days do I have left?"), "Ep1")
    ephemeral = (await slack_bot.api.wait_for("chat.postEphemeral"))[0]
    assert ephemeral["user"] == "UALICE" and "17.5" in ephemeral["text"]
    assert ephemeral["thread_ts"] == "1700000000.000100"
    public = slack_bot.api.of("chat.update")[-1]
    shown = json.dumps(public)
    assert "17.5" not in shown and "sent your own figures to you privately" in shown
    assert "time-off/vacation.md" in shown  # the policy, cited
    dm_event = {
        "type": "message",
        "channel_type": "im",
        "channel": "DALICE",
        "user": "UALICE",
        "text": "What's my PTO balance?",
        "ts": "1700000002.000100",
    }
    await slack_bot.event(dm_event, "Ep2")
    await slack_bot.api.wait_for("chat.update", 2)
    assert "17.5" in json.dumps(slack_bot.api.of("chat.update")[-1])
    assert len(slack_bot.api.of("chat.postEphemeral")) == 1  # a DM needs no private copy
    url = slack_bot.components.settings.redis.url
    assert url
    client = Redis.from_url(url, decode_responses=True)
    for key in await client.keys("wikibot:mem:*"):
        if ":dm:" not in key:
            assert "17.5" not in json.dumps(await client.lrange(key, 0, -1)), key
    # personal answers never reach the question log, nor the stored feedback records
    log = [json.loads(f["json"]) for _, f in await client.xrange("wikibot:log")]
    assert not [e for e in log if "balance" in e.get("question", "") or "left" in e["question"]]
    for key in await client.keys("wikibot:answer:*"):
        assert "17.5" not in (await client.get(key) or ""), key
    await client.aclose()
    assert "17.5" not in caplog.text and "alice@example.com" not in caplog.text
    assert "personal lookup" in caplog.text  # the audit line, without values


async def test_teams_figure_goes_to_a_personal_chat_only(
    indexed_template, tmp_path, clean_env, embedder, redis_server
) -> None:  # type: ignore[no-untyped-def]
    from tests.support.teams_bot import start_bot, stop_bot

    export = tmp_path / "hr.csv"
    export.write_text(EXPORT)
    bot, runner = await start_bot(
        tmp_path,
        indexed_template,
        embedder,
        redis_server.url,
        hr={"export_path": export},
        dev_mode=True,
    )
    try:
        bot.connector.emails["29:aad-alice"] = "alice@example.com"
        await bot.post(bot.activity("How many vacation days do I have left?", kind="personal"))
        personal = (await bot.connector.wait_for_answers())[0]
        assert "17.5" in json.dumps(personal["activity"])
        await bot.post(bot.activity("What's my PTO balance?", kind="channel", id="ch1"))
        channel = (await bot.connector.wait_for_answers(2))[1]
        shown = json.dumps(channel["activity"])
        assert channel["conversation"].startswith("19:general")
        assert "17.5" not in shown and "sent your own figures to you privately" in shown
        assert "time-off/vacation.md" in shown  # the policy, cited
        private = await bot.connector.wait_for_text("17.5")
        assert private["conversation"] == "a:1on1-29:aad-alice"  # a 1:1 chat with the asker
        opened = bot.connector.created[0]
        assert opened["members"] == [{"id": "29:aad-alice"}] and opened["isGroup"] is False
        assert opened["channelData"]["tenant"]["id"] == "tenant1"  # what Teams reads
        leaked = [s for s in bot.connector.sent if "17.5" in json.dumps(s["activity"])]
        assert [s["conversation"] for s in leaked] == [
            "a:personal-aad-alice",
            "a:1on1-29:aad-alice",
        ]
    finally:
        await stop_bot(bot, runner)
