"""Documents whose permissions cannot be trusted are skipped and reported, never indexed as
public; one bad entry in a folder is one failed file, never the folder's run (issue 16,
findings 2, 7 and 10)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from connectors.access_rules import AccessRules, GlobPattern
from connectors.folder import FolderConnector

BODY = "# Board minutes\n\nThe board approved the merger codename CANARY-board.\n"

BROKEN_FRONT_MATTER = {
    "yaml-error.md": "---\naccess: [execs\n---\n" + BODY,
    "tab-indent.md": "---\naccess:\n\t- execs\n---\n" + BODY,
    "unclosed.md": "---\naccess: [execs]\n" + BODY,
    "capital-key.md": "---\nAccess: [execs]\n---\n" + BODY,
    "misspelt-key.md": "---\nacess: [execs]\n---\n" + BODY,
    "acl-key.md": "---\nacl: [execs]\n---\n" + BODY,
    "permissions-key.md": "---\npermissions: [execs]\n---\n" + BODY,
    "list-root.md": "---\n- access: [execs]\n---\n" + BODY,
    "scalar-root.md": "---\naccess execs\n---\n" + BODY,
    "empty-access.md": "---\naccess:\n---\n" + BODY,
    "bad-access-shape.md": "---\naccess: {group: [execs]}\n---\n" + BODY,
    "dup-key.md": "---\naccess: [execs]\naccess: public\n---\n" + BODY,
}


def test_every_broken_front_matter_variant_is_skipped_with_a_reason(tmp_path: Path) -> None:
    for name, text in BROKEN_FRONT_MATTER.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "fine.md").write_text("---\naccess: [execs]\n---\n" + BODY)
    (tmp_path / "public.md").write_text("---\ntitle: Lunch\n---\n# Lunch\n\nLunch is at noon.\n")
    batches = list(FolderConnector(tmp_path).load())
    documents = [d for b in batches for d in b.documents]
    failed = {f.source: f.reason for b in batches for f in b.failed}
    indexed_public = [d.source for d in documents if d.acl.public and "CANARY" in d.text]
    assert indexed_public == []
    # the duplicate key is the one YAML quirk that parses: the later value wins, so it must
    # at least not be silently public while another line restricts it
    assert set(failed) >= set(BROKEN_FRONT_MATTER) - {"dup-key.md"}, failed
    assert all(reason.strip() for reason in failed.values())
    assert "misspelt" in failed["capital-key.md"] and "YAML" in failed["tab-indent.md"]
    assert "closing" in failed["unclosed.md"] and "mapping" in failed["list-root.md"]
    sources = {d.source: d for d in documents}
    assert not sources["fine.md"].acl.public and sources["public.md"].acl.public


def test_duplicate_access_keys_are_refused(tmp_path: Path) -> None:
    (tmp_path / "dup-key.md").write_text(BROKEN_FRONT_MATTER["dup-key.md"])
    [batch] = list(FolderConnector(tmp_path).load())
    assert not batch.documents and "twice" in batch.failed[0].reason


@pytest.mark.skipif(os.name != "posix", reason="symbolic links and byte file names")
def test_links_and_undecodable_names_are_single_failures(tmp_path: Path) -> None:
    root = tmp_path / "wiki"
    root.mkdir()
    (root / "a.md").write_text("# A\n\nAlpha text.\n")
    (root / "z.md").write_text("# Z\n\nZulu text.\n")
    (root / "passwd.md").symlink_to("/etc/passwd")
    (root / "loop.md").symlink_to(root / "loop.md")
    (root / "dangling.md").symlink_to(root / "missing.md")
    (root / "linked-dir").symlink_to("/etc")
    os.close(os.open(os.fsencode(root) + b"/caf\xe9.md", os.O_CREAT | os.O_WRONLY))
    with open(os.fsencode(root) + b"/caf\xe9.md", "w") as handle:
        handle.write("# Cafe\n\nCoffee text.\n")
    batches = list(FolderConnector(root).load())
    documents = sorted(d.source for b in batches for d in b.documents)
    failed = {f.source: f.reason for b in batches for f in b.failed}
    assert documents == ["a.md", "z.md"]
    assert set(failed) == {"passwd.md", "loop.md", "dangling.md", "caf\ufffd.md"}
    assert "link" in failed["passwd.md"] and "UTF-8" in failed["caf\ufffd.md"]
    for f in failed:
        f.encode("utf-8")  # every reported name can be printed and stored


def test_a_broken_rules_file_fails_its_folder_when_read_not_when_built(tmp_path: Path) -> None:
    (tmp_path / ".wikibot-acl.yaml").write_text("rules: [\n")
    connector = FolderConnector(tmp_path)  # building it does not raise: other sources go on
    with pytest.raises(ValueError, match="not a valid rules file"):
        list(connector.load())


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("hr/**", "hr/a/b.md", True),
        ("hr/**", "hrx/a.md", False),
        ("hr/*.pdf", "hr/x.pdf", True),
        ("hr/*.pdf", "hr/a/x.pdf", False),
        ("**/b.md", "b.md", True),
        ("**/b.md", "x/y/b.md", True),
        ("**/b.md", "xb.md", False),
        ("a/**/b", "a/b", True),
        ("a/**/b", "ab", False),
        ("?.md", "a.md", True),
        ("?.md", "/.md", False),
        ("*", "a/b", False),
        ("**", "a/b", True),
    ],
)
def test_glob_semantics(pattern: str, path: str, expected: bool) -> None:
    assert GlobPattern(pattern).match(path) is expected


def test_a_pathological_glob_is_matched_in_linear_time(tmp_path: Path) -> None:
    pattern = "**a" * 25 + "**b"
    rules_file = tmp_path / ".wikibot-acl.yaml"
    rules_file.write_text(f'rules:\n  - path: "{pattern}"\n    public: true\n')
    rules = AccessRules.load(tmp_path)
    started = time.process_time()
    assert rules.acl_for("a" * 200, {}).public  # no rule matched: the default (public)
    assert rules.acl_for("a" * 30 + "b", {}).public
    # a backtracking regex needs ~200^25 steps here; the automaton a few thousand
    assert time.process_time() - started < 5
