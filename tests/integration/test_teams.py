"""Teams over real HTTP: Activities posted to /api/messages on a real port, a local stand-in
for the Bot Connector service (the activities' serviceUrl) recording what the bot sent;
real embedder, embedded Qdrant, real Redis."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from redis.asyncio import Redis

from tests.support.engines import FixedEngine, StreamingEngine
from tests.support.teams_bot import (
    ADMIN,
    CHANNEL,
    QUESTION,
    TeamsBot,
    card_of,
    start_bot,
    stop_bot,
    stored_answer,
)


@pytest.fixture
async def bot(
    indexed_template, tmp_path, clean_env, embedder, redis_server
) -> AsyncIterator[TeamsBot]:  # type: ignore[no-untyped-def]
    teams_bot, runner = await start_bot(
        tmp_path, indexed_template, embedder, redis_server.url, dev_mode=True
    )
    yield teams_bot
    await stop_bot(teams_bot, runner)


async def test_channel_mention_is_stripped_and_answered_in_the_thread(bot: TeamsBot) -> None:
    assert await bot.post(bot.activity(QUESTION, id="m1")) == 201
    answer = (await bot.connector.wait_for_answers())[0]
    first = bot.connector.sent[0]
    assert first["activity"]["type"] == "typing"  # at once, before the answer
    for sent in (first, answer):
        assert sent["conversation"] == f"{CHANNEL};messageid=1700"  # the channel message's thread
        assert sent["reply_to"] == "m1" and sent["activity"]["replyToId"] == "m1"
    card = json.dumps(card_of(answer), ensure_ascii=False)
    assert "25 days" in card and "[1]" in card
    assert "time-off/vacation.md#" in card and "](" in card  # a Markdown link to the source
    assert "Vacation ›" in card
    actions = card_of(answer)["actions"]
    assert [a["title"] for a in actions] == ["👍", "👎"]
    record = await stored_answer(bot, actions[0]["data"]["wikibot_feedback"])
    assert record["question"] == QUESTION  # the mention was stripped before answering
    assert record["asked_by"] == "aad-alice" and record["platform"] == "teams"


async def test_group_chat_and_duplicate_delivery(bot: TeamsBot) -> None:
    activity = bot.activity("When do I need a doctor's note for sick leave?", kind="group", id="g1")
    for _ in range(3):  # the Bot Connector's retries carry the same activity id
        assert await bot.post(activity) == 201
    answer = (await bot.connector.wait_for_answers())[0]
    await asyncio.sleep(1.5)
    assert len(bot.connector.answers()) == 1
    assert len(bot.connector.of_type("typing")) == 1
    assert answer["conversation"] == "19:group-chat@thread.v2"
    assert "3 consecutive" in json.dumps(card_of(answer))


async def test_personal_chat_streams_then_finishes_the_stream(bot: TeamsBot) -> None:
    bot.engine.use(StreamingEngine(bot.components.answer_engine))
    assert await bot.post(bot.activity(QUESTION, kind="personal", id="p1")) == 201
    final = (await bot.connector.wait_for_answers())[0]
    typing = bot.connector.of_type("typing")
    assert typing[0]["activity"].get("entities") in (None, [])  # the plain typing indicator
    streamed = [t["activity"] for t in typing[1:]]
    assert streamed[0]["entities"][0]["streamType"] == "informative"
    updates = [a for a in streamed if a["entities"][0]["streamType"] == "streaming"]
    assert len(updates) >= 2  # 2.4 s of tokens at one update per 0.5 s
    stream_id = updates[0]["entities"][0]["streamId"]
    assert stream_id == "reply-2"  # the informative update's id
    sequences = [a["entities"][0]["streamSequence"] for a in streamed]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    assert all(u["text"].startswith("word0 ") for u in updates)
    times = [t["at"] for t in typing[2:]]
    assert all(b - a >= 0.45 for a, b in itertools.pairwise(times)), times
    info = next(e for e in final["activity"]["entities"] if e["type"] == "streaminfo")
    assert info == {"type": "streaminfo", "streamType": "final", "streamId": stream_id}
    assert "25 days" in json.dumps(card_of(final))


async def test_throttling_is_retried_with_backoff(bot: TeamsBot) -> None:
    bot.connector.fail_next = [429, 502]
    started = time.perf_counter()
    assert await bot.post(bot.activity(QUESTION, kind="group", id="t1")) == 201
    answer = (await bot.connector.wait_for_answers())[0]
    assert bot.connector.sent[0]["activity"]["type"] == "typing"
    assert bot.connector.sent[0]["at"] - started >= 1.0  # Retry-After: 1, then a backoff
    assert len(bot.connector.answers()) == 1 and answer["conversation"].startswith("19:group")


async def test_feedback_is_stored(bot: TeamsBot) -> None:
    await bot.post(bot.activity(QUESTION, kind="personal", id="f1"))
    final = (await bot.connector.wait_for_answers())[0]
    down = card_of(final)["actions"][1]["data"]
    stranger = {**bot.activity("", kind="personal", id="f1b", user="aad-bob"), "value": down}
    stranger["conversation"]["id"] = "a:personal-aad-alice"  # a forged click: not the asker
    assert await bot.post(stranger) == 201
    await bot.connector.wait_for_text("Only people in the conversation")
    click = {**bot.activity("", kind="personal", id="f2", user="aad-alice"), "value": down}
    assert await bot.post(click) == 201
    await bot.connector.wait_for_text("Thanks for the feedback")
    url = bot.components.settings.redis.url
    assert url
    client = Redis.from_url(url, decode_responses=True)
    votes = await bot.components.state.feedback.votes()
    log = [json.loads(f["json"]) for _, f in await client.xrange("wikibot:log")]
    await client.aclose()
    assert len(votes) == 1 and votes[0]["vote"] == "down" and votes[0]["user"] == "aad-alice"
    assert votes[0]["question"] == QUESTION and votes[0]["cited_doc_ids"]
    # the durable question log: the answer (with what was retrieved) and the vote
    answer, vote = log
    assert answer["kind"] == "answer" and answer["platform"] == "teams"
    assert answer["question"] == QUESTION and answer["retrieved"] and answer["cited_chunk_ids"]
    assert vote == {**vote, "kind": "vote", "id": answer["id"], "vote": "down"}
    assert "aad-bob" not in json.dumps(log) and "aad-alice" not in json.dumps(log)  # hashed


async def test_group_chat_votes_only_from_its_roster(
    bot: TeamsBot, caplog: pytest.LogCaptureFixture
) -> None:
    chat = "19:group-chat@thread.v2"
    bot.connector.rosters[chat] = [{"id": "29:aad-alice", "aadObjectId": "aad-alice"},
                                   {"id": "29:aad-bob", "aadObjectId": "aad-bob"}]
    await bot.post(bot.activity(QUESTION, kind="group", id="g1"))
    final = (await bot.connector.wait_for_answers())[0]
    data = card_of(final)["actions"]

    async def click(n: int, user: str, vote: int) -> None:
        activity = {**bot.activity("", kind="group", id=f"g-click{n}", user=user),
                    "value": data[vote]["data"]}
        assert await bot.post(activity) == 201

    async def until(done: Callable[[], Awaitable[bool]]) -> None:
        for _ in range(300):
            if await done():
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the click was not handled")

    votes = bot.components.state.feedback.votes
    with caplog.at_level(logging.INFO, logger="bot.teams.feedback"):
        await click(1, "aad-out", 0)  # not on the roster

        async def refused() -> bool:
            return any("refused a vote" in r.getMessage() for r in caplog.records)

        await until(refused)
    await click(2, "aad-bob", 0)

    async def bob(vote: str) -> bool:
        return [(v["user"], v["vote"]) for v in await votes()] == [("aad-bob", vote)]

    await until(lambda: bob("up"))
    await click(3, "aad-bob", 1)  # changes his mind: one vote per person, the latest
    await until(lambda: bob("down"))



async def test_admin_commands(bot: TeamsBot) -> None:
    await bot.post(bot.activity("reindex", kind="personal", id="c1"))
    refusal = await bot.connector.wait_for_text("only wikibot admins")
    assert refusal["conversation"] == "a:personal-aad-alice"
    await bot.post(bot.activity("reindex --full", kind="personal", id="c2", user=ADMIN))
    await bot.connector.wait_for_text("started")
    await bot.post(bot.activity("reindex", kind="personal", id="c3", user=ADMIN))
    refused = await bot.connector.wait_for_text("Not started")
    assert f"{ADMIN} (Teams)" in refused["activity"]["text"]
    done = await bot.connector.wait_for_text("Reindex finished", timeout=120)
    assert "documents:" in done["activity"]["text"]
    await bot.connector.wait_for_text("Reindexing…")  # progress came first (proactively)
    await bot.post(bot.activity("status", kind="personal", id="c4"))
    status = await bot.connector.wait_for_text("last index run")
    assert "source `handbook`" in status["activity"]["text"]
    since = len(bot.connector.sent)
    await bot.post(bot.activity("help", kind="channel", id="c5"))
    help_text = await bot.connector.wait_for_text("reindex", since=since)
    assert help_text["conversation"].startswith(CHANNEL)
    assert not bot.connector.answers()  # commands are not questions


async def test_a_long_answer_is_split_under_the_size_limit(bot: TeamsBot) -> None:
    from bot.models import Answer, Citation

    text = " ".join(f"Sentence {i} <at>everyone</at> [1]." for i in range(6000))
    citations = [
        Citation(
            n=i, title=f"Doc {i}", source=f"d{i}.md", url=f"https://wiki/d{i} (x)", doc_id=f"w:{i}"
        )
        for i in range(1, 200)
    ]
    long = Answer(question="q", text=text, answered=True, citations=citations)

    bot.engine.use(FixedEngine(long))
    await bot.post(bot.activity("tell me everything", kind="group", id="l1"))
    await bot.connector.wait_for_answers()
    await asyncio.sleep(0.5)
    cards = [card_of(s) for s in bot.connector.of_type("message")]
    assert len(cards) > 1
    shown = " ".join(b["text"] for c in cards for b in c["body"])
    assert "Sentence 5999" in shown and "Doc 199" in shown  # nothing lost
    assert "<at>" not in shown
    assert "(https://wiki/d1%20%28x%29)" in shown
