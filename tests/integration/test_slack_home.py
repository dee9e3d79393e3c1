"""The App Home tab over real HTTP: an app_home_opened event makes the bot publish a view of
what it knows; admins also see their commands, every source and the last runs' errors, while
everyone else sees public sources and counts only. The counts are read from the index once
per index generation, however many people open the tab."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import build_app
from bot.config import load_settings
from bot.serve.web import build_web_app
from connectors.folder import FolderConnector
from indexing.store import QdrantIndexStore, open_client
from tests.support.commands import DEMO
from tests.support.indexing import index_now
from tests.support.slack_api import SlackAPIStub
from tests.support.slack_bot import ADMIN, SECRET, Bot
from tests.support.web_site import start_site


async def _opened(bot: Bot, user: str, event_id: str) -> dict:
    body = {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"}
    before = len(bot.api.of("views.publish"))
    assert await bot.event(body, event_id) == 200
    return (await bot.api.wait_for("views.publish", before + 1))[-1]


async def test_home_tab_shows_sources_and_admin_commands_to_admins(bot: Bot) -> None:
    staff = await _opened(bot, "UALICE", "Ehome1")
    assert staff["user_id"] == "UALICE"
    view = staff["view"] if isinstance(staff["view"], dict) else json.loads(staff["view"])
    text = json.dumps(view)
    assert view["type"] == "home"
    assert "*handbook* (folder): 24 documents" in text
    assert "/wikibot your question" in text and "reindex" not in text

    admin = await _opened(bot, ADMIN, "Ehome2")
    admin_view = admin["view"] if isinstance(admin["view"], dict) else json.loads(admin["view"])
    assert "/wikibot reindex" in json.dumps(admin_view)

    messages_tab = {"type": "app_home_opened", "user": "UALICE", "channel": "D1",
                    "tab": "messages"}
    assert await bot.event(messages_tab, "Ehome3") == 200
    await __import__("asyncio").sleep(0.5)
    assert len(bot.api.of("views.publish")) == 2  # the Messages tab needs no view


# -- what a non-admin may see, and the counts read once per index generation ----------------

SALARY = "# Salary bands\n\nThe engineering salary band for level 3 is 95,000 to 120,000 euros.\n"
BOARD = {
    f"minutes-{n}.md": f"# Board minutes {n}\n\nThe board discussed Project Zyntrax ({n}).\n"
    for n in range(1, 4)
}
PAYROLL = {f"export-{n}.md": f"# Payroll export guide {n}\n\nRun the export monthly.\n"
           for n in range(1, 3)}


class ScanCountingStore(QdrantIndexStore):
    """The real store, counting the passes over the index (each scroll of the alias)."""

    scans = 0

    def scroll(self, collection, flt, payload, vectors=False):  # type: ignore[no-untyped-def]
        if collection == self.alias:
            self.scans += 1
        return super().scroll(collection, flt, payload, vectors)


def write(folder: Path, files: dict[str, str], rules: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    if rules:
        (folder / ".wikibot-acl.yaml").write_text(rules)
    return folder


@pytest.fixture
async def home_bot(
    tmp_path: Path, clean_env: Path, embedder, redis_server  # type: ignore[no-untyped-def]
) -> AsyncIterator[tuple[Bot, ScanCountingStore, Path]]:
    """A handbook with one hr-only page, a wholly restricted source (board-minutes) and a
    public source whose last run failed (payroll-exports: its rules file broke after a good
    run, so it still has documents and its error names a server path)."""
    handbook = tmp_path / "handbook"
    shutil.copytree(DEMO, handbook)
    write(handbook, {"hr/salary-bands.md": SALARY},
          'rules:\n  - path: "hr/**"\n    groups: [hr-only]\n')
    board = write(tmp_path / "board-minutes", BOARD,
                  'rules:\n  - path: "**"\n    groups: [board]\n')
    payroll = write(tmp_path / "payroll-exports", PAYROLL)
    api = SlackAPIStub()
    await api.start()
    settings = load_settings(
        data_dir=tmp_path / "data",
        sources=[handbook, board],
        slack={"bot_token": "xoxb-test", "signing_secret": SECRET,
               "api_url": api.url + "/api/", "admins": [ADMIN]},
        redis={"url": redis_server.url},
    )
    store = ScanCountingStore(
        open_client(settings.qdrant, settings.data_dir),
        alias=settings.qdrant.collection,
        embedder=lambda: embedder,
        local=True,
    )
    components = build_app(settings, embedder=embedder, store=store)
    index_now(components, [FolderConnector(handbook), FolderConnector(board)])
    index_now(components, [FolderConnector(payroll)])
    (payroll / ".wikibot-acl.yaml").write_text("rules: [this is not\n")
    with pytest.raises(RuntimeError):
        index_now(components, [FolderConnector(payroll)])
    runner, url = await start_site(build_web_app(components))
    bot = Bot(url, api, components)
    yield bot, store, handbook
    await bot.session.close()
    await runner.cleanup()
    store.client.close()
    await api.stop()


def what_i_know(published: dict) -> str:
    view = published["view"] if isinstance(published["view"], dict) else json.loads(
        published["view"])
    return next(b["text"]["text"] for b in view["blocks"]
                if b["type"] == "section" and b["text"]["text"].startswith("*What I know*"))


def public_handbook_pages() -> int:
    return sum(1 for p in DEMO.rglob("*") if p.is_file() and not p.name.startswith("."))


async def test_a_non_admin_sees_only_public_sources_and_counts_and_no_errors(
    home_bot: tuple[Bot, ScanCountingStore, Path], tmp_path: Path
) -> None:
    bot, _, _ = home_bot
    (failed,) = [s for s in bot.components.sync_states.all() if s.outcome == "failed"]
    assert str(tmp_path) in failed.error  # the run record names the server path

    staff = what_i_know(await _opened(bot, "UALICE", "Ehome-staff"))
    pages = public_handbook_pages()
    assert staff == (
        f"*What I know*\n• *handbook* (folder): {pages} documents\n"
        f"• *payroll-exports* (folder): {len(PAYROLL)} documents"
    )
    assert "board" not in staff and "failed" not in staff and str(tmp_path) not in staff

    admin = what_i_know(await _opened(bot, ADMIN, "Ehome-admin"))
    assert f"*handbook* (folder): {pages + 1} documents ({pages} public)" in admin
    assert f"*board-minutes* (folder): {len(BOARD)} documents (0 public)" in admin
    assert "*payroll-exports* (folder): 2 documents, last run" in admin
    assert "failed: " in admin and str(tmp_path) in admin  # admins see the whole error


async def test_home_tab_counts_are_read_once_per_index_generation(
    home_bot: tuple[Bot, ScanCountingStore, Path],
) -> None:
    bot, store, handbook = home_bot
    pages = public_handbook_pages()
    before = store.scans
    for n in range(6):  # one after the other, staff and admins
        published = await _opened(bot, ADMIN if n % 2 else "UALICE", f"Ecache{n}")
        assert "*handbook* (folder): " in what_i_know(published)
    assert store.scans - before == 1

    write(handbook, {"benefits/bike-lease.md": "# Bike lease\n\nLease a bike through us.\n"})
    index_now(bot.components, [FolderConnector(handbook)])  # a new index generation
    before, published_before = store.scans, len(bot.api.of("views.publish"))
    statuses = await asyncio.gather(*(
        bot.event({"type": "app_home_opened", "user": f"U{n}", "channel": "D1", "tab": "home"},
                  f"Eburst{n}")
        for n in range(8)
    ))
    assert statuses == [200] * 8
    burst = await bot.api.wait_for("views.publish", published_before + 8)
    assert all(f"*handbook* (folder): {pages + 1} documents" in what_i_know(p)
               for p in burst[published_before:])
    assert store.scans - before == 1
