"""Per-employee HR records, looked up at question time (never embedded, never logged).

Two sources behind one Protocol:

* ``FileHRRecords``: a CSV or JSON export (columns/keys: employee_id, email, name,
  department, manager, vacation_balance, vacation_accrued, vacation_used, sick_balance,
  as_of; other columns are kept as extra fields). Re-read when the file changes.
* ``HttpHRRecords``: an HRIS API in the style of BambooHR: ``GET /v1/employees/directory``
  (paged: ``?page=N``, ``next_page``) for ids and work emails, and
  ``GET /v1/employees/{id}/time_off/calculator`` for balances; API key as the basic-auth
  user, timeouts, retries on 429/5xx, and one clear error when it is down.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, Field, ValidationError

from connectors.errors import SourceUnavailableError
from connectors.retry import retry_wait

if TYPE_CHECKING:  # loaded by HttpHRRecords only: `ask` without an HR system never needs it
    import aiohttp

DIRECTORY_TTL_S = 600
KNOWN = {"employee_id", "email", "name", "department", "manager", "as_of"}
KNOWN |= {"vacation_balance", "vacation_accrued", "vacation_used", "sick_balance"}


class HRUnavailableError(SourceUnavailableError):
    """The HR system cannot be reached (or answers garbage); no figure can be given."""


class HRRecord(BaseModel):
    employee_id: str
    email: str
    name: str = ""
    department: str = ""
    manager: str = ""
    vacation_balance: float | None = None
    vacation_accrued: float | None = None
    vacation_used: float | None = None
    sick_balance: float | None = None
    as_of: date | None = None
    extra: dict[str, str] = Field(default_factory=dict)


class HRRecordSource(Protocol):
    label: str  # how answers name it: "HR system", "HR export"

    async def find_by_email(self, email: str) -> HRRecord | None: ...


def _record(row: dict[str, Any]) -> HRRecord:
    clean = {k.strip().lower(): v for k, v in row.items() if k}
    values = {k: (v if v not in ("", None) else None) for k, v in clean.items() if k in KNOWN}
    extra = {k: str(v) for k, v in clean.items() if k not in KNOWN and v not in ("", None)}
    return HRRecord(**{k: v for k, v in values.items() if v is not None}, extra=extra)


class FileHRRecords:
    label = "HR export"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: float | None = None
        self._by_email: dict[str, HRRecord] = {}

    def _load(self) -> None:
        try:
            stamp = self.path.stat().st_mtime
            if stamp == self._stamp:
                return
            text = self.path.read_text(encoding="utf-8-sig")
            rows = json.loads(text) if self.path.suffix.lower() == ".json" else None
            if rows is None:
                rows = list(csv.DictReader(io.StringIO(text)))
            records = [_record(r) for r in rows]
        except (OSError, ValueError, TypeError, ValidationError) as exc:
            # the message names the file and the kind of problem, never a record's values
            raise HRUnavailableError(
                f"the HR export {self.path.name} cannot be read ({type(exc).__name__})"
            ) from None
        self._by_email = {r.email.strip().lower(): r for r in records if r.email}
        self._stamp = stamp

    async def find_by_email(self, email: str) -> HRRecord | None:
        await asyncio.to_thread(self._load)
        return self._by_email.get(email.strip().lower())


class HttpHRRecords:
    label = "HR system"

    def __init__(
        self, base_url: str, api_key: str, *, timeout_s: float = 5.0, retries: int = 2
    ) -> None:
        import aiohttp

        self.base_url = base_url.rstrip("/")
        self.auth = aiohttp.BasicAuth(api_key, "x")
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.retries = retries
        # work email -> directory entry (ids and names, no figures), refreshed when older than
        # DIRECTORY_TTL_S or when an email is missing and the copy is a minute old
        self._directory: dict[str, dict[str, Any]] = {}
        self._directory_at = -1e9

    async def _get(self, session: aiohttp.ClientSession, path: str) -> Any:
        import aiohttp

        for attempt in range(self.retries + 1):
            try:
                async with session.get(self.base_url + path) as response:
                    if response.status in (401, 403):
                        raise HRUnavailableError(
                            f"the HR system refused our API key (HTTP {response.status})"
                        )
                    if response.status == 429 or response.status >= 500:
                        if attempt < self.retries:
                            await asyncio.sleep(retry_wait(response.headers, attempt, cap=5.0))
                            continue
                        raise HRUnavailableError(f"the HR system answered HTTP {response.status}")
                    response.raise_for_status()
                    return await response.json(content_type=None)
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                if attempt == self.retries:
                    raise HRUnavailableError(
                        f"the HR system is unreachable ({type(exc).__name__})"
                    ) from None
        raise HRUnavailableError("the HR system is unreachable")

    async def find_by_email(self, email: str) -> HRRecord | None:
        import aiohttp

        wanted = email.strip().lower()
        async with aiohttp.ClientSession(
            auth=self.auth, timeout=self.timeout, headers={"Accept": "application/json"}
        ) as session:
            age = time.monotonic() - self._directory_at
            if age > DIRECTORY_TTL_S or (wanted not in self._directory and age > 60):
                await self._load_directory(session)
            person = self._directory.get(wanted)
            return await self._record(session, person) if person else None

    async def _load_directory(self, session: aiohttp.ClientSession) -> None:
        people: dict[str, dict[str, Any]] = {}
        page: int | None = 1
        while page is not None:
            directory = await self._get(session, f"/v1/employees/directory?page={page}")
            for person in directory.get("employees") or []:
                if person.get("workEmail") and person.get("id") is not None:
                    people[str(person["workEmail"]).lower()] = person
            page = directory.get("next_page")
        self._directory, self._directory_at = people, time.monotonic()

    async def _record(self, session: aiohttp.ClientSession, person: dict[str, Any]) -> HRRecord:
        employee = str(person["id"])
        balances = await self._get(session, f"/v1/employees/{employee}/time_off/calculator")
        by_type = {str(b.get("name", "")).lower(): b for b in balances or []}
        vacation, sick = by_type.get("vacation", {}), by_type.get("sick", {})
        as_of = next((b.get("asOf") for b in balances or [] if b.get("asOf")), None)
        return HRRecord(
            employee_id=employee,
            email=person["workEmail"],
            name=person.get("displayName", ""),
            department=person.get("department", ""),
            manager=person.get("supervisor", ""),
            vacation_balance=vacation.get("balance"),
            vacation_accrued=vacation.get("accrued"),
            vacation_used=vacation.get("used"),
            sick_balance=sick.get("balance"),
            as_of=as_of or date.today(),
        )
