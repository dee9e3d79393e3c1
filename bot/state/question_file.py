"""The question log without Redis: a JSON-lines file in the data directory
(``$WIKIBOT_DATA_DIR/question_log.jsonl``), so a trial run of `ask`, `chat` or a single
`serve` process feeds `wikibot report` and `feedback export` like the Redis stream does.

Each entry is one ``write()`` of one line to a file opened for appending, so processes that
share the data directory do not interleave lines. Readers skip lines they cannot parse (a
line cut off by a crash) and keep the last WIKIBOT_LOG__MAX_ENTRIES entries of the last
WIKIBOT_LOG__RETENTION_DAYS days; the file is rewritten to that when it has grown to twice
as many lines. Only the owner may read it (mode 0600, an older file's mode tightened on the
first write; the data dir 0700: indexing/data_dir.py): questions can be sensitive.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from indexing.data_dir import open_private

logger = logging.getLogger(__name__)


class FileQuestionLog:
    def __init__(self, path: Path, *, max_entries: int = 100_000, retention_days: int = 180):
        self.path = path
        self.max_entries = max_entries
        self.retention_s = retention_days * 86400
        self._lines: int | None = None

    async def append(self, entry: dict[str, Any]) -> None:
        try:
            await asyncio.to_thread(self._append, json.dumps(entry, ensure_ascii=False) + "\n")
        except OSError as exc:  # the log is for later review: an answer never fails on it
            logger.warning("could not write the question log %s: %s", self.path, exc.strerror)

    def _append(self, line: str) -> None:
        fd = open_private(self.path, os.O_RDWR | os.O_APPEND)  # 0600, even if it was not
        try:
            if self._lines is None:
                self._lines = sum(1 for _ in self.path.open("rb"))
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = "\n" + line  # after a line cut off by a crash: keep this one whole
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)
        self._lines += 1
        if self._lines > 2 * self.max_entries:
            self._compact()

    def _read(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        oldest = time.time() - self.retention_s
        rows = []
        with self.path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    row = json.loads(line)
                except ValueError:
                    continue
                if isinstance(row, dict) and float(row.get("ts") or 0) >= oldest:
                    rows.append(row)
        return rows[-self.max_entries :]

    def _compact(self) -> None:
        rows = self._read()
        temporary = self.path.with_suffix(".jsonl.tmp")
        fd = open_private(temporary, os.O_WRONLY | os.O_TRUNC)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        os.replace(temporary, self.path)
        self._lines = len(rows)

    async def entries(self) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self._read)
