"""Personal HR questions ("how many vacation days do I have left?"): the asker's own figure
from HR records, plus the policy that governs it from the index.

Privacy: the figure goes only to its owner, in a DM (the caller decides where it is sent:
``PersonalReply.private`` is never shown in a shared conversation). An audit line records
that a lookup happened (platform, user id, field names, outcome), never values or emails.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Protocol

from bot import messages
from bot.config import HRSettings
from bot.errors import ConfigurationError
from connectors.hr_records import (
    FileHRRecords,
    HRRecord,
    HRRecordSource,
    HRUnavailableError,
    HttpHRRecords,
)

audit = logging.getLogger("wikibot.audit")
logger = logging.getLogger(__name__)

FIELDS = {
    "vacation": re.compile(
        r"\b(vacation|pto|paid time off|holidays?|annual leave|time off|days off|leave days)\b",
        re.I,
    ),
    "sick": re.compile(r"\bsick\b", re.I),
    "manager": re.compile(r"\b(manager|supervisor|boss|report to)\b", re.I),
}
# about the asker's own data, not the policy ("how many days do I get per year?" is policy)
OWN = re.compile(
    r"\b(left|remaining|balance|do i (still )?have(?! to)|have i|i (still )?have(?! to)|"
    r"still have(?! to)|"
    r"have i got|accrued|used up|taken so far|my (vacation|pto|sick|holiday|leave|annual|"
    r"time off|days)|who is my|who's my|for me)\b",
    re.I,
)
# a question about another person's figures ("does alice have left", "bob's balance")
_CONTRACTIONS = r"(?:what|that|it|there|who|here|let|how|where|when|he|she)"
_NOT_A_PERSON = (
    r"(?:i|you|we|one|it|there|that|this|the|a|an|any|been|my\s+(?:remaining|current|own|vacation|"
    r"pto|sick|leave|holiday|annual|days))"
)
SOMEONE_ELSE = re.compile(
    r"<@\w+>|"
    rf"\b(?:does|did|has|had)\s+(?!{_NOT_A_PERSON}\b)(?:my\s+)?[a-z]+(?:\s+[a-z]+)?\s+"
    r"(?:still\s+)?(?:have|has|got|get|left|remaining|taken|used|accrued)\b|"
    rf"\b(?!{_CONTRACTIONS}'s)[a-z]+'s\s+(?:remaining\s+|current\s+)?"
    r"(?:vacation|pto|sick|holidays?|leave|balance|days|time off|manager|boss|supervisor)\b",
    re.I,
)
# "... for alice?", "... of Alice Smith": the last words, unless they are not a person
_FOR_WHOM = re.compile(r"\b(?:for|of)\s+((?:my\s+)?[a-z]+(?:\s+[a-z]+)?)\s*[?.!]*\s*$", re.I)
_PEOPLE = set(
    [
        "colleague",
        "coworker",
        "teammate",
        "report",
        "reports",
        "manager",
        "boss",
        "supervisor",
        "partner",
        "wife",
        "husband",
        "friend",
        "assistant",
    ]
)
_NOT_NAMES = set(
    [
        "me",
        "myself",
        "us",
        "you",
        "everyone",
        "everybody",
        "all",
        "staff",
        "employees",
        "people",
        "them",
        "it",
        "that",
        "this",
        "the",
        "year",
        "month",
        "week",
        "today",
        "now",
        "leave",
        "vacation",
        "holiday",
        "holidays",
        "pto",
        "days",
        "sick",
        "time",
        "off",
        "balance",
        "next",
        "last",
        "new",
        "hires",
        "interns",
        "contractors",
        "managers",
        "part",
        "full",
        "remaining",
        "annual",
    ]
)
OTHER_PERSON = messages.ONLY_YOUR_OWN_FIGURES
POLICY_QUERY = {
    "vacation": "vacation days per year accrual and carry over policy",
    "sick": "sick leave days policy",
}
NOT_FOUND = messages.NO_HR_RECORD
UNAVAILABLE = messages.HR_UNAVAILABLE


def about_someone_else(question: str) -> bool:
    """True when a personal HR question asks about another person, not the asker."""
    if SOMEONE_ELSE.search(question):
        return True
    whom = _FOR_WHOM.search(question)
    if whom is None:
        return False
    words = whom.group(1).lower().split()
    if words[0] == "my":
        return words[-1] in _PEOPLE  # "for my colleague", "of my manager"
    return not any(w in _NOT_NAMES for w in words)


def personal_fields(question: str) -> list[str]:
    """The HR fields a question asks about for the asker themself ([] if none)."""
    if not OWN.search(question):
        return []
    return [name for name, pattern in FIELDS.items() if pattern.search(question)]


class IdentityLookup(Protocol):
    async def email_of(self, user: str) -> str | None:
        """The asker's verified work email from the platform (None if unknown)."""
        ...


@dataclass
class PersonalReply:
    private: str  # the asker's figures: only ever shown to them
    policy_query: str  # what to search for the governing policy ("" for none)
    outcome: str  # "found", "no_record", "unavailable", "no_identity"


def _days(value: float | None) -> str:
    return "unknown" if value is None else f"{value:g}"


def describe(record: HRRecord, fields: list[str], label: str) -> str:
    when = f"{label}, as of {record.as_of.isoformat()}" if record.as_of else label
    lines = []
    if "vacation" in fields:
        detail = ""
        if record.vacation_accrued is not None or record.vacation_used is not None:
            detail = (
                f": {_days(record.vacation_accrued)} accrued, {_days(record.vacation_used)} used"
            )
        lines.append(f"You have {_days(record.vacation_balance)} vacation days left{detail}.")
    if "sick" in fields:
        lines.append(f"You have {_days(record.sick_balance)} sick leave days left.")
    if "manager" in fields:
        lines.append(f"Your manager is {record.manager or 'not recorded'}.")
    return " ".join(lines) + f" ({when})"


def build_personal_answers(settings: HRSettings) -> PersonalAnswers | None:
    """From WIKIBOT_HR__*: an HRIS API if configured, else an export file, else None."""
    source: HRRecordSource
    if settings.api_url and settings.api_key:
        key = settings.api_key.get_secret_value()
        source = HttpHRRecords(settings.api_url, key, timeout_s=settings.timeout_s)
    elif settings.export_path:
        if not settings.export_path.is_file():
            raise ConfigurationError(
                f"WIKIBOT_HR__EXPORT_PATH: {settings.export_path} is not a readable file"
            )
        source = FileHRRecords(settings.export_path)
    else:
        return None
    # the whole lookup (identity, directory pages, balances, retries) within 2 x the timeout
    return PersonalAnswers(source, timeout_s=settings.timeout_s * 2)


class PersonalAnswers:
    def __init__(self, source: HRRecordSource, *, timeout_s: float = 8.0) -> None:
        self.source = source
        self.timeout_s = timeout_s

    async def lookup(
        self, platform: str, user: str, fields: list[str], identity: IdentityLookup | None
    ) -> PersonalReply:
        policy = next((POLICY_QUERY[f] for f in fields if f in POLICY_QUERY), "")
        outcome, private = "found", ""
        try:
            email = None
            if identity is not None:
                email = await asyncio.wait_for(identity.email_of(user), self.timeout_s)
            if not email:
                outcome, private = "no_identity", NOT_FOUND
            else:
                record = await asyncio.wait_for(self.source.find_by_email(email), self.timeout_s)
                if record is None:
                    outcome, private = "no_record", NOT_FOUND
                else:
                    private = describe(record, fields, self.source.label)
        except (HRUnavailableError, TimeoutError) as exc:
            # the reason names the source and the failure, never a record or an email
            reason = str(exc) or f"no answer within {self.timeout_s:g} s"
            logger.warning("HR lookup failed: %s", reason)
            outcome, private = "unavailable", UNAVAILABLE
        audit.info(
            "personal lookup platform=%s user=%s fields=%s outcome=%s",
            platform,
            user,
            ",".join(fields),
            outcome,
        )
        return PersonalReply(private=private, policy_query=policy, outcome=outcome)
