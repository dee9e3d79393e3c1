"""Sources by name, as an admin runs them: real `wikibot` processes, embedded Qdrant."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.commands import DEMO, clean_command_env, wikibot_command

pytestmark = pytest.mark.slow


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*wikibot_command(), *args], env=env, capture_output=True, text=True, timeout=300
    )


def _folder(root: Path, pages: dict[str, str]) -> Path:
    for relative, text in pages.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_same_named_folders_are_refused_renamed_listed_and_removed(tmp_path: Path) -> None:
    env = clean_command_env(tmp_path)
    a = _folder(tmp_path / "a" / "docs", {"parking.md": "# Parking\n\nPark in lot B.\n"})
    b = _folder(tmp_path / "b" / "docs", {"canteen.md": "# Canteen\n\nLunch is at noon.\n"})

    both = run(["index", str(a), str(b)], env)
    assert both.returncode != 0
    assert str(a) in both.stderr and str(b) in both.stderr and "--name" in both.stderr
    assert "Traceback" not in both.stderr

    assert run(["index", str(a)], env).returncode == 0
    clash = run(["index", str(b)], env)
    assert clash.returncode != 0, clash.stdout
    assert str(a) in clash.stderr and str(b) in clash.stderr
    assert "wikibot remove docs" in clash.stderr

    renamed = run(["index", str(b), "--name", "b-docs"], env)
    assert renamed.returncode == 0, renamed.stderr
    assert "1 new" in renamed.stdout and "deleted" not in renamed.stdout.replace("0 deleted", "")

    listed = [json.loads(line) for line in run(["sources", "--json"], env).stdout.splitlines()]
    by_name = {row["name"]: row for row in listed}
    assert set(by_name) == {"docs", "b-docs"}
    assert by_name["docs"]["location"] == str(a.resolve()) and by_name["docs"]["documents"] == 1
    assert by_name["b-docs"]["kind"] == "folder" and "ok" in by_name["b-docs"]["last_run"]
    table = run(["sources"], env).stdout
    assert table.splitlines()[0].split()[:3] == ["NAME", "KIND", "DOCUMENTS"]

    dry = run(["remove", "docs", "--dry-run"], env)
    assert dry.returncode == 0 and "would remove source docs: 1 documents" in dry.stdout
    assert "parking.md" in dry.stdout
    still = run(["sources", "--json"], env).stdout.splitlines()
    assert "docs" in {json.loads(line)["name"] for line in still}

    gone = run(["remove", "docs"], env)
    assert gone.returncode == 0, gone.stderr
    assert "removed source docs: 1 documents" in gone.stdout
    rows = [json.loads(x) for x in run(["sources", "--json"], env).stdout.splitlines()]
    assert [r["name"] for r in rows] == ["b-docs"]
    asked = json.loads(run(["ask", "Where do I park?", "--json"], env).stdout)
    assert all(c["source"] != "parking.md" for c in asked["citations"])

    # the old name is free again, but this folder is b-docs already: a second name would
    # index every page twice
    twice = run(["index", str(b)], env)
    assert twice.returncode == 1, twice.stdout
    assert f'{b.resolve()} is already the source "b-docs"' in twice.stderr
    assert 'again as "docs"' in twice.stderr and "wikibot remove b-docs" in twice.stderr

    unknown = run(["remove", "nope"], env)
    assert unknown.returncode != 0 and "no source named 'nope'" in unknown.stderr
    assert "b-docs" in unknown.stderr and "Traceback" not in unknown.stderr


def test_a_folder_indexed_from_the_cli_is_not_indexed_again_from_the_sources_file(
    tmp_path: Path,
) -> None:
    docs = _folder(tmp_path / "docs", {"parking.md": "# Parking\n\nPark in lot B.\n"})
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"sources:\n  - type: folder\n    name: handbook\n    path: {docs}\n")
    env = clean_command_env(tmp_path)
    assert run(["index", str(docs)], env).returncode == 0  # named "docs", after the folder

    env["WIKIBOT_SOURCES_FILE"] = str(sources)
    again = run(["index"], env)
    assert again.returncode == 1, again.stdout
    assert f'{docs.resolve()} is already the source "docs"' in again.stderr
    assert 'again as "handbook"' in again.stderr and "wikibot remove docs" in again.stderr
    assert "Traceback" not in again.stderr
    rows = [json.loads(line) for line in run(["sources", "--json"], env).stdout.splitlines()]
    assert {r["name"]: r["documents"] for r in rows} == {"docs": 1, "handbook": 0}


def test_the_demo_is_a_source_an_admin_removes_in_one_command(tmp_path: Path) -> None:
    env = clean_command_env(tmp_path)
    assert run(["index", str(DEMO), "--name", "demo"], env).returncode == 0
    removed = run(["remove", "demo"], env)
    assert removed.returncode == 0 and "24 documents" in removed.stdout
    status = run(["status"], env).stdout
    assert "source demo:" not in status


def test_base_url_and_style_make_https_citations(tmp_path: Path) -> None:
    env = clean_command_env(tmp_path)
    docs = tmp_path / "handbook"
    shutil.copytree(DEMO, docs)
    (docs / "LICENSE.txt").write_text("Permission is hereby granted, free of charge...\n")
    indexed = run(
        ["index", str(docs), "--base-url", "https://handbook.example.com/",
         "--url-style", "strip-extension"],
        env,
    )
    assert indexed.returncode == 0, indexed.stderr
    assert "24 documents" in indexed.stdout  # LICENSE.txt is not a page
    asked = run(["ask", "How many vacation days do I get per year?", "--json"], env)
    answer = json.loads(asked.stdout)
    url = answer["citations"][0]["url"]
    assert url.startswith("https://handbook.example.com/time-off/vacation"), url
    assert url.split("#")[0] == "https://handbook.example.com/time-off/vacation", url
    assert answer["citations"][0]["updated_from"] == "front matter"  # the demo's `updated:`


def test_an_empty_folder_is_a_warning(tmp_path: Path) -> None:
    env = clean_command_env(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "photo.png").write_bytes(b"\x89PNG")
    result = run(["index", str(empty)], env)
    assert "warning:" in result.stderr and "holds no documents" in result.stderr


def test_word_and_powerpoint_files_are_answered_and_cited(tmp_path: Path) -> None:
    from tests.support.office_files import make_docx, make_pptx

    env = clean_command_env(tmp_path)
    docs = tmp_path / "policies"
    docs.mkdir()
    (docs / "travel.docx").write_bytes(make_docx())
    (docs / "onboarding.pptx").write_bytes(make_pptx())
    indexed = run(["index", str(docs)], env)
    assert indexed.returncode == 0 and "2 new" in indexed.stdout, indexed.stdout
    asked = run(["ask", "What is the hotel limit abroad?", "--json"], env)
    answer = json.loads(asked.stdout)
    assert answer["answered"] and answer["citations"][0]["source"] == "travel.docx"
    assert "260" in answer["answer"]
