"""The demo handbook plus one hr-only page carrying a canary, for leak tests: an answer
holding any of MARKS used the restricted page."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from bot.config import Settings, load_settings
from tests.support.commands import DEMO
from tests.support.slack_bot import SECRET

CANARY = "CANARY-bands-93d1"
SALARY = f"""# Salary bands

## Engineering salary bands

The engineering salary band for level 3 is {CANARY}: 95,000 to 120,000 euros a year.
Salary bands are reviewed every January by the compensation committee.
"""
QUESTIONS = [
    "What is the salary band for level 3 engineers?",
    "How much does a level 3 engineer earn?",
    "When are salary bands reviewed?",
    "Who reviews the salary bands?",
    "What are the engineering salary bands?",
    "Tell me the pay range for level 3",
    "Is the salary band for engineers public?",
]


# anything of the restricted page: its canary, its other sentence, its file name (citations)
MARKS = (CANARY, "compensation committee", "salary-bands")


def leaked(sent: str) -> bool:
    """True if what the bot sent holds anything of the restricted page."""
    return any(mark in sent for mark in MARKS)


class LeakCount:
    """Counts the answers a leak test checked, and the leaks among them."""

    asked = 0
    leaks = 0

    def count(self, sent: str) -> str:
        self.asked += 1
        self.leaks += leaked(sent)
        return sent


def restricted_handbook(folder: Path) -> Path:
    """``folder`` holding the demo handbook and hr/salary-bands.md (hr-only)."""
    shutil.copytree(DEMO, folder)
    (folder / "hr").mkdir()
    (folder / "hr" / "salary-bands.md").write_text(SALARY)
    (folder / ".wikibot-acl.yaml").write_text('rules:\n  - path: "hr/**"\n    groups: [hr-only]\n')
    return folder


def slack_leak_settings(
    tmp_path: Path, corpus: Path, api_url: str, redis_url: str | None, **channel_answers: bool
) -> Settings:
    """The settings of a Slack leak test: ``corpus`` as the source, the groups file in
    ``tmp_path``, no rate limits, the Slack stand-in at ``api_url``, channel answers as given
    (all off unless said)."""
    extra: dict[str, Any] = {"redis": {"url": redis_url}} if redis_url else {}
    return load_settings(
        data_dir=tmp_path / "data",
        sources=[corpus],
        groups_file=tmp_path / "groups.yaml",
        limits={"user_per_window": 10**6, "workspace_per_window": 10**6},
        slack={"bot_token": "xoxb-test", "signing_secret": SECRET, "api_url": api_url + "/api/"},
        channel_answers=channel_answers,
        **extra,
    )
