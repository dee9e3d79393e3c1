"""A 👎 opens a comment modal; the submitted comment lands in the question log with the vote
and in `wikibot report`; the 👎 is counted once. Over real HTTP (signed payloads).

Issue 27 (finding 12): only the asker or a current member of the answer's conversation may
vote or comment (the asker alone for a DM answer), one vote per person per answer (a later
click replaces the earlier one), and a comment is cut at 2,000 characters with a note."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlencode

from bot import messages
from bot.learning.gap_report import build_report, render_text
from bot.state.vote_rules import MAX_REASON_CHARS
from tests.support.slack_bot import Bot, feedback_buttons, feedback_click, mention


async def _interaction(bot: Bot, payload: dict) -> None:
    body = urlencode({"payload": json.dumps(payload)})
    status, _ = await bot.post(body, bot.signed_headers(body), "application/x-www-form-urlencoded")
    assert status == 200


async def test_a_thumbs_down_comment_reaches_the_log_and_the_report(bot: Bot) -> None:
    await bot.event(mention("How many vacation days do I get per year?"), "Ecomment")
    final = (await bot.api.wait_for("chat.update"))[-1]
    bot.api.channels["CGENERAL"] = {"members": ["UALICE", "UBOB"]}
    await _interaction(bot, feedback_click(final, "down", "UBOB", "trigger-down"))
    (opened,) = await bot.api.wait_for("views.open")
    view = opened["view"] if isinstance(opened["view"], dict) else json.loads(opened["view"])
    assert opened["trigger_id"] == "trigger-down" and view["type"] == "modal"
    assert view["private_metadata"] == feedback_buttons(final)["down"].removeprefix("down:")

    comment = "It did not say whether unused days roll over."
    view["state"] = {"values": {"comment": {"comment_text": {"type": "plain_text_input",
                                                               "value": comment}}}}
    await _interaction(bot, {"type": "view_submission", "team": {"id": "T1"},
                             "user": {"id": "UBOB"}, "view": {**view, "id": "V1"}})
    entries = []
    for _ in range(100):
        entries = await bot.components.state.question_log.entries()
        if any(e.get("reason") == comment for e in entries):
            break
        await __import__("asyncio").sleep(0.05)
    votes = [e for e in entries if e.get("kind") == "vote"]
    assert [v["vote"] for v in votes] == ["down", "down"] and votes[-1]["reason"] == comment

    report = build_report(entries, {}, lambda texts: [[1.0] for _ in texts])
    assert sum(report.down) == 1  # one person's 👎, counted once
    text = render_text(report)
    assert f"How many vacation days do I get per year?: {comment}" in text
    async with bot.session.get(f"{bot.url}/metrics") as response:
        exposition = await response.text()
    assert 'wikibot_feedback_total{platform="slack",vote="down"} 1.0' in exposition


def _comment(view: dict, user: str, text: str) -> dict:
    state = {"values": {"comment": {"comment_text": {"type": "plain_text_input", "value": text}}}}
    return {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": user},
            "view": {**view, "id": "V1", "state": state}}


async def _ephemerals(bot: Bot, count: int) -> list[str]:
    return [e["text"] for e in await bot.api.wait_for("chat.postEphemeral", count)]


async def _votes_when(bot: Bot, done) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """The stored votes by user, once ``done(votes)`` holds (the vote lands after the ack)."""
    for _ in range(200):
        votes = {v["user"]: v for v in await bot.components.state.feedback.votes()}
        if done(votes):
            return votes
        await asyncio.sleep(0.05)
    raise AssertionError(f"votes never settled: {votes}")


async def test_only_members_vote_once_each_and_comments_are_cut(bot: Bot) -> None:
    await bot.event(mention("How many vacation days do I get per year?"), "Evoters")
    final = (await bot.api.wait_for("chat.update"))[-1]
    bot.api.channels["CGENERAL"] = {"members": ["UALICE", "UBOB", "UCAROL"]}
    feedback = bot.components.state.feedback

    # someone outside the channel: refused, nothing stored, no comment modal
    await _interaction(bot, feedback_click(final, "down", "UMALLORY", "trigger-m"))
    assert await _ephemerals(bot, 1) == [messages.NOT_YOURS_TO_RATE]
    assert await feedback.votes() == [] and not bot.api.of("views.open")

    # a member clicks ten times, ending on 👎: one vote is stored, the last one
    for i in range(10):
        vote = "up" if i % 2 else "down"
        await _interaction(bot, feedback_click(final, vote, "UBOB", f"trigger-b{i}"))
    await _ephemerals(bot, 11)
    await _interaction(bot, feedback_click(final, "up", "UCAROL", "trigger-c"))
    await _interaction(bot, feedback_click(final, "down", "UBOB", "trigger-last"))
    texts = await _ephemerals(bot, 13)
    assert texts[1:] == [messages.THANKS_FOR_FEEDBACK] * 12
    votes = await feedback.votes()
    assert sorted((v["user"], v["vote"]) for v in votes) == [("UBOB", "down"), ("UCAROL", "up")]
    assert all(v["conversation"] == "CGENERAL" for v in votes)

    # a 20,000-character comment from the member: stored cut, with a note; still one vote
    modals = await bot.api.wait_for("views.open", 6)  # five 👎 before, then this one
    (opened,) = [o for o in modals if o["trigger_id"] == "trigger-last"]
    view = opened["view"] if isinstance(opened["view"], dict) else json.loads(opened["view"])
    await _interaction(bot, _comment(view, "UBOB", "x" * 20_000))
    votes = await _votes_when(bot, lambda votes: "reason" in votes["UBOB"])
    assert len(votes) == 2 and votes["UBOB"]["vote"] == "down"
    reason = votes["UBOB"]["reason"]
    assert reason.startswith("x" * MAX_REASON_CHARS) and "x" * (MAX_REASON_CHARS + 1) not in reason
    assert "20,000" in reason and len(reason) < MAX_REASON_CHARS + 100
    logged = [e for e in await bot.components.state.question_log.entries() if e["kind"] == "vote"]
    assert [e["reason"] for e in logged if e.get("reason")] == [reason]

    # the same comment from outside the channel: the modal says why, nothing stored
    body = urlencode({"payload": json.dumps(_comment(view, "UMALLORY", "spam"))})
    headers = bot.signed_headers(body)
    async with bot.session.post(
        f"{bot.url}/slack/events", data=body,
        headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
    ) as response:
        assert response.status == 200
        refusal = await response.json()
    assert refusal == {"response_action": "errors",
                       "errors": {"comment": messages.NOT_YOURS_TO_RATE}}
    assert len(await feedback.votes()) == 2

    # membership is read at the click: once UCAROL has left, her vote is refused
    bot.api.channels["CGENERAL"]["members"].remove("UCAROL")
    await _interaction(bot, feedback_click(final, "down", "UCAROL", "trigger-c2"))
    assert (await _ephemerals(bot, 14))[-1] == messages.NOT_YOURS_TO_RATE
    assert {v["user"]: v["vote"] for v in await feedback.votes()}["UCAROL"] == "up"


async def test_a_dm_answer_is_rated_by_its_asker_only(bot: Bot) -> None:
    dm = {"type": "message", "channel_type": "im", "user": "UALICE", "channel": "DALICE",
          "text": "How many vacation days do I get per year?", "ts": "1700000300.000100"}
    await bot.event(dm, "Edm")
    final = (await bot.api.wait_for("chat.update"))[-1]
    bot.api.channels["DALICE"] = {"is_im": True, "members": ["UALICE", "UBOB"]}
    await _interaction(bot, feedback_click(final, "up", "UBOB", "trigger-dm-b"))
    await _interaction(bot, feedback_click(final, "up", "UALICE", "trigger-dm-a"))
    texts = await _ephemerals(bot, 2)
    assert texts == [messages.NOT_YOURS_TO_RATE, messages.THANKS_FOR_FEEDBACK]
    votes = await bot.components.state.feedback.votes()
    assert [(v["user"], v["in_dm"]) for v in votes] == [("UALICE", True)]
