"""What a SharePoint file says and where it sits decide whether, and for whom, it is indexed
(security review of issue 27), against the Graph stand-in over real HTTPS through the real
connector, Reindexer and index: a file or folder moved out of the configured folder, or a
file renamed to a type we do not read, leaves the index at the next sync (a folder moved in
brings its files), whether or not Graph's delta entries carry paths; ``access:`` front
matter narrows SharePoint's readers (never widens them), and one that cannot be applied
fails the file (reported, removed from the index), as in a folder source."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import App
from bot.models import PUBLIC, Viewer
from tests.support.graph_stub import GraphStub, Item
from tests.support.sharepoint_app import (
    HR,
    ONLY_HR,
    SOURCES,
    cited,
    indexed,
    sharepoint_app,
    sync,
)

pytestmark = pytest.mark.slow

PLAN = b"# Reorganisation plan\n\nThe plan merges the LANTERN team into sales in May.\n"
LEAVE = b"# Parental leave\n\nBirth parents get 16 weeks of leave on full pay.\n"
TRAVEL = b"# Travel\n\nThe hotel limit abroad is 180 euros a night.\n"
BONUS = b"# Bonus rules\n\nThe bonus pool is split by the MAGENTA formula.\n"
EXECS = Viewer(user="U-EXEC", groups=frozenset({"execs"}))


@pytest.fixture
def stub() -> Iterator[GraphStub]:
    with GraphStub(page_size=2) as server:
        yield server


def _app(stub: GraphStub, clean_env: Path, monkeypatch: pytest.MonkeyPatch, embedder: object,
         source: str = SOURCES) -> Iterator[App]:
    parts = sharepoint_app(stub, clean_env, monkeypatch, embedder, source=source)
    yield parts
    parts.store.client.close()


@pytest.fixture
def app(stub: GraphStub, clean_env: Path, monkeypatch: pytest.MonkeyPatch,
        embedder: object) -> Iterator[App]:
    yield from _app(stub, clean_env, monkeypatch, embedder)


@pytest.fixture
def public_folder_app(stub: GraphStub, clean_env: Path, monkeypatch: pytest.MonkeyPatch,
                      embedder: object) -> Iterator[App]:
    """The source limited to the library's Public folder (``folder: Public``)."""
    yield from _app(stub, clean_env, monkeypatch, embedder, SOURCES + "    folder: Public\n")


@pytest.mark.parametrize("paths_in_delta", [True, False])
def test_a_file_moved_out_of_the_folder_or_renamed_leaves_the_index(
    public_folder_app: App, stub: GraphStub, paths_in_delta: bool
) -> None:
    app = public_folder_app
    stub.library.paths_in_delta = paths_in_delta  # False: each file's path asked of Graph
    stub.put(Item("it-plan", "plan.md", PLAN, folder="Public", permissions=None))
    stub.put(Item("it-leave", "leave.md", LEAVE, folder="Public"))
    stub.put(Item("it-travel", "travel.md", TRAVEL, folder="Public"))
    stub.put(Item("it-bonus", "bonus.md", BONUS, folder="Restricted", permissions=None))
    stub.share_folder("Restricted", ONLY_HR)
    assert sync(app).new == 3
    assert indexed(app) == {"Public/plan.md": "public", "Public/leave.md": "public",
                            "Public/travel.md": "public"}
    question = "What happens to the LANTERN team?"
    assert "Public/plan.md" in cited(app, question)

    stub.library.move("it-plan", "Restricted")  # now inherits HR-only readers
    stub.library.move("it-leave", "Public", name="leave.png")  # a type we do not read
    moved = sync(app)
    assert moved.deleted == 2 and not moved.errors
    assert indexed(app) == {"Public/travel.md": "public"}
    assert "Public/plan.md" not in cited(app, question)
    assert "Public/plan.md" not in cited(app, question, HR)  # outside the source now

    stub.library.move("it-plan", "Public")  # back: indexed again
    assert sync(app).new == 1
    assert indexed(app)["Public/plan.md"] == "public"


@pytest.mark.parametrize("paths_in_delta", [True, False])
def test_a_folder_moved_out_of_the_folder_takes_its_files_out_and_one_moved_in_brings_them(
    public_folder_app: App, stub: GraphStub, paths_in_delta: bool
) -> None:
    app = public_folder_app
    stub.library.paths_in_delta = paths_in_delta
    stub.put(Item("it-plan", "plan.md", PLAN, folder="Public/Plans"))
    stub.put(Item("it-bonus", "bonus.md", BONUS, folder="Public/Plans/2026"))
    stub.put(Item("it-travel", "travel.md", TRAVEL, folder="Public"))
    stub.put(Item("it-leave", "leave.md", LEAVE, folder="Archive/Old"))
    sync(app)
    assert set(indexed(app)) == {"Public/Plans/plan.md", "Public/Plans/2026/bonus.md",
                                 "Public/travel.md"}

    # Graph's delta reports the two folders, not the files under them
    stub.library.move_folder("Public/Plans", "Restricted/Plans")
    stub.library.move_folder("Archive/Old", "Public/Old")
    moved = sync(app)
    assert (moved.deleted, moved.new) == (2, 1)
    assert set(indexed(app)) == {"Public/travel.md", "Public/Old/leave.md"}
    assert "Public/Plans/plan.md" not in retrieved(app, "What happens to the LANTERN team?")

    stub.edit("it-plan", PLAN + b"\nAnd the ORCHID team in June.\n")  # outside: stays out
    stub.library.move_folder("Public", "Public Archive")  # the configured folder renamed
    assert sync(app).deleted == 2
    assert indexed(app) == {}


def test_access_front_matter_narrows_sharepoint_readers_or_fails_the_file(
    app: App, stub: GraphStub
) -> None:
    def with_access(value: str, body: bytes) -> bytes:
        return f"---\naccess: {value}\n---\n".encode() + body

    stub.put(Item("it-plan", "plan.md", with_access("[execs]", PLAN)))  # shared org-wide
    stub.put(Item("it-travel", "travel.md", with_access("public", TRAVEL), permissions=ONLY_HR))
    stub.put(Item("it-leave", "leave.md", with_access("yes", LEAVE)))  # malformed
    stub.put(Item("it-bonus", "bonus.md", BONUS, permissions=ONLY_HR))
    first = sync(app)
    assert sorted(f.source for f in first.errors) == ["leave.md"]
    assert indexed(app) == {"plan.md": "restricted", "travel.md": "restricted",
                            "bonus.md": "restricted"}
    question = "What happens to the LANTERN team?"
    assert "plan.md" not in retrieved(app, question)  # the front matter's readers only
    assert "plan.md" not in retrieved(app, question, HR)
    assert "plan.md" in retrieved(app, question, EXECS)
    assert "travel.md" in retrieved(app, "What is the hotel limit abroad?", HR)  # not widened
    assert "travel.md" not in retrieved(app, "What is the hotel limit abroad?")

    # a restriction on a file SharePoint limits to others: it cannot be combined, the file
    # leaves the index (reported) instead of keeping either list
    stub.edit("it-bonus", with_access("[execs]", BONUS))
    edited = sync(app)
    assert [f.source for f in edited.errors] == ["bonus.md"]
    assert "cannot be combined" in edited.errors[0].reason
    assert "bonus.md" not in indexed(app)
    for viewer in (HR, EXECS):
        assert "bonus.md" not in retrieved(app, "How is the bonus pool split?", viewer)


def retrieved(app: App, question: str, viewer: Viewer = PUBLIC) -> set[str]:
    """The files whose text the engine read to answer ``viewer`` (cited or not)."""
    return {c.source for c in app.engine.ask(question, viewer=viewer).retrieved}
