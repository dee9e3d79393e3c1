"""Reading Teams activities: who asked (roster email), what they wrote (mentions removed),
and whether it is a command. Used by bot/teams/adapter.py."""

from __future__ import annotations

import logging
import re

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity

logger = logging.getLogger(__name__)
COMMANDS = {"help", "status", "reindex", "forget"}
AT_TAG = re.compile(r"</?at[^>]*>", re.IGNORECASE)


class TeamsIdentity:
    """The asker's email or UPN from the conversation roster (TeamsInfo.get_member)."""

    def __init__(self, context: TurnContext, cache: dict[str, str | None]) -> None:
        self.context, self.cache = context, cache

    async def email_of(self, user: str) -> str | None:
        if user in self.cache:
            return self.cache[user]
        try:
            member = await TeamsInfo.get_member(
                self.context, self.context.activity.from_property.id
            )
        except Exception as exc:
            logger.warning("Teams roster lookup failed: %s", type(exc).__name__)
            return None
        self.cache[user] = member.email or member.user_principal_name or None
        return self.cache[user]


def is_command(words: list[str]) -> bool:
    """`help`, `status`, `forget` alone, or `reindex [SOURCE] [--full]`: "help me with
    expenses" is a question."""
    if not words or words[0].lower() not in COMMANDS:
        return False
    return len(words) == 1 or (words[0].lower() == "reindex" and len(words) <= 3)


def strip_mentions(activity: Activity) -> str:
    """The text without the bot's @mention; other people's mentions become plain names."""
    text = activity.text or ""
    bot_id = activity.recipient.id if activity.recipient else ""
    for entity in activity.entities or []:
        props = getattr(entity, "additional_properties", {}) or {}
        if entity.type == "mention" and (props.get("mentioned") or {}).get("id") == bot_id:
            text = text.replace(props.get("text") or "", " ")
    return " ".join(AT_TAG.sub("", text).split())


def from_bot(activity: Activity) -> bool:
    sender = activity.from_property
    return bool(
        sender
        and (sender.role == "bot" or (activity.recipient and sender.id == activity.recipient.id))
    )
