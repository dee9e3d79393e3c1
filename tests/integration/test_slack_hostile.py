"""Issue 16, findings 8 and 11 over real HTTP: a Slack retry that arrives on the other side
of a Redis outage is not answered twice (both directions, 5 events each); junk, forged and
signed-but-malformed requests get 400/401, never a 500 or an ERROR traceback; a lone
surrogate in a question is answered, not an error."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time

import pytest

from tests.support.slack_bot import SECRET, Bot, mention


def signed(body: bytes, content_type: str = "application/json") -> dict[str, str]:
    """Slack's v0 signature over the raw bytes (the SDK helper takes text)."""
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": content_type,
    }


async def _answers(bot: Bot, count: int, timeout: float = 60) -> list[dict[str, object]]:
    return await bot.api.wait_for("chat.update", count, timeout=timeout)


async def test_retries_across_a_redis_outage_are_answered_once(bot: Bot, redis_server) -> None:  # type: ignore[no-untyped-def]
    # direction 1: first delivery with Redis up, the retry during the outage
    for i in range(5):
        await bot.event(mention(f"vacation days question {i}?", ts=f"1700000100.00{i}"), f"Eup{i}")
    await _answers(bot, 5)
    redis_server.stop()
    for i in range(5):
        event = mention(f"vacation days question {i}?", ts=f"1700000100.00{i}")
        assert await bot.event(event, f"Eup{i}", retry=1) == 200
    # direction 2: first delivery during the outage, the retry once Redis is back
    for i in range(5):
        await bot.event(mention(f"sick leave question {i}?", ts=f"1700000200.00{i}"), f"Edown{i}")
    await _answers(bot, 10)
    redis_server.start()
    await asyncio.sleep(1.2)  # past the health check's retry interval: Redis is used again
    for i in range(5):
        event = mention(f"sick leave question {i}?", ts=f"1700000200.00{i}")
        assert await bot.event(event, f"Edown{i}", retry=1) == 200
    await asyncio.sleep(2.0)
    placeholders = bot.api.of("chat.postMessage")
    assert len(placeholders) == 10, [p.get("text") for p in placeholders]
    assert len({u["ts"] for u in bot.api.of("chat.update")}) == 10  # one answer per question


JUNK_BODIES = [
    b"{not json",
    b"[" * 100_000 + b"]" * 100_000,
    b"\xff\xfe\x00 invalid utf-8 \xc3\x28",
    b"null",
    b'"a string"',
    b'{"type": 5}',
    b"",
]


async def test_junk_never_gets_a_500_nor_a_traceback(
    bot: Bot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    ts = str(int(time.time()))
    statuses: list[tuple[str, int]] = []
    # unauthenticated junk: bad timestamps, signatures, bodies
    for headers in (
        {},
        {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=ünïcode"},
        {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + "0" * 64},
    ):
        for body in JUNK_BODIES:
            status, _ = await bot.post(body.decode("latin-1"), headers)
            statuses.append(("unsigned", status))
    # correctly signed junk (a leaked secret, or a proxy mangling bodies)
    for body in JUNK_BODIES:
        url = f"{bot.url}/slack/events"
        async with bot.session.post(url, data=body, headers=signed(body)) as response:
            statuses.append(("signed", response.status))
    for form in (b"payload=%7Bnot+json", b"payload=null", b"nothing=here"):
        headers = signed(form, "application/x-www-form-urlencoded")
        async with bot.session.post(f"{bot.url}/slack/events", data=form, headers=headers) as r:
            statuses.append(("signed form", r.status))
    assert all(s in (400, 401, 413) for _, s in statuses), statuses
    assert sum(s == 401 for kind, s in statuses if kind == "unsigned") == 5 * len(JUNK_BODIES)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not any(r.exc_info for r in caplog.records)
    # the app still answers real questions afterwards
    await bot.event(mention("How many vacation days do I get per year?"), "Eafter")
    assert "25 days" in json.dumps((await _answers(bot, 1))[-1])


async def test_a_lone_surrogate_in_a_question_is_answered(bot: Bot) -> None:
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T1",
            "event_id": "Esurrogate",
            "event": mention("How many vacation days do I get per year? \ud800"),
        }
    )
    status, _ = await bot.post(body, bot.signed_headers(body))
    assert status == 200
    final = (await _answers(bot, 1))[-1]
    assert "25 days" in json.dumps(final) and "went wrong" not in json.dumps(final)


def _form(payload: object) -> tuple[bytes, str]:
    from urllib.parse import urlencode

    return urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"


def _event(event: dict[str, object]) -> tuple[bytes, str]:
    envelope = {"type": "event_callback", "team_id": "T1", "event_id": "Ejunk", "event": event}
    return json.dumps(envelope).encode(), "application/json"


CLICK = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "UBOB"},
         "channel": {"id": "CGENERAL"}, "trigger_id": "t",
         "actions": [{"action_id": "wikibot_feedback", "value": "up:abc"}]}
VIEW = {"callback_id": "feedback_comment", "private_metadata": "abc",
        "state": {"values": {"comment": {"comment_text": {"value": "hi"}}}}}
SUBMIT = {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "UBOB"}, "view": VIEW}
THREAD = {"channel_id": "DPANE", "thread_ts": "1.1", "user_id": "UALICE"}
# issue 27, finding 12: signed payloads of the wrong shape (each was a 500 with an ERROR
# traceback, or a 404)
SIGNED_JUNK = {
    "empty actions": _form({**CLICK, "actions": []}),
    "actions an object": _form({**CLICK, "actions": {"action_id": "wikibot_feedback"}}),
    "actions of strings": _form({**CLICK, "actions": ["wikibot_feedback"]}),
    "action value a list": _form({**CLICK, "actions": [{"action_id": "feedback_up",
                                                        "value": ["abc"]}]}),
    "click without user": _form({k: v for k, v in CLICK.items() if k != "user"}),
    "click with user a string": _form({**CLICK, "user": "UBOB"}),
    "view without user": _form({k: v for k, v in SUBMIT.items() if k != "user"}),
    "view without state": _form({**SUBMIT, "view": {**VIEW, "state": None}}),
    "values a list": _form({**SUBMIT, "view": {**VIEW, "state": {"values": []}}}),
    "block values a list": _form({**SUBMIT, "view": {**VIEW, "state": {"values": {
        "comment": [{"value": "hi"}]}}}}),
    "unknown interaction": _form({"type": "shortcut", "user": {"id": "UBOB"}}),
    "context a list": _event({"type": "assistant_thread_started",
                              "assistant_thread": {**THREAD, "context": ["C1"]}}),
    "no assistant_thread": _event({"type": "assistant_thread_started"}),
    "event a list": (json.dumps({"type": "event_callback", "event": []}).encode(),
                     "application/json"),
    "mention user a list": _event({"type": "app_mention", "user": ["UALICE"], "text": "hi",
                                   "ts": "1.2", "channel": "CGENERAL"}),
    "command without user": (b"command=%2Fwikibot&text=help", "application/x-www-form-urlencoded"),
}


async def test_signed_junk_payloads_get_400_and_one_warning_each(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    statuses = {}
    for name, (body, content_type) in SIGNED_JUNK.items():
        async with bot.session.post(
            f"{bot.url}/slack/events", data=body, headers=signed(body, content_type)
        ) as response:
            statuses[name] = response.status
    await asyncio.sleep(0.5)  # anything a listener would do after the ack happens by now
    assert statuses == dict.fromkeys(SIGNED_JUNK, 400)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not any(r.exc_info for r in caplog.records)
    refused = [r.getMessage() for r in caplog.records if r.name == "bot.slack.routes"]
    assert len(refused) == len(SIGNED_JUNK)
    assert all(r.startswith("refused a Slack request: ") for r in refused)
    assert not any("wikibot_feedback" in r or "UALICE" in r for r in refused)  # no body
    assert not bot.api.calls  # nothing reached a listener
    # well-formed payloads still work: the same click, shaped right, is answered (200)
    body, content_type = _form(CLICK)
    async with bot.session.post(
        f"{bot.url}/slack/events", data=body, headers=signed(body, content_type)
    ) as response:
        assert response.status == 200
