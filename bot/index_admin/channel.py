"""The admin channel's wire format: how `wikibot index|sync|remove|sources|status|ask` reach
the `wikibot serve` that holds the embedded index.

A Unix socket in the data directory (mode 0600, in a directory that is 0700; the server
also checks the peer's uid). One connection carries one command: the client sends one JSON
line (the command and its arguments, folders made absolute), the server answers with JSON
lines, each one of::

    {"out": "a line for stdout"}      {"err": "a line for stderr"}
    {"progress": [source, read, total, chunks]}     {"end_progress": true}
    {"exit": 0}                        (the last line: the command's exit code)
    {"refused": "why"}                 (the only line, for a peer that is not the owner)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

SOCKET_NAME = "admin.sock"
# the commands a running serve takes over (the others need no index, or a terminal of their own)
CHANNEL_COMMANDS = frozenset({"index", "sync", "status", "sources", "remove", "ask"})
_PATH_ARGUMENTS = frozenset({"paths"})
REQUEST_LIMIT = 1 << 20  # bytes: a request is a command line, never a document


def socket_path(data_dir: Path) -> Path:
    return data_dir / SOCKET_NAME


def request_of(args: argparse.Namespace, *, watching: bool) -> dict[str, Any]:
    """The JSON request for parsed arguments; folders become absolute (the server has its
    own working directory)."""
    fields: dict[str, Any] = {}
    for key, value in vars(args).items():
        if key in _PATH_ARGUMENTS:
            value = [str(Path(p).resolve()) for p in value]
        elif isinstance(value, Path):
            value = str(value.resolve())
        fields[key] = value
    return {"command": args.command, "args": fields, "watching": watching}


def arguments_of(request: dict[str, Any]) -> argparse.Namespace:
    fields = dict(request.get("args") or {})
    for key in _PATH_ARGUMENTS & fields.keys():
        fields[key] = [Path(p) for p in fields[key]]
    fields["command"] = request.get("command")
    return argparse.Namespace(**fields)


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode() + b"\n"
