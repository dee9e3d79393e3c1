"""A 👎 opens a comment modal; the submitted comment lands in the question log with the vote
and in `wikibot report`; the 👎 is counted once. Over real HTTP (signed payloads)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from bot.learning.gap_report import build_report, render_text
from tests.support.slack_bot import Bot, feedback_buttons, feedback_click, mention


async def _interaction(bot: Bot, payload: dict) -> None:
    body = urlencode({"payload": json.dumps(payload)})
    status, _ = await bot.post(body, bot.signed_headers(body), "application/x-www-form-urlencoded")
    assert status == 200


async def test_a_thumbs_down_comment_reaches_the_log_and_the_report(bot: Bot) -> None:
    await bot.event(mention("How many vacation days do I get per year?"), "Ecomment")
    final = (await bot.api.wait_for("chat.update"))[-1]
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
