"""Who is a wikibot admin: the one rule every surface applies.

Admins may run `/wikibot reindex` and are exempt from rate limits. A user is an admin when
their id is in WIKIBOT_LIMITS__ADMINS (any platform) or in their platform's own list
(WIKIBOT_SLACK__ADMINS: Slack user ids; WIKIBOT_TEAMS__ADMINS: Azure AD object ids). Slack
can add the members of a user group (WIKIBOT_SLACK__ADMIN_USERGROUP), which only Slack's
adapter can look up; it asks :meth:`AdminRule.named` first.
"""

from __future__ import annotations

from bot.config import Settings


class AdminRule:
    def __init__(self, settings: Settings) -> None:
        self.everywhere = set(settings.limits.admins)
        self.by_platform = {
            "slack": set(settings.slack.admins),
            "teams": set(settings.teams.admins),
        }

    def named(self, platform: str, user: str) -> bool:
        if not user:
            return False
        return user in self.everywhere or user in self.by_platform.get(platform, set())
