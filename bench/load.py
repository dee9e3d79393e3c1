"""Load test: `wikibot serve` (its own process) under concurrent Slack and Teams conversations.

    python -m bench.load [--conversations 50] [--seconds 60] [--teams-share 0.3]
                         [--think 2 6] [--redis-outage 10]

Loopback only: local stand-ins for the Slack Web API and the Bot Connector, a real
redis-server, the demo handbook indexed in the embedded Qdrant, the extractive writer.
Each conversation asks a question (a signed Slack mention, or a Teams channel activity in
dev mode), waits for the final answer, "reads" it for a random think time, and asks again
in the same thread until the time is up. With ``--redis-outage S``, Redis is killed for S
seconds in the middle of the run and restarted empty.

Reports throughput, ack (HTTP response) and end-to-end (final answer seen by the stand-in)
p50/p95/p99, errors, lost and duplicated answers, answers during the outage, whether
conversation memory is written to Redis again afterwards, and the serve process's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bench.common import REPO, percentile
from bench.load_payloads import SECRET, slack_body, teams_activity
from tests.support.redis_server import RedisServer, free_port
from tests.support.slack_api import SlackAPIStub
from tests.support.teams_connector import ConnectorStub


@dataclass
class Run:
    started: float = 0.0
    acks: dict[str, list[float]] = field(default_factory=lambda: {"slack": [], "teams": []})
    ends: dict[str, list[float]] = field(default_factory=lambda: {"slack": [], "teams": []})
    # stand-in key (Slack channel / Teams activity id) -> (question id, sent at, future)
    waiting: dict[str, tuple[str, float, asyncio.Future[float]]] = field(default_factory=dict)
    finals: Counter[str] = field(default_factory=Counter)  # answers per question id
    unexpected: int = 0  # answers nobody was waiting for (duplicates or late)
    errors: list[str] = field(default_factory=list)
    lost: int = 0
    asked: int = 0
    outage: tuple[float, float] = (0.0, 0.0)
    answered_in_outage: int = 0


def _index(data: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "index", str(REPO / "demo" / "handbook")],
        env={**os.environ, "WIKIBOT_DATA_DIR": str(data)},
        check=True,
        capture_output=True,
    )


async def _watch(run: Run, slack: SlackAPIStub, teams: ConnectorStub) -> None:
    """Resolve each waiting question when its final answer reaches a stand-in."""
    slack_seen = teams_seen = 0
    while True:
        for method, params in slack.calls[slack_seen:]:
            slack_seen += 1
            blocks = params.get("blocks") or []
            if method == "chat.update" and any(
                b.get("type") in ("actions", "context_actions") for b in blocks
            ):
                _resolve(run, params["channel"])
        for sent in teams.sent[teams_seen:]:
            teams_seen += 1
            cards = sent["activity"].get("attachments") or []
            if any("actions" in c.get("content", {}) for c in cards):
                _resolve(run, sent["reply_to"])
        await asyncio.sleep(0.01)


def _resolve(run: Run, key: str) -> None:
    if key not in run.waiting:
        run.unexpected += 1
        return
    question, sent_at, future = run.waiting.pop(key)
    run.finals[question] += 1
    if not future.done():
        future.set_result(time.perf_counter() - sent_at)


async def _conversation(
    run: Run, c: int, platform: str, base: str, teams_url: str, end: float, think: list[float]
) -> None:
    verifier = SignatureVerifier(SECRET)
    async with aiohttp.ClientSession() as session:
        seq = 0
        while time.perf_counter() < end:
            loop = asyncio.get_running_loop()
            future: asyncio.Future[float] = loop.create_future()
            sent_at = time.perf_counter()
            if platform == "slack":
                body, key = slack_body(c, seq)
                stamp = str(int(time.time()))
                headers = {
                    "Content-Type": "application/json",
                    "X-Slack-Request-Timestamp": stamp,
                    "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body),
                }
                run.waiting[key] = (f"{c}-{seq}", sent_at, future)
                request = session.post(f"{base}/slack/events", data=body, headers=headers)
                expected = 200
            else:
                activity = teams_activity(c, seq, teams_url)
                key = activity["id"]
                run.waiting[key] = (f"{c}-{seq}", sent_at, future)
                request = session.post(f"{base}/api/messages", json=activity)
                expected = 201
            run.asked += 1
            try:
                async with request as response:
                    await response.read()
                    run.acks[platform].append(time.perf_counter() - sent_at)
                    if response.status != expected:
                        run.errors.append(f"{platform} HTTP {response.status}")
                elapsed = await asyncio.wait_for(future, 30)
                run.ends[platform].append(elapsed)
                if run.outage[0] <= sent_at - run.started <= run.outage[1]:
                    run.answered_in_outage += 1
            except TimeoutError:
                run.lost += 1
                run.waiting.pop(key, None)
            except aiohttp.ClientError as exc:
                run.errors.append(f"{platform} {type(exc).__name__}")
            seq += 1
            await asyncio.sleep(random.uniform(*think))


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def main_async(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    random.seed(7)
    redis = RedisServer(work)
    redis.start()
    _index(work / "data")
    slack, teams = SlackAPIStub(), ConnectorStub()
    await slack.start()
    await teams.start()
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("WIKIBOT_", "SLACK_"))},
        "WIKIBOT_DATA_DIR": str(work / "data"),
        "SLACK_BOT_TOKEN": "xoxb-load",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.url + "/api/",
        "WIKIBOT_TEAMS_DEV_MODE": "1",
        "REDIS_URL": redis.url,
        "WIKIBOT_LIMITS__USER_PER_WINDOW": "100000",
        "WIKIBOT_LIMITS__WORKSPACE_PER_WINDOW": "100000",
        "WIKIBOT_LOG_LEVEL": "WARNING",
    }
    log = (work / "serve.log").open("w")
    serve = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    assert serve.stdout is not None
    line = await asyncio.to_thread(serve.stdout.readline)
    assert "serving" in line, line
    base = f"http://127.0.0.1:{port}"
    run = Run()
    watcher = asyncio.create_task(_watch(run, slack, teams))
    # warm-up (one question each way), not counted
    warm_end = time.perf_counter() + 0.1
    await _conversation(run, 10**4, "slack", base, teams.url, warm_end, [0, 0])
    await _conversation(run, 10**4 + 1, "teams", base, teams.url, warm_end, [0, 0])
    run = Run()
    watcher.cancel()
    slack.calls.clear()  # the new watcher starts after the warm-up answers
    slack.received_at.clear()
    teams.sent.clear()
    watcher = asyncio.create_task(_watch(run, slack, teams))
    teams_count = round(args.conversations * args.teams_share)
    run.started = time.perf_counter()
    end = run.started + args.seconds
    if args.redis_outage:
        middle = args.seconds / 2
        run.outage = (middle - args.redis_outage / 2, middle + args.redis_outage / 2)
    tasks = [
        asyncio.create_task(
            _conversation(
                run, c, "teams" if c < teams_count else "slack", base, teams.url, end, args.think
            )
        )
        for c in range(args.conversations)
    ]
    memory_after = -1
    if args.redis_outage:
        await asyncio.sleep(run.outage[0])
        redis.stop()
        await asyncio.sleep(args.redis_outage)
        redis.start()
    await asyncio.gather(*tasks)
    duration = time.perf_counter() - run.started
    await asyncio.sleep(2)  # a duplicate answer would arrive now
    if args.redis_outage:
        from redis import Redis

        client = Redis.from_url(redis.url)
        memory_after = sum(1 for _ in client.scan_iter("wikibot:mem*"))
        client.close()
    rss = _peak_rss_mb(serve.pid)
    if args.keep_log:
        Path(args.keep_log).write_text((work / "serve.log").read_text())
    serve.terminate()
    serve.wait(60)
    watcher.cancel()
    await slack.stop()
    await teams.stop()
    redis.stop()
    ends = run.ends["slack"] + run.ends["teams"]
    acks = run.acks["slack"] + run.acks["teams"]
    result: dict[str, Any] = {
        "conversations": args.conversations,
        "teams_conversations": teams_count,
        "seconds": round(duration, 1),
        "questions": run.asked,
        "answered": len(ends),
        "throughput_per_s": round(len(ends) / duration, 2),
        "lost": run.lost,
        "duplicates": sum(n - 1 for n in run.finals.values() if n > 1) + run.unexpected,
        "errors": len(run.errors),
        "error_kinds": dict(Counter(run.errors)),
        "peak_rss_mb": round(rss),
    }
    for name, values in (("ack", acks), ("answer", ends)):
        for q in (50, 95, 99):
            result[f"{name}_p{q}_ms"] = round(percentile(values, q) * 1000)
    for platform in ("slack", "teams"):
        result[f"{platform}_answer_p95_ms"] = round(percentile(run.ends[platform], 95) * 1000)
    if args.redis_outage:
        result["answered_during_outage"] = run.answered_in_outage
        result["memory_keys_in_redis_after_restart"] = memory_after
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--teams-share", type=float, default=0.3)
    parser.add_argument("--think", type=float, nargs=2, default=[2.0, 6.0])
    parser.add_argument("--redis-outage", type=float, default=0)
    parser.add_argument("--keep-log", help="copy serve's log (JSON lines) here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(main_async(args, Path(tmp)))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
