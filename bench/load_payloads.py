"""The requests bench/load.py sends: signed Slack mentions and Teams channel activities."""

from __future__ import annotations

import json
import random
from typing import Any

from bench.common import DEMO_QUESTIONS

SECRET = "load-secret"
QUESTIONS = DEMO_QUESTIONS


def slack_body(conversation: int, seq: int) -> tuple[str, str]:
    root = f"{1700000000 + conversation}.000000"
    ts = f"{1700000000 + conversation}.{seq + 1:06d}"
    event = {
        "type": "app_mention",
        "user": f"U{conversation}",
        "channel": f"C{conversation}",
        "ts": ts,
        "text": f"<@UBOT> {random.choice(QUESTIONS)}",
    }
    if seq:
        event["thread_ts"] = root
    body = {"type": "event_callback", "team_id": "T1", "event_id": f"E{conversation}-{seq}"}
    return json.dumps({**body, "event": event}), f"C{conversation}"


def teams_activity(conversation: int, seq: int, service_url: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": f"act{conversation}-{seq}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:u{conversation}", "aadObjectId": f"aad-{conversation}"},
        "recipient": {"id": "28:bot", "name": "wikibot"},
        "conversation": {
            "id": f"19:general@thread.tacv2;messageid=root{conversation}",
            "conversationType": "channel",
        },
        "channelData": {"tenant": {"id": "t1"}},
        "text": f"<at>wikibot</at> {random.choice(QUESTIONS)}",
        "entities": [
            {"type": "mention", "text": "<at>wikibot</at>", "mentioned": {"id": "28:bot"}}
        ],
    }
