"""When each file of a git checkout was last changed: its last commit, not its mtime (a
fresh clone or a copy gives every file the same modification time, which makes every page
look new and empties the report's stale-page table).

One ``git log`` over the folder gives every file's newest commit; files with uncommitted
changes, and files git does not track, keep their modification time. Without git, or
outside a work tree, the answer is "no dates" and the folder falls back to mtimes.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

logger = logging.getLogger(__name__)

_TIMEOUT_S = 120
_DATE_MARK = "\x1e"


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotepath=off", "-C", str(root), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        logger.warning("git %s in %s failed (%s): using file dates", args[0], root, exc)
        return None
    return done.stdout if done.returncode == 0 else None


def last_commit_dates(root: Path) -> dict[str, datetime]:
    """path relative to ``root`` (POSIX) -> the committer date of its last commit."""
    if shutil.which("git") is None:
        return {}
    if (_git(root, "rev-parse", "--is-inside-work-tree") or "").strip() != "true":
        return {}
    log = _git(root, "log", f"--format={_DATE_MARK}%cI", "--name-only", "--relative", "--", ".")
    if log is None:
        return {}
    dates: dict[str, datetime] = {}
    when: datetime | None = None
    for line in log.split("\n"):  # not splitlines(): it splits at the \x1e mark too
        if line.startswith(_DATE_MARK):
            when = datetime.fromisoformat(line[1:].strip())
        elif line and when is not None:
            dates.setdefault(line, when)  # newest first: the first date seen is the last commit
    changed = _git(root, "diff", "--name-only", "--relative", "HEAD", "--", ".") or ""
    for line in changed.splitlines():
        dates.pop(line, None)  # edited since its last commit: the file's own date is truer
    return dates
