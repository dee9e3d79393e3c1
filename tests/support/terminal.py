"""Running the `wikibot` command on a pseudo-terminal, as a person at a terminal does
(progress bars, readline), with a script of lines to type."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import termios
import time


class Terminal:
    """A process with stdin, stdout and stderr on one pseudo-terminal."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        # 24 x 120, as a terminal window (a new pseudo-terminal is 0 x 0: no room for a bar)
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
        self.process = subprocess.Popen(
            args, stdin=slave, stdout=slave, stderr=slave, env={**env, "TERM": "dumb"}
        )
        os.close(slave)
        self.seen = b""

    def expect(self, text: str, timeout_s: float = 120) -> str:
        """Read until ``text`` has appeared (AssertionError at the deadline)."""
        deadline = time.monotonic() + timeout_s
        while text.encode() not in self.seen:
            assert time.monotonic() < deadline, f"{text!r} not seen in {self.seen[-2000:]!r}"
            if not self._read(0.2) and self.process.poll() is not None:
                raise AssertionError(f"exited before {text!r}: {self.seen[-2000:]!r}")
        return self.seen.decode(errors="replace")

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\n")

    def finish(self, timeout_s: float = 120) -> tuple[int, str]:
        """Wait for the process to end; its exit code and everything it showed."""
        deadline = time.monotonic() + timeout_s
        while self.process.poll() is None:
            assert time.monotonic() < deadline, f"still running: {self.seen[-2000:]!r}"
            self._read(0.2)
        while self._read(0):
            pass
        os.close(self.master)
        return self.process.returncode, self.seen.decode(errors="replace")

    def _read(self, wait_s: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], wait_s)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # the other end closed (the process exited)
            return False
        self.seen += chunk
        return bool(chunk)
