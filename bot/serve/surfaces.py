"""What `serve` says it is doing, one line per surface: only what is actually live."""

from __future__ import annotations

from bot.app import App
from bot.config import redact_url


def surface_lines(app: App, slack_identity: str) -> list[str]:
    settings = app.settings
    slack, teams, llm = settings.slack, settings.teams, settings.llm
    lines = []
    if slack.enabled:
        how = "Socket Mode" if slack.app_token else "HTTP events at POST /slack/events"
        who = f" as {slack_identity}" if slack_identity else " (tokens not checked)"
        lines.append(f"Slack: on{who}, {how}")
    elif slack.signing_secret:
        lines.append(
            "Slack: waiting for SLACK_BOT_TOKEN (POST /slack/events answers Slack's URL check)"
        )
    else:
        lines.append("Slack: off (set SLACK_BOT_TOKEN and SLACK_APP_TOKEN; see README)")
    if teams.active and teams.app_id:
        lines.append(f"Teams: on at POST /api/messages ({teams.app_type}, app {teams.app_id})")
    elif teams.active:
        lines.append("Teams: DEV MODE at POST /api/messages (unauthenticated; never in production)")
    else:
        lines.append("Teams: off (set MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD, tenant id)")
    if llm.enabled:
        where = redact_url(llm.base_url) if llm.base_url else "api.openai.com"
        lines.append(f"answers: written by {llm.model} at {where}")
    else:
        lines.append("answers: extractive quotes (set WIKIBOT_LLM__MODEL for written answers)")
    if not slack.enabled and not teams.active:
        lines.append("no chat surface is live: only /healthz, /readyz and /metrics answer")
    return lines
