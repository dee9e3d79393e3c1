"""Untrusted Office files are parsed in a child process, never in the serving one.

One long-lived child (connectors/parsing/office_worker.py) parses one file at a time with its
address space limited (``OfficeLimits.memory_bytes``, RLIMIT_AS) and each file timed
(``OfficeLimits.timeout_s``): a file that runs out of memory, hangs or crashes the parser
costs that one document (UnreadableOfficeError, reported and skipped) and a restart of the
child before the next file, never the process that asked. The child gets none of our
environment's secrets; its replies are JSON, size-capped and validated as Sections before
anything uses them.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from connectors.base import Section
from connectors.parsing.office_limits import OfficeLimits, UnreadableOfficeError
from connectors.parsing.office_worker import FRAME

logger = logging.getLogger(__name__)
SOURCE_ROOT = Path(__file__).resolve().parents[2]  # where `connectors` is importable from
REPLY_OVERHEAD = 1024 * 1024
WORKER_MODULE = "connectors.parsing.office_worker"
# all the parsing process gets of our environment: tokens and keys stay with us
CHILD_ENVIRONMENT = {"PATH", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ"}


class _ChildEnded(Exception):
    """The parsing process closed its pipes (it crashed, or ran out of memory)."""


class _TimedOut(Exception):
    """The parsing process did not answer before the deadline."""


class IsolatedOfficeParser:
    """Parses Office files in one child process at a time, restarted after any failure."""

    def __init__(
        self, limits: OfficeLimits | None = None, *, worker_module: str = WORKER_MODULE
    ) -> None:
        self.limits = limits or OfficeLimits()
        self.worker_module = worker_module  # tests pass a stand-in that hangs
        self._child: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def parse(
        self, suffix: str, data: bytes, *, max_text_bytes: int | None = None
    ) -> tuple[str, list[Section]]:
        kind = f"{suffix} file"
        limits = self.limits
        if max_text_bytes is not None:
            limits = limits.model_copy(update={"max_text_bytes": max_text_bytes})
        header = json.dumps({"suffix": suffix, "limits": limits.model_dump()}).encode()
        with self._lock:
            child = self._running()
            deadline = time.monotonic() + self.limits.timeout_s
            try:
                self._send(child, FRAME.pack(len(header)) + header, deadline)
                self._send(child, FRAME.pack(len(data)) + data, deadline)
                reply = self._receive(child, deadline, limits.max_text_bytes)
            except _TimedOut:
                self._stop()
                raise UnreadableOfficeError(
                    f"parsing this {kind} took longer than {self.limits.timeout_s:g} s; "
                    "it was stopped"
                ) from None
            except _ChildEnded:
                code = self._stop(grace_s=5.0)
                how = f"signal {-code}" if code < 0 else f"exit code {code}"
                mb = self.limits.memory_bytes / 1_000_000
                raise UnreadableOfficeError(
                    f"parsing this {kind} ended the parsing process ({how}): a damaged file, "
                    f"or one that needs more than {mb:,.0f} MB"
                ) from None
            if reply.get("last"):  # it ends after a MemoryError: the next file gets a new one
                self._stop(grace_s=5.0)
        return _checked(reply, kind)

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _running(self) -> subprocess.Popen[bytes]:
        if self._child is not None and self._child.poll() is None:
            return self._child
        self._stop()
        env = {k: v for k, v in os.environ.items() if k in CHILD_ENVIRONMENT}  # no secrets
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(SOURCE_ROOT), os.environ.get("PYTHONPATH", "")) if p
        )
        self._child = subprocess.Popen(
            [sys.executable, "-m", self.worker_module, str(self.limits.memory_bytes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            close_fds=True,
        )
        assert self._child.stdin is not None and self._child.stdout is not None
        os.set_blocking(self._child.stdin.fileno(), False)
        os.set_blocking(self._child.stdout.fileno(), False)
        logger.debug("Office parsing process started (pid %d)", self._child.pid)
        return self._child

    def _stop(self, grace_s: float = 0.0) -> int:
        """Ends the child (if any; given ``grace_s`` to exit on its own) and returns its exit
        status."""
        child, self._child = self._child, None
        if child is None:
            return 0
        try:
            code = child.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
            code = child.wait()
        for pipe in (child.stdin, child.stdout):
            if pipe is not None:
                pipe.close()
        return code

    def _send(self, child: subprocess.Popen[bytes], body: bytes, deadline: float) -> None:
        assert child.stdin is not None
        fd, view, sent = child.stdin.fileno(), memoryview(body), 0
        while sent < len(body):
            _wait(fd, deadline, write=True)
            try:
                sent += os.write(fd, view[sent:])
            except BlockingIOError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                raise _ChildEnded from None

    def _receive(
        self, child: subprocess.Popen[bytes], deadline: float, text_bytes: int
    ) -> dict[str, Any]:
        assert child.stdout is not None
        fd = child.stdout.fileno()
        header = self._read(fd, FRAME.size, deadline)
        (size,) = FRAME.unpack(header)
        cap = 8 * max(self.limits.max_text_bytes, text_bytes) + REPLY_OVERHEAD
        if size > cap:
            self._stop()
            raise UnreadableOfficeError(f"the parsing process sent {size:,} bytes; refused")
        try:
            reply = json.loads(self._read(fd, size, deadline))
        except ValueError:
            reply = None
        if not isinstance(reply, dict):
            self._stop()
            raise UnreadableOfficeError("the parsing process sent a malformed reply")
        return reply

    @staticmethod
    def _read(fd: int, size: int, deadline: float) -> bytes:
        parts: list[bytes] = []
        left = size
        while left:
            _wait(fd, deadline, write=False)
            try:
                piece = os.read(fd, min(left, 1024 * 1024))
            except BlockingIOError:
                continue
            if not piece:
                raise _ChildEnded
            parts.append(piece)
            left -= len(piece)
        return b"".join(parts)


def _wait(fd: int, deadline: float, *, write: bool) -> None:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _TimedOut
    ready = select.select([], [fd], [], left) if write else select.select([fd], [], [], left)
    if not any(ready):
        raise _TimedOut


def _checked(reply: dict[str, Any], kind: str) -> tuple[str, list[Section]]:
    if "error" in reply:
        raise UnreadableOfficeError(str(reply["error"]))
    malformed = UnreadableOfficeError(f"the parsing process sent a malformed reply ({kind})")
    try:
        sections = [Section.model_validate(s) for s in reply["sections"]]
        title = reply["title"]
    except (KeyError, TypeError, ValueError):
        raise malformed from None
    if not isinstance(title, str):
        raise malformed
    return title, sections


_shared: IsolatedOfficeParser | None = None
_shared_lock = threading.Lock()


def shared_office_parser() -> IsolatedOfficeParser:
    """This process's parser (its child starts on first use and ends with the process)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = IsolatedOfficeParser()
            atexit.register(_shared.close)
        return _shared
