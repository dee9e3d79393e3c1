"""How long to wait before retrying a call a server refused for now (429, 5xx): the one
rule the Confluence client, the HRIS client and Teams sending share.

The server's ``Retry-After`` in seconds when it sends one (an HTTP-date or garbage counts as
absent), else exponential back-off from ``base``; never more than ``cap``. Kept by hand
rather than taking tenacity: the three callers' loops differ (sync and async, which
statuses retry, what each failure raises) and only this rule is common, in a dozen lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def retry_wait(
    headers: Mapping[str, Any] | None, attempt: int, *, cap: float, base: float = 0.5
) -> float:
    """Seconds before retry number ``attempt`` (0 for the first retry)."""
    try:
        wait = float((headers or {}).get("Retry-After") or "")
    except (TypeError, ValueError):
        wait = base * 2**attempt
    return max(0.0, min(wait, cap))
