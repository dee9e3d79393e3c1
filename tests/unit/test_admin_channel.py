"""The admin channel's pieces without processes: who may connect, what a request carries,
what /readyz says during a first sync, and that index administration no longer imports the
composition root back (the app -> commands -> reindex -> app cycle)."""

from __future__ import annotations

import argparse
import ast
import os
import socket
from pathlib import Path

from bot.config import LLMSettings
from bot.index_admin.channel import arguments_of, request_of
from bot.index_admin.channel_server import peer_uid, refusal
from bot.index_admin.progress import Progress
from bot.serve.readiness import Readiness

BOT = Path(__file__).resolve().parents[2] / "bot"


def test_only_the_owner_uid_is_let_in() -> None:
    assert refusal(1000, 1000) is None
    refused = refusal(1001, 1000)
    assert refused is not None and "uid 1000" in refused and "uid 1001" in refused
    assert refusal(0, 1000) is not None  # not even root: the channel is its owner's


def test_the_peer_uid_is_read_from_the_socket() -> None:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with ours, theirs:
        assert peer_uid(ours) == os.getuid()


def test_a_request_carries_absolute_folders_and_comes_back_as_arguments(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    args = argparse.Namespace(
        command="index", paths=[Path("docs")], source=[], name=None, base_url=None,
        url_style="keep-extension", full=False,
    )
    request = request_of(args, watching=True)
    assert request["args"]["paths"] == [str(tmp_path / "docs")]
    assert request["watching"] is True
    back = arguments_of(request)
    assert back.command == "index" and back.paths == [tmp_path / "docs"]
    assert back.url_style == "keep-extension" and back.full is False


class _Store:
    def current_collection(self) -> str | None:
        return None


class _State:
    async def readiness(self) -> dict[str, str]:
        return {"redis": "in-process"}


async def test_readiness_says_how_far_the_first_sync_has_got() -> None:
    readiness = Readiness(store=_Store, state=_State(), llm=LLMSettings())  # type: ignore[arg-type]
    status, body = await readiness.report()
    assert status == 503 and body["checks"]["qdrant"].startswith("no index yet")

    readiness.first_sync.running = True
    readiness.first_sync.update(Progress("handbook", 3, 24, 9))
    readiness.first_sync.update(Progress("wiki", 2, 10, 4))
    status, body = await readiness.report()
    assert (status, body["status"]) == (503, "indexing")
    assert body["checks"]["qdrant"] == "indexing, 5 of 34 documents"

    readiness.first_sync.update(Progress("confluence", 1, None, 1))  # cannot list up front
    assert readiness.first_sync.describe() == "indexing, 6 documents so far"


def _imports(path: Path) -> set[str]:
    """Every bot module a file imports, at any level (TYPE_CHECKING and lazy ones too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("bot.")}


def test_nothing_the_app_imports_from_index_admin_imports_the_app_back() -> None:
    modules = {
        ".".join(path.relative_to(BOT.parent).with_suffix("").parts): path
        for path in BOT.rglob("*.py")
    }
    graph = {name: _imports(path) & modules.keys() for name, path in modules.items()}
    used_by_app = {name for name in graph["bot.app"] if name.startswith("bot.index_admin")}
    assert {"bot.index_admin.commands", "bot.index_admin.reindex"} <= used_by_app
    for start in used_by_app:
        seen, todo = set(), [start]
        while todo:  # everything `start` reaches, through index administration
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            todo.extend(n for n in graph[name] if n.startswith("bot.index_admin"))
        back = [name for name in seen if "bot.app" in graph[name]]
        assert not back, f"{start} reaches {back}, which import bot.app: an import cycle"
