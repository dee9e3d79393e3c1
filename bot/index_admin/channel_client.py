"""The CLI's side of the admin channel: when a `wikibot serve` holds this data directory's
embedded index, `wikibot index|sync|remove|sources|status|ask` send the command to it and
print what comes back (lines, progress bars, the exit code) as if it had run here.

Nothing heavy loads on this path (no model, no index, no Qdrant client): the serving
process does the work. A socket nobody listens on (a serve that was killed) is said in one
line, and the command opens the index directly as it would without a serve.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import sys
from pathlib import Path
from typing import Any

from bot.errors import SourceError
from bot.index_admin.channel import CHANNEL_COMMANDS, encode, request_of, socket_path
from bot.index_admin.output import TerminalOutput
from bot.index_admin.progress import Progress


class NoServe(Exception):
    """No `wikibot serve` answers on the socket: run the command here."""


def run_in_serve(data_dir: Path, args: argparse.Namespace) -> int | None:
    """The command's exit code when a running serve took it; None when none listens (the
    caller runs it itself)."""
    path = socket_path(data_dir)
    try:
        if not path.is_socket():
            return None
    except PermissionError:
        return None  # not this user's data directory: opening the index says it better
    output = TerminalOutput()
    try:
        if args.command == "ask" and args.question == "-":
            return _ask_lines(path, args, output)
        return _request(path, request_of(args, watching=output.watching), output)
    except NoServe:
        print(
            f"wikibot: no wikibot serve is listening on {path} (left by one that stopped); "
            "opening the index directly",
            file=sys.stderr,
        )
        return None
    except KeyboardInterrupt:
        output.end_progress()
        if args.command in {"index", "sync"}:
            print(
                "wikibot: interrupted; the index run goes on in wikibot serve "
                "(`wikibot status` shows how it ended)",
                file=sys.stderr,
            )
            return 130
        raise


def serve_listens(data_dir: Path) -> bool:
    """Whether a `wikibot serve` answers on this data directory's admin socket."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(socket_path(data_dir)))
    except OSError:
        return False
    finally:
        probe.close()
    return True


def busy_hint(data_dir: Path, command: str) -> str | None:
    """What to do when a command that does not go through the admin channel finds the
    embedded index held, and a serve is what holds it (None: nothing to add)."""
    if command in CHANNEL_COMMANDS or not serve_listens(data_dir):
        return None
    return (
        f"wikibot: a wikibot serve holds the embedded index in {data_dir}: `wikibot {command}` "
        "cannot run beside it, but `wikibot ask` and the index commands can (they run inside "
        "serve); or stop serve, or use a Qdrant server (QDRANT_URL)"
    )


def _ask_lines(path: Path, args: argparse.Namespace, output: TerminalOutput) -> int:
    """`ask -`: one request per question, as they come (NoServe only before the first)."""
    status = 0
    asked = False
    for line in sys.stdin:
        question = line.strip()
        if not question:
            continue
        one = argparse.Namespace(**{**vars(args), "question": question, "one": False})
        try:
            code = _request(path, request_of(one, watching=False), output)
        except NoServe:
            if not asked:
                raise
            output.err("wikibot: wikibot serve stopped; the remaining questions are not asked")
            return 1
        asked = True
        status = status or code
        if not args.json:
            output.out("")
    return status


def _request(path: Path, request: dict[str, Any], output: TerminalOutput) -> int:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        try:
            connection.connect(str(path))
        except (ConnectionRefusedError, FileNotFoundError):
            raise NoServe() from None
        except PermissionError:
            raise SourceError(
                f"{path}: permission denied: the wikibot serve holding this index runs as "
                "another user; run the command as that user"
            ) from None
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.sendall(encode(request))  # a refusal may come back before it is read
        with connection.makefile("rb") as replies:
            for raw in replies:
                code = _show(json.loads(raw), output)
                if code is not None:
                    return code
    finally:
        connection.close()
    output.end_progress()
    output.err("wikibot: wikibot serve closed the admin channel before the command finished")
    return 1


def _show(message: dict[str, Any], output: TerminalOutput) -> int | None:
    """Print one message; the exit code when it is the last one."""
    if "out" in message:
        output.out(message["out"])
    elif "err" in message:
        output.err(message["err"])
    elif "progress" in message:
        listener = output.progress
        if listener is not None:
            listener(Progress(*message["progress"]))
    elif "end_progress" in message:
        output.end_progress()
    elif "refused" in message:
        output.err(f"wikibot: {message['refused']}")
        return 1
    elif "exit" in message:
        return int(message["exit"])
    return None
