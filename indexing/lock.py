"""A file lock so two index runs on one data dir never interleave.

The lock is an ``flock`` on ``<data dir>/index.lock``: the kernel releases it when the
holder dies, so a killed run never leaves a stale lock. The file records who holds it, for
the message the second caller gets; like everything in the data dir it is private (0600).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path
from types import TracebackType
from typing import IO

from indexing.data_dir import open_private
from indexing.errors import IndexLockedError


class IndexLock:
    def __init__(self, path: Path, *, purpose: str = "index") -> None:
        self.path = path
        self.purpose = purpose
        self._file: IO[str] | None = None

    def __enter__(self) -> IndexLock:
        handle = os.fdopen(open_private(self.path, os.O_RDWR), "r+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = _describe(handle.read())
            handle.close()
            raise IndexLockedError(
                f"another index run is in progress ({holder}); wait for it to finish"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "purpose": self.purpose,
                }
            )
        )
        handle.flush()
        self._file = handle
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def _describe(raw: str) -> str:
    try:
        info = json.loads(raw)
        return f"pid {info['pid']} on {info['host']}, started {info['started_at']}"
    except (ValueError, KeyError, TypeError):
        return "holder unknown"
