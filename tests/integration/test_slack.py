"""Slack over real HTTP: signed requests into the running aiohttp app, a local stand-in for
the Slack Web API recording what the bot sent; real embedder, embedded Qdrant, real Redis."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any

import pytest

from bot import messages
from tests.support.engines import FixedEngine, StreamingEngine
from tests.support.slack_api import BOT_USER
from tests.support.slack_bot import ADMIN, Bot, feedback_buttons, feedback_click, mention


async def test_mention_is_answered_in_thread_with_placeholder_sources_and_buttons(bot: Bot) -> None:
    status = await bot.event(mention("How many vacation days do I get per year?"), "Ev1")
    assert status == 200
    updates = await bot.api.wait_for("chat.update")
    deadline = time.monotonic() + 60
    while not any("actions" in json.dumps(u) for u in updates):  # a streamed partial may come first
        assert time.monotonic() < deadline, updates
        await asyncio.sleep(0.05)
        updates = bot.api.of("chat.update")
    posts = bot.api.of("chat.postMessage")
    assert posts[0]["channel"] == "CGENERAL"
    assert posts[0]["thread_ts"] == "1700000000.000100"  # a new thread under the question
    assert posts[0]["text"] == messages.SEARCHING
    final = updates[-1]
    assert final["channel"] == "CGENERAL"
    rendered = json.dumps(final["blocks"])
    assert "25 days" in rendered
    assert "[1]" in rendered and "*Sources*" in rendered
    assert "time-off/vacation.md#" in rendered  # a link <url#anchor|Title › Section>
    assert "|Vacation \\u203a " in rendered
    buttons = feedback_buttons(final)  # Slack's native 👍/👎, carrying the feedback id
    assert buttons["up"].startswith("up:") and buttons["down"].startswith("down:")
    assert buttons["up"][3:] == buttons["down"][5:] != ""


async def test_reply_in_existing_thread_and_dm(bot: Bot) -> None:
    await bot.event(
        mention("Do they roll over?", ts="1700000000.000300", thread_ts="1700000000.000200"), "Ev2"
    )
    await bot.api.wait_for("chat.update")
    assert bot.api.of("chat.postMessage")[0]["thread_ts"] == "1700000000.000200"
    dm = {
        "type": "message",
        "channel_type": "im",
        "channel": "DALICE",
        "user": "UALICE",
        "text": "When do I need a doctor's note for sick leave?",
        "ts": "1700000001.000100",
    }
    await bot.event(dm, "Ev3")
    await bot.api.wait_for("chat.update", 2)
    dm_post = bot.api.of("chat.postMessage")[1]
    assert dm_post["channel"] == "DALICE" and not dm_post.get("thread_ts")  # top-level DM
    assert "3 consecutive" in json.dumps(bot.api.of("chat.update")[-1]["blocks"])


async def test_bots_and_unknown_events_are_ignored(bot: Bot) -> None:
    own = {**mention("hello"), "bot_id": "BBOT", "user": BOT_USER}
    other_bot = {
        "type": "message",
        "channel_type": "im",
        "channel": "D1",
        "user": "UOTHER",
        "bot_id": "BOTHER",
        "text": "ping",
        "ts": "1.1",
    }
    unknown = {"type": "reaction_added", "user": "UALICE", "reaction": "tada", "item": {}}
    for i, event in enumerate([own, other_bot, unknown]):
        assert await bot.event(event, f"Eignored{i}") == 200
    await bot.event(mention("How many vacation days do I get per year?"), "Ereal")
    await bot.api.wait_for("chat.update")
    assert len(bot.api.of("chat.postMessage")) == 1  # only the real question


@pytest.mark.parametrize("case", ["forged", "stale", "missing"])
async def test_bad_signatures_get_401_and_nothing_is_posted(bot: Bot, case: str) -> None:
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T1",
            "event_id": "Ebad",
            "event": mention("How many vacation days do I get per year?"),
        }
    )
    headers = {
        "forged": {**bot.signed_headers(body), "X-Slack-Signature": "v0=" + "0" * 64},
        "stale": bot.signed_headers(body, age_s=6 * 60),
        "missing": {},
    }[case]
    status, _ = await bot.post(body, headers)
    assert status == 401
    await __import__("asyncio").sleep(1.0)
    assert not [c for c in bot.api.calls if c[0].startswith("chat.")]


async def test_url_verification(bot: Bot) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"})
    async with bot.session.post(
        f"{bot.url}/slack/events",
        data=body,
        headers={**bot.signed_headers(body), "Content-Type": "application/json"},
    ) as response:
        assert response.status == 200
        assert "abc123" in await response.text()


async def test_retries_are_answered_once(bot: Bot) -> None:
    event = mention("How many vacation days do I get per year?")
    for retry in (None, 1, 2, 3):
        assert await bot.event(event, "Eretry", retry=retry) == 200
    await bot.api.wait_for("chat.update")
    await __import__("asyncio").sleep(1.5)
    assert len(bot.api.of("chat.postMessage")) == 1
    assert len(bot.api.of("chat.update")) == 1


async def metrics(bot: Bot) -> dict[str, float]:
    """GET /metrics, as {"name{labels}": value}."""
    async with bot.session.get(f"{bot.url}/metrics") as response:
        assert response.status == 200
        text = await response.text()
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = float(value)
    return values


async def test_feedback_is_stored_and_acknowledged_to_the_clicker_only(bot: Bot) -> None:
    answered = 'wikibot_questions_total{outcome="answered",platform="slack"}'
    before = await metrics(bot)
    assert before[answered] == 0 and before["wikibot_index_documents"] == 24
    assert before["wikibot_index_chunks"] > 24
    await bot.event(mention("How many vacation days do I get per year?"), "Efb")
    final = (await bot.api.wait_for("chat.update"))[-1]
    bot.api.channels["CGENERAL"] = {"members": ["UALICE", "UBOB"]}  # only members may vote
    payload = feedback_click(final, "down", "UBOB", "t")
    payload["response_url"] = f"{bot.api.url}/respond/fb"
    from urllib.parse import urlencode

    body = urlencode({"payload": json.dumps(payload)})
    status, _ = await bot.post(body, bot.signed_headers(body), "application/x-www-form-urlencoded")
    assert status == 200
    ephemeral = (await bot.api.wait_for("chat.postEphemeral"))[0]
    assert ephemeral["user"] == "UBOB" and ephemeral["channel"] == "CGENERAL"
    state_votes = await bot_votes(bot)
    assert len(state_votes) == 1
    vote = state_votes[0]
    assert vote["vote"] == "down" and vote["user"] == "UBOB"
    assert vote["question"] == "How many vacation days do I get per year?"
    assert "people:time-off/vacation.md" in " ".join(vote["cited_doc_ids"]) or vote["cited_doc_ids"]
    from redis.asyncio import Redis

    client = Redis.from_url(str(bot.components.settings.redis.url), decode_responses=True)
    log = [json.loads(f["json"]) for _, f in await client.xrange("wikibot:log")]
    await client.aclose()
    assert [e["kind"] for e in log] == ["answer", "vote"]  # the durable question log
    assert log[0]["platform"] == "slack" and log[0]["answered"] and log[0]["retrieved"]
    assert log[1]["id"] == log[0]["id"] and log[1]["vote"] == "down"
    assert "UBOB" not in json.dumps(log) and "UALICE" not in json.dumps(log)  # hashed
    after = await metrics(bot)  # the counters moved with the question and the vote
    assert after[answered] == 1
    assert after['wikibot_feedback_total{platform="slack",vote="down"}'] == 1
    assert after['wikibot_answer_seconds_count{platform="slack"}'] == 1
    assert after["wikibot_retrieval_seconds_count"] == 1
    assert after['wikibot_answer_seconds_bucket{le="60.0",platform="slack"}'] == 1


async def bot_votes(bot: Bot) -> list[dict[str, Any]]:
    return await bot.components.state.feedback.votes()


async def test_reindex_admin_only_with_progress_summary_and_lock(bot: Bot) -> None:
    assert await bot.command("reindex", "UALICE", "r0") == 200
    refusal = (await bot.api.wait_for("response_url"))[0]
    assert "only wikibot admins" in refusal["text"]
    assert await bot.command("reindex --full", ADMIN, "r1") == 200
    assert await bot.command("reindex", ADMIN, "r2") == 200
    await bot.api.wait_for("response_url", 3)
    texts = [p["text"] for p in bot.api.of("response_url")]
    assert any(t.startswith("Reindex of handbook (full rebuild) started") for t in texts)
    assert any("Not started" in t and "<@UADMIN> (Slack)" in t for t in texts), texts
    deadline = time.monotonic() + 120
    while not any(t.startswith("Reindex finished") for t in texts):
        assert time.monotonic() < deadline, texts
        await __import__("asyncio").sleep(0.2)
        texts = [p["text"] for p in bot.api.of("response_url")]
    assert any(t.startswith("Reindexing…") for t in texts), texts  # progress came first
    assert "documents:" in texts[-1]
    assert await bot.command("status", "UALICE", "r3") == 200
    deadline = time.monotonic() + 30
    while not any("last index run" in p["text"] for p in bot.api.of("response_url")):
        assert time.monotonic() < deadline
        await __import__("asyncio").sleep(0.1)
    responses = bot.api.of("response_url")
    status_text = next(p["text"] for p in responses if "last index run" in p["text"])
    assert "source `handbook`" in status_text and "<@UADMIN> (Slack)" in status_text


async def test_an_answer_beyond_slack_limits_is_split(bot: Bot) -> None:
    from bot.models import Answer, Citation

    long_text = " ".join(f"Sentence {i} <!channel> & more [1]." for i in range(9000))
    citations = [
        Citation(
            n=i,
            title=f"Doc {i}",
            source=f"d{i}.md",
            url=f"https://wiki/d{i}|x>y",
            section="Part",
            doc_id=f"w:d{i}",
        )
        for i in range(1, 400)
    ]
    answer = Answer(question="q", text=long_text, answered=True, citations=citations)

    bot.engine.use(FixedEngine(answer))
    await bot.event(mention("tell me everything"), "Elong")
    await bot.api.wait_for("chat.update")
    await bot.api.wait_for("chat.postMessage", 2)  # the placeholder and the continuation
    await __import__("asyncio").sleep(1.0)
    sent = bot.api.of("chat.update") + bot.api.of("chat.postMessage")[1:]
    blocks = [b for message in sent for b in message["blocks"]]
    text = " ".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert "Sentence 8999" in text and "Doc 399" in text  # nothing lost
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "https://wiki/d1%7Cx%3Ey|Doc 1" in text
    assert all(m["thread_ts"] == "1700000000.000100" for m in bot.api.of("chat.postMessage"))


async def test_streaming_updates_are_progressive_and_throttled(bot: Bot) -> None:
    bot.api.refuse_streaming = "method_not_supported"  # a workspace without native streaming
    bot.engine.use(StreamingEngine(bot.components.answer_engine))
    await bot.event(mention("How many vacation days do I get per year?"), "Estream")
    await bot.api.wait_for("chat.postMessage")
    deadline = time.monotonic() + 60
    while not any("blocks" in u and "actions" in json.dumps(u) for u in bot.api.of("chat.update")):
        assert time.monotonic() < deadline
        await __import__("asyncio").sleep(0.05)
    updates = bot.api.of("chat.update")
    partial = [u["text"] for u in updates[:-1]]
    assert len(partial) >= 2, partial  # 1.5 s of tokens, one update per 0.2 s at most
    assert all(p.startswith("word0 ") for p in partial)
    assert [len(p) for p in partial] == sorted(len(p) for p in partial)  # only grows
    times = bot.api.times_of("chat.update")
    gaps = [b - a for a, b in itertools.pairwise(times[:-1])]  # between streaming updates
    assert all(g >= 0.18 for g in gaps), gaps
    assert "25 days" in json.dumps(updates[-1]["blocks"])  # the final answer replaces it


async def test_a_429_pauses_streaming_for_retry_after(bot: Bot) -> None:
    bot.api.refuse_streaming = "method_not_supported"
    bot.engine.use(StreamingEngine(bot.components.answer_engine, 50, 0.04))
    bot.api.rate_limit_next["chat.update"] = 1
    await bot.event(mention("How many vacation days do I get per year?"), "E429")
    deadline = time.monotonic() + 60
    while not any("actions" in json.dumps(u) for u in bot.api.of("chat.update")):
        assert time.monotonic() < deadline
        await __import__("asyncio").sleep(0.05)
    times = bot.api.times_of("chat.update")
    assert len(times) >= 2
    assert times[1] - times[0] >= 0.95, times  # Retry-After: 1 was honoured
    assert "25 days" in json.dumps(bot.api.of("chat.update")[-1]["blocks"])
