"""The CLI and a running `wikibot serve` share one embedded index: real processes, the
Slack stand-in, the real MiniLM model (loaded by serve only: the CLI processes reach it
through the admin socket in the data directory)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from tests.support.commands import clean_command_env, wikibot_command
from tests.support.redis_server import free_port
from tests.support.slack_api import SlackAPIStub
from tests.support.terminal import Terminal

pytestmark = pytest.mark.slow

SECRET = "sig-secret"
NOBODY = 65534
# a client in another user's process: stdlib only, run by the system Python
OTHER_USER_CLIENT = """
import json, socket, sys
client = socket.socket(socket.AF_UNIX)
try:
    client.connect(sys.argv[1])
except PermissionError:
    print("permission denied")
    sys.exit(0)
client.sendall(json.dumps({"command": "status", "args": {}}).encode() + b"\\n")
print(client.makefile().readline().strip())
"""


async def wikibot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Another process, run while the test's own loop serves the Slack stand-in."""
    return await asyncio.to_thread(
        subprocess.run,
        [*wikibot_command(), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


async def _said(process: subprocess.Popen[str], marker: str) -> str:
    assert process.stdout is not None
    seen = ""
    while marker not in seen:
        line = await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), 120)
        assert line, f"serve ended before {marker!r}: {seen}"
        seen += line
    return seen


async def _dm(url: str, question: str) -> int:
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "DALICE",
        "user": "UALICE",
        "text": question,
        "ts": "1700000001.000100",
    }
    envelope = {"type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event": event}
    body = json.dumps(envelope)
    ts = str(int(time.time()))
    headers = {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body),
        "Content-Type": "application/json",
    }
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{url}/slack/events", data=body, headers=headers) as response,
    ):
        return response.status


async def _delivered(api: SlackAPIStub, text: str) -> None:
    deadline = time.monotonic() + 120
    while not any(text in shown for shown in api.delivered()):
        assert time.monotonic() < deadline, api.delivered()
        await asyncio.sleep(0.1)


def _as_another_user(path: Path) -> str:
    result = subprocess.run(
        ["/usr/bin/python3", "-I", "-c", OTHER_USER_CLIENT, str(path)],
        user=NOBODY,
        group=NOBODY,
        extra_groups=[],
        env={},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


async def test_the_cli_runs_inside_a_running_serve(tmp_path: Path) -> None:
    """`index`, `sources --json`, `ask --json`, `remove` and `status` from other processes
    while `serve` holds the embedded index; a Slack DM is then answered from the folder
    just indexed. The socket is 0600; a connection from another user is refused: the test
    runs as root, so a child process runs the client as uid 65534 through a hard link to
    the socket in a directory that user can reach (the data directory is 0700), first with
    the socket's own mode (the kernel refuses: permission denied), then with the mode
    opened on purpose to 0666, so that only serve's SO_PEERCRED uid check stands in the
    way (it answers "refused"). Last, serve is killed (SIGKILL): the socket it leaves is
    said in one line and the CLI opens the index itself."""
    api = SlackAPIStub()
    await api.start()
    port = free_port()
    env = clean_command_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-good",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=api.url + "/api/",
    )
    data = Path(env["WIKIBOT_DATA_DIR"])
    folder = tmp_path / "facilities"
    folder.mkdir()
    (folder / "bikes.md").write_text(
        "# Bike shed\n\nThe bike shed behind building C opens with the code 4417.\n"
    )
    serve = subprocess.Popen(
        [*wikibot_command(), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=(tmp_path / "serve.err").open("w"),
        text=True,
    )
    try:
        said = await _said(serve, "CLI:")
        socket_file = data / "admin.sock"
        assert f"admin socket {socket_file}" in said
        assert stat.S_ISSOCK(socket_file.stat().st_mode)
        assert stat.S_IMODE(socket_file.stat().st_mode) == 0o600

        bar = await asyncio.to_thread(Terminal, [*wikibot_command(), "index", str(folder)], env)
        code, shown = await asyncio.to_thread(bar.finish)
        assert code == 0, shown
        assert "1/1" in shown  # the progress bar, drawn from serve's progress over the socket
        assert "1 documents: 1 new" in shown

        sources = await wikibot(env, "sources", "--json")
        assert sources.returncode == 0, sources.stderr
        rows = {r["name"]: r for r in map(json.loads, sources.stdout.splitlines())}
        assert rows["facilities"]["documents"] == 1
        assert rows["facilities"]["location"] == str(folder.resolve())

        asked = await wikibot(env, "ask", "What is the code of the bike shed?", "--json")
        assert asked.returncode == 0, asked.stderr
        answer = json.loads(asked.stdout)
        assert {"question", "answer", "answered", "citations", "timings_ms"} <= set(answer)
        assert answer["answered"] is True and "4417" in answer["answer"]
        assert answer["citations"][0]["source"] == "bikes.md"

        assert await _dm(f"http://127.0.0.1:{port}", "What is the code of the bike shed?") == 200
        await _delivered(api, "4417")

        status = await wikibot(env, "status")
        assert status.returncode == 0, status.stderr
        assert "source facilities: 1 documents" in status.stdout
        assert "(wikibot index): facilities ok" in status.stdout  # the one run record

        chat = await wikibot(env, "chat")  # a chat of its own needs the index: said at once
        assert chat.returncode == 1 and "`wikibot chat` cannot run beside it" in chat.stderr

        removed = await wikibot(env, "remove", "facilities")
        assert removed.returncode == 0, removed.stderr
        assert "removed source facilities: 1 documents" in removed.stdout
        after = await wikibot(env, "status")
        assert after.returncode == 0 and "source facilities:" not in after.stdout

        link_dir = Path("/tmp") / f"wikibot-link-{os.getpid()}"
        link_dir.mkdir(mode=0o755)
        link = link_dir / "admin.sock"
        os.link(socket_file, link)
        try:
            assert await asyncio.to_thread(_as_another_user, link) == "permission denied"
            os.chmod(link, 0o666)  # the same inode: only the uid check is left
            refused = json.loads(await asyncio.to_thread(_as_another_user, link))
            assert "refused" in refused and f"uid {NOBODY}" in refused["refused"]
        finally:
            os.chmod(socket_file, 0o600)
            link.unlink()
            link_dir.rmdir()
    finally:
        serve.send_signal(signal.SIGKILL)
        serve.wait(30)
        await api.stop()
    assert socket_file.exists()  # left behind by the killed serve
    stale = await wikibot(env, "status")
    assert stale.returncode == 0, stale.stderr
    lines = [line for line in stale.stderr.splitlines() if "admin.sock" in line]
    assert lines == [
        f"wikibot: no wikibot serve is listening on {socket_file} (left by one that "
        "stopped); opening the index directly"
    ]
    assert "last index run:" in stale.stdout


async def test_serve_with_a_sources_file_indexes_an_empty_data_dir_at_start(
    tmp_path: Path,
) -> None:
    """No CLI call: serve finds the index empty, runs the first sync at once (not after
    WIKIBOT_SYNC_INTERVAL_S, which is left at its default here) and turns ready."""
    folder = tmp_path / "handbook"
    folder.mkdir()
    (folder / "wifi.md").write_text("# Wi-Fi\n\nThe guest network is called Acme-Guest.\n")
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"sources:\n  - type: folder\n    name: handbook\n    path: {folder}\n")
    env = clean_command_env(tmp_path, WIKIBOT_SOURCES_FILE=str(sources))
    port = free_port()
    serve = subprocess.Popen(
        [*wikibot_command(), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=(tmp_path / "serve.err").open("w"),
        text=True,
    )
    try:
        await _said(serve, "CLI:")
        seen: list[tuple[int, str]] = []
        deadline = time.monotonic() + 180
        async with aiohttp.ClientSession() as session:
            while not seen or seen[-1][0] != 200:
                assert time.monotonic() < deadline, seen
                async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                    body = await response.json()
                    seen.append((response.status, body["checks"]["qdrant"]))
                await asyncio.sleep(0.1)
        for _, check in seen[:-1]:  # before the first sync, or during it
            assert check.startswith(("no index yet", "indexing, ")), seen
        status = await wikibot(env, "status")
        assert "source handbook: 1 documents" in status.stdout
        assert "by background sync on" in status.stdout

        # the sources file edited while serve runs: `wikibot sync` reads it as it is now
        more = tmp_path / "more"
        more.mkdir()
        (more / "coffee.md").write_text("# Coffee\n\nThe coffee machine is on floor 2.\n")
        with sources.open("a") as appended:
            appended.write(f"  - type: folder\n    name: more\n    path: {more}\n")
        synced = await wikibot(env, "sync")
        assert synced.returncode == 0, synced.stderr
        assert "more" in synced.stdout and "1 new" in synced.stdout
    finally:
        serve.terminate()
        serve.wait(60)
