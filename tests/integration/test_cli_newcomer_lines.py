"""What a newcomer reads from the real `wikibot` command: a settings mistake named by its
variable and the form it expects, and the files an index run passed over."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.commands import clean_command_env, wikibot_command

pytestmark = pytest.mark.slow


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*wikibot_command(), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_a_slack_admin_not_written_as_json_is_one_line_naming_the_variable(
    tmp_path: Path,
) -> None:
    env = clean_command_env(tmp_path, WIKIBOT_SLACK__ADMINS="U012ABC")
    done = _run(["status"], env, tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        "wikibot: invalid configuration:\n"
        "  WIKIBOT_SLACK__ADMINS: expected a JSON list such as [\"U012ABC\"] (got 'U012ABC')\n"
    )
    # the same list as `docker run --env-file` passes it (quotes kept) is read
    env["WIKIBOT_SLACK__ADMINS"] = "'[\"U012ABC\"]'"
    assert "WIKIBOT_SLACK__ADMINS" not in _run(["status"], env, tmp_path).stderr


def test_the_index_summary_counts_and_names_the_unsupported_types(tmp_path: Path) -> None:
    docs = tmp_path / "handbook"
    (docs / "forms").mkdir(parents=True)
    (docs / "leave.md").write_text("# Leave\n\nFull-time staff get 25 days of vacation.\n")
    (docs / "forms" / "expenses.doc").write_bytes(b"\xd0\xcf\x11\xe0 an old Word file")
    (docs / "forms" / "rates.xlsx").write_bytes(b"PK\x03\x04 a workbook")
    done = _run(["index", str(docs)], clean_command_env(tmp_path), tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 documents: 1 new" in done.stdout
    assert "skipped: 2 unsupported (.doc, .xlsx)" in done.stdout
