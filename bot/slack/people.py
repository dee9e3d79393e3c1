"""Slack users as identities: the bot's own workspace, and people's verified e-mails.

An e-mail counts (for groups listed by e-mail, Entra lookups, sources that name people by
e-mail) only for an account of the bot's own organisation: its ``team_id`` is the bot's
workspace, or both belong to the same Enterprise Grid organisation. A Slack Connect account
of another organisation (another team, or ``is_stranger``) has no e-mail here, whatever its
profile says: anyone can put an internal address in their own organisation's profile.
E-mails are cached for EMAIL_TTL_S (a changed e-mail takes effect within it); a failed
lookup is not cached.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

logger = logging.getLogger(__name__)
EMAIL_TTL_S = 600.0
CACHED_PEOPLE = 20_000


class UsersClient(Protocol):
    async def auth_test(self) -> Any: ...

    async def users_info(self, *, user: str) -> Any: ...


@dataclass(frozen=True)
class OwnWorkspace:
    bot_user: str
    team: str
    enterprise: str


class SlackPeople:
    def __init__(self, client: UsersClient, *, ttl_s: float = EMAIL_TTL_S) -> None:
        self.client, self.ttl_s = client, ttl_s
        self.emails: OrderedDict[str, tuple[float, str | None]] = OrderedDict()
        self.own: OwnWorkspace | None = None

    async def workspace(self) -> OwnWorkspace:
        """The bot's user id, team and enterprise (auth.test, once: they never change)."""
        if self.own is None:
            info = await self.client.auth_test()
            self.own = OwnWorkspace(
                bot_user=str(info.get("user_id") or ""),
                team=str(info.get("team_id") or ""),
                enterprise=str(info.get("enterprise_id") or ""),
            )
        return self.own

    async def email_of(self, user: str) -> str | None:
        """The verified e-mail of an account of our own organisation, else None."""
        hit = self.emails.get(user)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        try:
            own = await self.workspace()
            info = await self.client.users_info(user=user)
        except Exception as exc:
            logger.warning("users.info failed: %s", type(exc).__name__)
            return None
        person = info.get("user") or {}
        email = (person.get("profile") or {}).get("email") or None
        if email and not is_own(person, own):
            logger.info("an account of another organisation: its e-mail is not used")
            email = None
        self.emails[user] = (time.monotonic() + self.ttl_s, email)
        self.emails.move_to_end(user)
        while len(self.emails) > CACHED_PEOPLE:
            self.emails.popitem(last=False)
        return email


def is_own(person: dict[str, Any], own: OwnWorkspace) -> bool:
    """An account of the bot's own organisation (fail closed: unknown means no)."""
    if person.get("is_stranger"):
        return False
    team = str(person.get("team_id") or "")
    if own.team and team == own.team:
        return True
    enterprise = str((person.get("enterprise_user") or {}).get("enterprise_id") or "")
    return bool(own.enterprise) and enterprise == own.enterprise
