"""The serving side of the admin channel: `wikibot serve` on the embedded index listens on
``<data dir>/admin.sock`` and runs the CLI's index commands (and `ask`) in its own process,
on the index it holds, through the same operations (bot/index_admin/operations.py) and the
same Reindexer as `/wikibot reindex`.

Only the owner gets in: the socket is created 0600 in the 0700 data directory, and every
connection's peer uid (SO_PEERCRED) must be the server's own; anyone else gets one
"refused" line and is logged (uid only). Wire format: bot/index_admin/channel.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import ConfigurationError, report
from bot.index_admin.channel import (
    CHANNEL_COMMANDS,
    REQUEST_LIMIT,
    arguments_of,
    encode,
    socket_path,
)
from bot.index_admin.operations import OPERATIONS
from bot.index_admin.progress import Progress, ProgressListener
from bot.index_admin.remote_ask import answer_question

if TYPE_CHECKING:
    from bot.app import App

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT_S = 30.0  # a client sends its one line at once; an idle peer is dropped


def peer_uid(connection: socket.socket) -> int:
    """The uid of the process at the other end of a Unix socket (Linux SO_PEERCRED)."""
    raw = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", raw)
    return int(uid)


def refusal(peer: int, owner: int) -> str | None:
    """Why a peer is refused (None: it is the owner). The one rule of who may connect."""
    if peer == owner:
        return None
    return (
        f"refused: this wikibot serve runs as uid {owner}; its admin channel takes commands "
        f"from that user only (you are uid {peer})"
    )


class ChannelOutput:
    """An operation's output, sent back over the connection as it comes."""

    def __init__(self, writer: asyncio.StreamWriter, *, watching: bool) -> None:
        self.writer = writer
        self.watching = watching
        self.loop = asyncio.get_running_loop()

    def send(self, message: dict[str, Any]) -> None:
        if not self.writer.is_closing():  # the client may have left (Ctrl-C): the run goes on
            self.writer.write(encode(message))

    def out(self, text: str) -> None:
        self.send({"out": text})

    def err(self, text: str) -> None:
        self.send({"err": text})

    @property
    def progress(self) -> ProgressListener | None:
        return self._progress if self.watching else None

    def _progress(self, progress: Progress) -> None:  # from the indexing thread
        values = [
            progress.source, progress.read, progress.total, progress.chunks, progress.unchanged
        ]
        self.loop.call_soon_threadsafe(self.send, {"progress": values})

    def end_progress(self) -> None:
        self.send({"end_progress": True})


class AdminChannel:
    def __init__(self, app: App, path: Path) -> None:
        self.app = app
        self.path = path
        self.server: asyncio.AbstractServer | None = None

    async def open(self) -> None:
        listening = _bind_private(self.path)
        self.server = await asyncio.start_unix_server(
            self._connection, sock=listening, limit=REQUEST_LIMIT
        )

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(OSError):
                self.path.unlink()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            refused = refusal(peer_uid(writer.get_extra_info("socket")), os.getuid())
            line = await asyncio.wait_for(reader.readline(), REQUEST_TIMEOUT_S)
            if refused:  # its line was read, never looked at: the client sees the answer
                logger.warning("admin channel: refused a connection from another user")
                writer.write(encode({"refused": refused}))
                return
            request = json.loads(line)
            if not isinstance(request, dict):
                raise ValueError("not a request")
            output = ChannelOutput(writer, watching=bool(request.get("watching")))
            code = await self._run(request, output)
            output.send({"exit": code})
        except Exception as exc:  # a malformed request, a silent or vanished client
            logger.info("admin channel: dropped a request (%s)", type(exc).__name__)
        finally:
            with contextlib.suppress(ConnectionError):
                await writer.drain()
            writer.close()

    async def _run(self, request: dict[str, Any], output: ChannelOutput) -> int:
        command = str(request.get("command"))
        if command not in CHANNEL_COMMANDS:
            output.err(f"wikibot: {command} does not run through wikibot serve")
            return 2
        args = arguments_of(request)
        logger.info("admin channel: wikibot %s", command)
        try:
            if command == "ask":
                return await answer_question(self.app, args, output)
            self.app.reload_sources()  # as the CLI would: the sources file as it is now
            return await OPERATIONS[command](self.app, args, output)
        except Exception as exc:  # said to the client, as the CLI says it
            output.end_progress()
            output.err(f"wikibot: {report(exc, logger, command)}")
            return 2 if isinstance(exc, ConfigurationError) else 1


def _bind_private(path: Path) -> socket.socket:
    """A listening socket at ``path``, created 0600 (no moment with wider permissions)."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # left by a serve that was killed: this process holds the index now
    listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    previous = os.umask(0o177)
    try:
        listening.bind(str(path))
    finally:
        os.umask(previous)
    os.chmod(path, 0o600)
    listening.listen(16)
    listening.setblocking(False)
    return listening


def _listening(path: Path) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
    except OSError:
        return False
    finally:
        probe.close()
    return True


async def open_admin_channel(app: App) -> AdminChannel | None:
    """The admin channel of a serve on the embedded index (None with QDRANT_URL: there the
    CLI opens the server itself, side by side, or where the channel cannot be opened)."""
    settings = app.settings
    if settings.qdrant.url or not hasattr(socket, "SO_PEERCRED"):
        return None
    path = socket_path(settings.data_dir)
    try:
        await asyncio.to_thread(lambda: app.store)  # this process holds the index (or not)
    except Exception as exc:
        logger.warning("admin channel off: the index is not open here (%s)", exc)
        return None
    if await asyncio.to_thread(_listening, path):
        logger.warning("admin channel off: another process listens on %s", path)
        return None
    channel = AdminChannel(app, path)
    try:
        await channel.open()
    except OSError as exc:  # e.g. a data dir path longer than a socket path may be
        logger.warning("admin channel off (%s): the CLI cannot reach this serve", exc)
        return None
    return channel
