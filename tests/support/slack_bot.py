"""Talking to a running wikibot as Slack does: signed event, command and interaction
requests over HTTP (the `bot` fixture in tests/integration/conftest.py starts one)."""

from __future__ import annotations

import json
import time
from typing import Any

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bot.app import App
from tests.support.engines import SwitchableEngine
from tests.support.slack_api import BOT_USER, SlackAPIStub

SECRET = "test-signing-secret"
ADMIN = "UADMIN"


class Bot:
    def __init__(self, url: str, api: SlackAPIStub, components: App) -> None:
        self.url, self.api, self.components = url, api, components
        self.engine: SwitchableEngine = components.engine  # type: ignore[assignment]
        self.session = aiohttp.ClientSession()
        self.verifier = SignatureVerifier(SECRET)

    def signed_headers(self, body: str, *, age_s: float = 0) -> dict[str, str]:
        ts = str(int(time.time() - age_s))
        return {
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=ts, body=body),
        }

    async def post(
        self, body: str, headers: dict[str, str], content_type: str = "application/json"
    ) -> tuple[int, float]:
        started = time.perf_counter()
        async with self.session.post(
            f"{self.url}/slack/events", data=body, headers={**headers, "Content-Type": content_type}
        ) as response:
            await response.read()
            return response.status, time.perf_counter() - started

    async def event(self, event: dict[str, Any], event_id: str, retry: int | None = None) -> int:
        body = json.dumps(
            {"type": "event_callback", "team_id": "T1", "event_id": event_id, "event": event}
        )
        headers = self.signed_headers(body)
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        status, _ = await self.post(body, headers)
        return status

    async def command(
        self, text: str, user: str, response_id: str, channel: str = "C1"
    ) -> int:
        from urllib.parse import urlencode

        body = urlencode(
            {
                "command": "/wikibot",
                "text": text,
                "user_id": user,
                "team_id": "T1",
                "channel_id": channel,
                "response_url": f"{self.api.url}/respond/{response_id}",
                "trigger_id": f"trigger-{response_id}",
            }
        )
        status, _ = await self.post(
            body, self.signed_headers(body), "application/x-www-form-urlencoded"
        )
        return status


def mention(text: str, ts: str = "1700000000.000100", **extra: Any) -> dict[str, Any]:
    return {
        "type": "app_mention",
        "user": "UALICE",
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts,
        "channel": "CGENERAL",
        "team": "T1",
        **extra,
    }


def feedback_buttons(message: dict[str, Any]) -> dict[str, str]:
    """{"up": value, "down": value} of an answer's native 👍/👎 (context_actions block)."""
    block = next(b for b in message["blocks"] if b["type"] == "context_actions")
    element = block["elements"][0]
    assert element["type"] == "feedback_buttons" and element["action_id"] == "wikibot_feedback"
    return {"up": element["positive_button"]["value"], "down": element["negative_button"]["value"]}


def feedback_click(
    final: dict[str, Any], vote: str, user: str, trigger_id: str
) -> dict[str, Any]:
    """The block_actions payload Slack sends when ``user`` clicks 👍 or 👎 (``vote``) on
    ``final``: the native feedback_buttons, or plain buttons where the answer has those."""
    legacy = [b for b in final.get("blocks") or [] if b["type"] == "actions"]
    if legacy:
        button = legacy[0]["elements"][0 if vote == "up" else 1]
        action = {"action_id": button["action_id"], "value": button["value"], "type": "button"}
    else:
        value = feedback_buttons(final)[vote]
        action = {"action_id": "wikibot_feedback", "value": value, "type": "feedback_buttons"}
    return {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user},
        "channel": {"id": final.get("channel", "CGENERAL")},
        "container": {"type": "message", "channel_id": final.get("channel", "CGENERAL")},
        "message": {"ts": final["ts"], "thread_ts": final.get("thread_ts", "1700000000.000100")},
        "actions": [{**action, "block_id": "wikibot_feedback"}],
        "trigger_id": trigger_id,
    }
