"""The assistant pane's suggested prompts over real HTTP (signed Slack events into the app,
the Slack stand-in recording assistant.threads.setSuggestedPrompts): a question asked by three
people is suggested to everyone only if it says nothing the public documents do not; a
phishing link or a confidential name asked about by three accounts never is."""

from __future__ import annotations

import json

import pytest

from tests.support.slack_bot import Bot, mention

pytestmark = pytest.mark.slow

BENIGN = "When do I need a doctor's note for sick leave?"
PHISHING = "How do I reset my password at https://login.brightwater-sso.example/reset?"
CONFIDENTIAL = "How many vacation days do we get per year at Zyntrax?"  # a secret deal
ASKERS = ["UANNA", "UBEN", "UCARL"]


async def test_only_questions_in_public_words_are_suggested(bot: Bot) -> None:
    n = 0
    for question in (PHISHING, CONFIDENTIAL, BENIGN):
        for user in ASKERS:
            n += 1
            event = mention(question, ts=f"1910000000.{n:06d}", user=user)
            assert await bot.event(event, f"Eprompt{n}") == 200
    await bot.api.wait_for("chat.update", n, timeout=240)
    logged = [e for e in await bot.components.state.question_log.entries()
              if e.get("kind") == "answer"]
    # each was asked by three people, answered, and from public pages: only words differ
    for question in (PHISHING, CONFIDENTIAL, BENIGN):
        same = [e for e in logged if e["question"] == question]
        assert len({e["user"] for e in same}) == len(ASKERS)  # (pseudonymised ids)
        assert all(e["answered"] and e["cited_chunk_ids"] for e in same), question

    started = {"type": "assistant_thread_started", "assistant_thread": {
        "user_id": "UDAVE", "channel_id": "DDAVE", "thread_ts": "1910000001.000100"}}
    assert await bot.event(started, "Eprompt-start") == 200
    (prompts,) = await bot.api.wait_for("assistant.threads.setSuggestedPrompts")
    sent = json.dumps(prompts)
    assert [p["message"] for p in prompts["prompts"]] == [BENIGN]
    assert "https" not in sent and "brightwater-sso" not in sent and "Zyntrax" not in sent
