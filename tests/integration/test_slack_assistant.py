"""Slack as an AI app, over real HTTP (signed events into `serve`, the Slack stand-in
answering assistant.threads.* and chat.startStream/appendStream/stopStream): the assistant
pane's greeting and suggested prompts, status before the answer, native streaming of an LLM
answer (a stub OpenAI-compatible server) with sources and feedback at stopStream, and the
fallbacks for workspaces without these features."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot import messages
from bot.app import build_app
from tests.support.slack_bot import Bot, feedback_buttons, feedback_click, mention
from tests.support.stub_llm import StubLLM, running_stub

QUESTION = "How many vacation days do I get per year?"
LLM_ANSWER = "Everyone gets 25 days of paid vacation per year [1]."
PANE = "DPANE"  # the assistant pane's DM channel


@pytest.fixture
def stub() -> Iterator[StubLLM]:
    with running_stub() as server:
        server.behaviour = lambda m: LLM_ANSWER
        server.token_gap_s = 0.05  # ~13 pieces over ~0.7 s
        yield server


def use_llm(bot: Bot, stub: StubLLM) -> None:
    """Answers written by the stub LLM, over the bot's own index."""
    settings = bot.components.settings.model_copy(
        update={
            "llm": bot.components.settings.llm.model_copy(
                update={"base_url": stub.url, "model": "stub"}
            )
        }
    )
    parts = build_app(settings, embedder=bot.components.embedder, store=bot.components.store)
    bot.engine.use(parts.answer_engine)


def thread_started(thread_ts: str, context: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "type": "assistant_thread_started",
        "assistant_thread": {
            "user_id": "UALICE",
            "channel_id": PANE,
            "thread_ts": thread_ts,
            "context": context or {},
        },
        "event_ts": thread_ts,
    }


def pane_message(text: str, thread_ts: str, ts: str) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": PANE,
        "user": "UALICE",
        "text": text,
        "ts": ts,
        "thread_ts": thread_ts,
        "team": "T1",
    }


async def wait_until(check: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def methods(bot: Bot) -> list[str]:
    return [name for name, _ in bot.api.calls]


async def test_thread_start_greets_and_suggests_public_document_titles(bot: Bot) -> None:
    assert await bot.event(thread_started("1700000100.000100"), "Estart") == 200
    (prompts,) = await bot.api.wait_for("assistant.threads.setSuggestedPrompts")
    (greeting,) = bot.api.of("chat.postMessage")
    assert greeting["channel"] == PANE and greeting["thread_ts"] == "1700000100.000100"
    assert "links to my sources" in greeting["text"] and "<#" not in greeting["text"]
    assert prompts["channel_id"] == PANE and prompts["thread_ts"] == "1700000100.000100"
    suggested = prompts["prompts"]
    assert 1 <= len(suggested) <= 4
    titles = {
        d["title"]
        for d in __import__("indexing.index_reads", fromlist=["x"])
        .indexed_documents(bot.components.store)
        .values()
    }
    for prompt in suggested:  # "Tell me about <a real document title>"
        assert prompt["message"].removeprefix("Tell me about ") in titles
        assert len(prompt["title"]) <= 45


async def test_opened_from_a_channel_says_so(bot: Bot) -> None:
    context = {"channel_id": "CGENERAL", "team_id": "T1"}
    await bot.event(thread_started("1700000101.000100", context), "Estart2")
    (greeting,) = await bot.api.wait_for("chat.postMessage")
    assert "<#CGENERAL>" in greeting["text"] and "everyone in that channel" in greeting["text"]


async def test_pane_question_sets_title_and_status_then_answers_whole(bot: Bot) -> None:
    """Extractive answer: a status first, then the answer posted whole (nothing streamed)."""
    thread = "1700000102.000100"
    await bot.event(thread_started(thread), "Et1")
    await bot.api.wait_for("chat.postMessage")
    await bot.event(pane_message(QUESTION, thread, "1700000102.000200"), "Et2")
    await wait_until(lambda: len(bot.api.of("chat.postMessage")) >= 2)
    (title,) = bot.api.of("assistant.threads.setTitle")
    assert title["title"] == QUESTION and title["thread_ts"] == thread
    statuses = bot.api.of("assistant.threads.setStatus")
    assert [s["status"] for s in statuses] == [messages.SEARCHING]
    order = methods(bot)
    answer_at = len(order) - 1 - order[::-1].index("chat.postMessage")
    assert order.index("assistant.threads.setStatus") < answer_at  # status before the answer
    answer = bot.api.of("chat.postMessage")[-1]
    assert answer["thread_ts"] == thread and "25 days" in json.dumps(answer["blocks"])
    assert feedback_buttons(answer)["down"].startswith("down:")
    assert not bot.api.of("chat.startStream") and not bot.api.of("chat.update")
    # a follow-up in the thread has the thread as memory, and keeps the title
    await bot.event(pane_message("Do they roll over?", thread, "1700000102.000300"), "Et3")
    await wait_until(lambda: len(bot.api.of("chat.postMessage")) >= 3)
    assert len(bot.api.of("assistant.threads.setTitle")) == 1
    history = await bot.components.state.memory.history(
        __import__("bot.state.memory", fromlist=["x"]).ConversationKey(
            "slack", "T1", "dm", thread, dm_user="UALICE"
        )
    )
    assert [t.question for t in history] == [QUESTION, "Do they roll over?"]


async def test_llm_answer_streams_natively_with_sources_and_feedback_at_stop(
    bot: Bot, stub: StubLLM
) -> None:
    use_llm(bot, stub)
    stub.token_gap_s = 0.15  # ~2 s of writing: several stream intervals, even on a busy machine
    thread = "1700000103.000100"
    await bot.event(thread_started(thread), "El1")
    await bot.api.wait_for("chat.postMessage")
    await bot.event(pane_message(QUESTION, thread, "1700000103.000200"), "El2")
    (stopped,) = await bot.api.wait_for("chat.stopStream")
    starts = bot.api.of("chat.startStream")
    assert len(starts) == 1 and starts[0]["thread_ts"] == thread
    assert starts[0]["recipient_user_id"] == "UALICE" and starts[0]["recipient_team_id"] == "T1"
    first = "".join(c["text"] for c in starts[0]["chunks"])
    assert first and LLM_ANSWER.startswith(first) and first != LLM_ANSWER  # while written
    stream = bot.api.streams[stopped["ts"]]
    assert stream["text"] == LLM_ANSWER and stream["stopped"]
    tail = json.dumps(stream["blocks"])
    assert "*Sources*" in tail and "[1]" in tail and "vacation" in tail
    statuses = [s["status"] for s in bot.api.of("assistant.threads.setStatus")]
    assert statuses == [messages.SEARCHING, messages.WRITING]
    order = methods(bot)
    assert order.index("assistant.threads.setStatus") < order.index("chat.startStream")
    assert not bot.api.of("chat.update")  # the streamed text was the answer: no rewrite
    # the feedback at the end of the stream records a vote
    final = {"ts": stopped["ts"], "channel": PANE, "thread_ts": thread, "blocks": stream["blocks"]}
    payload = feedback_click(final, "up", "UALICE", "trig")
    from urllib.parse import urlencode

    body = urlencode({"payload": json.dumps(payload)})
    status, _ = await bot.post(body, bot.signed_headers(body), "application/x-www-form-urlencoded")
    assert status == 200
    (thanks,) = await bot.api.wait_for("chat.postEphemeral")
    assert thanks["text"] == messages.THANKS_FOR_FEEDBACK
    votes = [e for e in await bot.components.state.question_log.entries() if e["kind"] == "vote"]
    assert [v["vote"] for v in votes] == ["up"]


async def test_channel_mention_streams_and_replaces_the_placeholder(
    bot: Bot, stub: StubLLM
) -> None:
    use_llm(bot, stub)
    await bot.event(mention(QUESTION), "Em1")
    (stopped,) = await bot.api.wait_for("chat.stopStream")
    (placeholder,) = bot.api.of("chat.postMessage")
    assert placeholder["text"] == messages.SEARCHING  # shown at once, as before
    (deleted,) = await bot.api.wait_for("chat.delete")  # gone once the stream started
    placeholder_ts = next(ts for ts, p in bot.api.posted.items() if p is placeholder)
    assert deleted["ts"] == placeholder_ts
    assert bot.api.streams[stopped["ts"]]["thread_ts"] == "1700000000.000100"
    assert bot.api.streams[stopped["ts"]]["text"] == LLM_ANSWER


async def test_refused_streaming_falls_back_to_updates_and_is_remembered(
    bot: Bot, stub: StubLLM
) -> None:
    use_llm(bot, stub)
    bot.api.refuse_streaming = "method_not_supported"
    await bot.event(mention(QUESTION), "Er1")
    await wait_until(
        lambda: any("context_actions" in json.dumps(u) for u in bot.api.of("chat.update"))
    )
    assert len(bot.api.of("chat.startStream")) == 1  # tried once
    final = bot.api.of("chat.update")[-1]
    assert "25 days" in json.dumps(final["blocks"]) and "*Sources*" in json.dumps(final["blocks"])
    assert not bot.api.of("chat.delete")  # the placeholder became the answer
    await bot.event(mention(QUESTION, ts="1700000000.000900"), "Er2")
    await wait_until(
        lambda: sum("context_actions" in json.dumps(u) for u in bot.api.of("chat.update")) >= 2
    )
    assert len(bot.api.of("chat.startStream")) == 1  # not asked again in this channel


async def test_a_rewritten_answer_replaces_what_was_streamed(bot: Bot, stub: StubLLM) -> None:
    """The model cites a source that does not exist: the checked answer differs from the
    streamed text, so the streamed message is rewritten with it."""
    use_llm(bot, stub)
    stub.behaviour = lambda m: "Everyone gets [9] 25 days of paid vacation per year [1]."
    await bot.event(mention(QUESTION), "Ew1")
    (stopped,) = await bot.api.wait_for("chat.stopStream")
    (rewrite,) = await bot.api.wait_for("chat.update")
    assert rewrite["ts"] == stopped["ts"]
    rendered = json.dumps(rewrite["blocks"])
    assert "[9]" in bot.api.streams[stopped["ts"]]["text"]  # streamed before it was checked
    assert "[9]" not in rendered and "25 days of paid vacation per year [1]" in rendered


async def test_not_found_is_never_streamed(bot: Bot, stub: StubLLM) -> None:
    use_llm(bot, stub)
    stub.behaviour = lambda m: "NOT_FOUND"
    await bot.event(mention(QUESTION), "En1")
    await wait_until(
        lambda: any("context_actions" in json.dumps(u) for u in bot.api.of("chat.update"))
    )
    assert not bot.api.of("chat.startStream")
    assert messages.NOT_SURE in json.dumps(bot.api.of("chat.update")[-1]["blocks"])


async def test_workspace_refusing_feedback_buttons_gets_plain_buttons(bot: Bot) -> None:
    bot.api.refuse_block_types = {"context_actions"}
    await bot.event(mention(QUESTION), "Eb1")
    await wait_until(lambda: any("feedback_up" in json.dumps(u) for u in bot.api.of("chat.update")))
    final = bot.api.of("chat.update")[-1]
    assert [b["type"] for b in final["blocks"]][-1] == "actions"
    await bot.event(mention(QUESTION, ts="1700000000.000700"), "Eb2")
    await wait_until(
        lambda: sum("feedback_up" in json.dumps(u) for u in bot.api.of("chat.update")) >= 2
    )
    refused = [u for u in bot.api.of("chat.update") if "context_actions" in json.dumps(u)]
    assert len(refused) == 1  # plain buttons from then on, without asking again


async def test_socket_mode_carries_the_assistant_events(bot: Bot) -> None:
    """The same events through Socket Mode: a local WebSocket stand-in, acknowledged by
    envelope id, answered through the Web API."""
    from bot.slack.adapter import SlackAdapter
    from bot.slack.socket_mode import connect_socket_mode
    from tests.support.slack_socket import SocketModeStandIn

    socket = SocketModeStandIn()
    await socket.start()
    bot.api.socket_url = socket.url
    adapter = SlackAdapter(bot.components.settings.slack, bot.components)
    handler, connecting = connect_socket_mode(adapter, "xapp-test")
    try:
        await connecting
        thread = "1700000200.000100"
        envelope = await socket.send_event(thread_started(thread), "Esock1")
        await socket.wait_for_ack(envelope)
        await bot.api.wait_for("assistant.threads.setSuggestedPrompts")
        envelope = await socket.send_event(
            pane_message(QUESTION, thread, "1700000200.000200"), "Esock2"
        )
        await socket.wait_for_ack(envelope)
        await wait_until(lambda: len(bot.api.of("chat.postMessage")) >= 2)
        answer = bot.api.of("chat.postMessage")[-1]
        assert answer["thread_ts"] == thread and "25 days" in json.dumps(answer["blocks"])
        assert bot.api.of("assistant.threads.setStatus")  # status first, as over HTTP
        opened = bot.api.of("apps.connections.open")
        assert len(opened) == 1  # one connection, no reconnect loop
    finally:
        await handler.close_async()
        await socket.stop()
