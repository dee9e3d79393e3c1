"""Reading Teams activities: who asked (roster email), what they wrote (mentions removed),
and whether it is a command. Used by bot/teams/adapter.py."""

from __future__ import annotations

import logging
import re
import time

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity

from bot.teams.members import own_email, tenant_of

logger = logging.getLogger(__name__)
COMMANDS = {"help", "status", "reindex", "forget"}
EMAIL_TTL_S = 600.0  # a changed e-mail or UPN takes effect within this
CACHED_PEOPLE = 20_000
EmailCache = dict[str, tuple[float, str | None]]  # user -> (expiry, e-mail or None)
AT_TAG = re.compile(r"</?at[^>]*>", re.IGNORECASE)


class TeamsIdentity:
    """The asker's email or UPN from the conversation roster (TeamsInfo.get_member), for a
    member of our own tenant only (bot/teams/members.py:own_email); cached EMAIL_TTL_S."""

    def __init__(self, context: TurnContext, cache: EmailCache) -> None:
        self.context, self.cache = context, cache

    async def email_of(self, user: str) -> str | None:
        hit = self.cache.get(user)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        try:
            member = await TeamsInfo.get_member(
                self.context, self.context.activity.from_property.id
            )
        except Exception as exc:
            logger.warning("Teams roster lookup failed: %s", type(exc).__name__)
            return None
        email = own_email(member, tenant_of(self.context)) or None
        if len(self.cache) >= CACHED_PEOPLE:
            self.cache.clear()
        self.cache[user] = (time.monotonic() + EMAIL_TTL_S, email)
        return email


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
