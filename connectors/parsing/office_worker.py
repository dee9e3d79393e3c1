"""The parsing process for untrusted Office files: ``python -m connectors.parsing.office_worker
MEMORY_BYTES``, started and fed by connectors/parsing/isolated.py.

It limits its own address space first (RLIMIT_AS), then answers requests on stdin until
stdin closes (the parent is gone). A request is two frames: a JSON header (``suffix`` and
the bounds) and the file's bytes; the reply is one JSON frame, ``{"title", "sections"}`` or
``{"error"}`` (with ``"last": true`` when this process ends after it). JSON and never
pickle: the parent must not run what a subverted parser sends back. After a MemoryError
the process replies and exits, so the next file gets a fresh one. Stray output of the
libraries goes to stderr, never into the replies.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import signal
import struct
import sys
from typing import IO, Any

FRAME = struct.Struct(">Q")  # each frame: its length, then its bytes
PARSER_MODULES = ("connectors.parsing.office", "docx", "pptx", "odf.opendocument", "odf.teletype")


def read_frame(stream: IO[bytes]) -> bytes | None:
    """One frame, or None when the stream ends (between frames or inside one)."""
    header = stream.read(FRAME.size)
    if len(header) < FRAME.size:
        return None
    (size,) = FRAME.unpack(header)
    body = stream.read(size)
    return body if len(body) == size else None


def write_frame(stream: IO[bytes], body: bytes) -> None:
    stream.write(FRAME.pack(len(body)) + body)
    stream.flush()


def _limit_memory(memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _answer(header: dict[str, Any], data: bytes) -> tuple[dict[str, Any], bool]:
    """The reply to one request, and whether this process should end after sending it."""
    from connectors.errors import DocumentError
    from connectors.parsing.office import read_office
    from connectors.parsing.office_limits import OfficeLimits

    limits = OfficeLimits.model_validate(header["limits"])
    kind = f"{header['suffix']} file"
    try:
        title, sections = read_office(header["suffix"], data, limits)
    except DocumentError as exc:
        return {"error": str(exc)}, False
    except MemoryError:
        mb = limits.memory_bytes / 1_000_000
        return {"error": f"this {kind} needs more than {mb:,.0f} MB to parse", "last": True}, True
    except Exception as exc:  # a parser's own bug on a strange file: that file fails
        return {"error": f"damaged {kind} ({type(exc).__name__})"}, False
    return {"title": title, "sections": [s.model_dump() for s in sections]}, False


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    _limit_memory(int(args[0]))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which decides
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    requests = sys.stdin.buffer
    for module in PARSER_MODULES:  # loaded once, before the first file
        importlib.import_module(module)

    while True:
        header = read_frame(requests)
        data = read_frame(requests) if header is not None else None
        if header is None or data is None:
            return 0
        reply, last = _answer(json.loads(header), data)
        del data
        write_frame(replies, json.dumps(reply, ensure_ascii=False).encode())
        if last:
            return 0


if __name__ == "__main__":
    sys.exit(main())
