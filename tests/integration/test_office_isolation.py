"""Hostile Office files through the real `wikibot index`, and the parsing process's limits:
a zip bomb, a huge XML part, thousands of parts or of headings, more text than a text file
may hold: each costs one reported document; the good files beside them are indexed, and no
process of the run grows anywhere near what the bombs would unpack to."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from connectors.parsing.isolated import IsolatedOfficeParser
from connectors.parsing.office_limits import OfficeLimits, UnreadableOfficeError
from tests.support.commands import clean_command_env, wikibot_command
from tests.support.office_files import (
    MiB,
    make_docx,
    write_headings_docx,
    write_long_text_docx,
    write_many_members_docx,
    write_repeated_text_docx,
    write_zero_image_docx,
)

pytestmark = pytest.mark.slow

# runs a command and writes the peak RSS (KiB) of its largest process, children included
PEAK_RSS = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[2:]).returncode\n"
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(code)\n"
)


def test_index_reports_office_bombs_and_indexes_the_files_beside_them(tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "travel.docx").write_bytes(make_docx())
    (folder / "badges.md").write_text("# Badges\n\nShow your badge at the front desk.\n")
    write_zero_image_docx(folder / "zero-image.docx", image_bytes=2 * 1024 * MiB)
    write_repeated_text_docx(folder / "repeated.docx", xml_bytes=300 * MiB)
    write_many_members_docx(folder / "parts.docx", extra=6_000)
    write_headings_docx(folder / "headings.docx", 2_500)
    write_long_text_docx(folder / "long.docx", text_bytes=2_200_000)
    on_disk = sum(p.stat().st_size for p in folder.iterdir())
    assert on_disk < 5 * 1_000_000  # what the bombs unpack to: over 2.4 GB

    peak_file = tmp_path / "peak-rss-kib"
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(peak_file), *wikibot_command(), "index", str(folder)],
        env=clean_command_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    assert "2 new" in done.stdout and "5 failed" in done.stdout, done.stdout
    failed = {
        line.split(": ", 2)[1]: line.split(": ", 2)[2]
        for line in done.stderr.splitlines()
        if line.startswith("  failed: ")
    }
    hostile = {"zero-image.docx", "repeated.docx", "parts.docx", "headings.docx", "long.docx"}
    assert set(failed) == hostile
    assert "unpacks to 2,148.3 MB" in failed["zero-image.docx"]
    assert "word/document.xml in this .docx file unpacks to" in failed["repeated.docx"]
    assert "too many parts" in failed["parts.docx"]
    assert "too many sections" in failed["headings.docx"]
    assert "too much text in this .docx file (2.2 MB; the limit" in failed["long.docx"]
    peak_bytes = int(peak_file.read_text()) * 1024
    assert peak_bytes < 1_500_000_000, f"a process of the run peaked at {peak_bytes:,} bytes"


def test_a_file_past_the_parsing_memory_costs_that_document_only(tmp_path: Path) -> None:
    # bounds loosened so that the XML reaches the parser: the memory limit is what stops it
    limits = OfficeLimits(memory_bytes=250 * MiB, max_ratio=10**6, max_text_bytes=10**9)
    parser = IsolatedOfficeParser(limits)
    write_repeated_text_docx(tmp_path / "dense.docx", xml_bytes=30 * MiB)
    try:
        with pytest.raises(UnreadableOfficeError, match=r"\.docx file"):
            parser.parse(".docx", (tmp_path / "dense.docx").read_bytes())
        title, _ = parser.parse(".docx", make_docx())
        assert title == "Travel policy"
    finally:
        parser.close()


def test_a_parser_that_never_answers_is_stopped_at_the_time_limit() -> None:
    parser = IsolatedOfficeParser(
        OfficeLimits(timeout_s=1.0), worker_module="tests.support.hanging_office_worker"
    )
    with pytest.raises(UnreadableOfficeError, match="took longer than 1 s; it was stopped"):
        parser.parse(".docx", make_docx())
    assert parser._child is None  # killed and reaped


def test_a_parsing_process_that_cannot_start_fails_the_document_not_the_caller() -> None:
    parser = IsolatedOfficeParser(OfficeLimits(memory_bytes=40 * MiB))  # too small for Python
    with pytest.raises(UnreadableOfficeError, match=r"ended the parsing process \(exit code"):
        parser.parse(".docx", make_docx())
    parser.close()


def test_the_parsing_process_gets_no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-not-for-parsers")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-not-for-parsers")
    parser = IsolatedOfficeParser(worker_module="tests.support.environment_office_worker")
    try:
        names, _ = parser.parse(".docx", make_docx())
    finally:
        parser.close()
    assert "PYTHONPATH" in names.split()  # the stand-in did report its environment
    assert "SLACK_BOT_TOKEN" not in names and "OPENAI_API_KEY" not in names
