"""Helpers shared by the benchmark scripts."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from slack_sdk.signature import SignatureVerifier

REPO = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("WIKIBOT_SHARED_DIR", REPO.parent / "shared")) / "corpora"
# questions the demo handbook answers, for the chat benchmarks
DEMO_QUESTIONS = [
    "How many vacation days do I get per year?",
    "When do I need a doctor's note for sick leave?",
    "Can I carry over unused vacation days?",
    "How do I submit an expense report?",
    "What is the parental leave policy?",
    "What is the hotel limit per night when travelling?",
    "Who do I talk to about a code of conduct issue?",
    "How do I get a new laptop?",
    "Can I work remotely from another country?",
    "What are the core working hours?",
    "How are public holidays handled?",
    "What is the per diem for meals on business trips?",
]


def peak_rss_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def signed_slack_event(
    secret: str, event: dict[str, object], event_id: str
) -> tuple[str, dict[str, str]]:
    """The body and headers of an event_callback as Slack signs it (the burst benchmarks)."""
    body = json.dumps(
        {"type": "event_callback", "team_id": "T1", "event_id": event_id, "event": event}
    )
    stamp = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }
    return body, headers


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def burst_main(run: Callable[[int, Path], Awaitable[dict[str, float]]]) -> None:
    """Entry point of the chat burst benchmarks: ``--mentions N`` concurrent questions in a
    temporary directory; prints the result as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(run(args.mentions, Path(tmp)))
    print(json.dumps({k: round(v, 1) for k, v in result.items()}, indent=2))
