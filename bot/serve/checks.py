"""Settings `serve` refuses to start with: each one would silently lose security or data.

Checked at start-up, all at once, each problem one line naming the variable to set.
"""

from __future__ import annotations

from bot.config import Settings
from bot.teams.adapter import startup_problem


def unsafe_settings(settings: Settings) -> list[str]:
    problems = []
    slack = settings.slack
    if slack.bot_token and not (slack.signing_secret or slack.app_token):
        problems.append(
            "SLACK_BOT_TOKEN is set without SLACK_SIGNING_SECRET: Slack HTTP mode cannot verify "
            "that requests come from Slack (set it, or SLACK_APP_TOKEN for Socket Mode)"
        )
    teams = startup_problem(settings.teams)
    if teams:
        problems.append(teams)
    server = settings.server
    if server.production and settings.teams.dev_mode:
        problems.append(
            "WIKIBOT_TEAMS_DEV_MODE=1 accepts unauthenticated Teams activities: not allowed "
            "with WIKIBOT_SERVER__PRODUCTION=true (set MICROSOFT_APP_ID instead)"
        )
    if server.replicas > 1 and not settings.qdrant.url:
        problems.append(
            f"WIKIBOT_SERVER__REPLICAS={server.replicas} with the embedded Qdrant (no "
            "QDRANT_URL): local mode is one process's private copy; set QDRANT_URL"
        )
    if server.replicas > 1 and not settings.redis.url:
        problems.append(
            f"WIKIBOT_SERVER__REPLICAS={server.replicas} without REDIS_URL: dedupe, rate limits "
            "and memory would be per replica (duplicate answers); set REDIS_URL"
        )
    return problems
