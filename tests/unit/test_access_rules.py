from __future__ import annotations

from pathlib import Path

import pytest

from connectors.access_rules import AccessRuleError, AccessRules, access_from_front_matter
from connectors.base import DocumentACL
from connectors.folder import FolderConnector

RULES = """rules:
  - path: "hr/**"
    groups: [hr-only]
  - path: "hr/*.pdf"
    groups: [hr-only, finance]
    users: [U1]
  - path: "hr/open-roles.md"
    public: true
"""


def make(tmp_path: Path, files: dict[str, str], rules: str = RULES) -> FolderConnector:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / ".wikibot-acl.yaml").write_text(rules)
    return FolderConnector(tmp_path)


def test_later_rules_win_and_globs_span_folders(tmp_path: Path) -> None:
    rules = AccessRules.load(make(tmp_path, {}).root)
    assert rules.acl_for("hr/a/b.md", {}) == DocumentACL(public=False, groups=["hr-only"])
    assert rules.acl_for("hr/x.pdf", {}) == DocumentACL(
        public=False, groups=["finance", "hr-only"], users=["U1"]
    )
    assert rules.acl_for("hr/open-roles.md", {}).public
    assert rules.acl_for("hrx/a.md", {}).public and rules.acl_for("a.md", {}).public


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("public", DocumentACL()),
        ("execs", DocumentACL(public=False, groups=["execs"])),
        (["b", "a"], DocumentACL(public=False, groups=["a", "b"])),
        ({"users": ["U9"]}, DocumentACL(public=False, users=["U9"])),
    ],
)
def test_front_matter_access(value: object, expected: DocumentACL) -> None:
    assert access_from_front_matter(value) == expected


@pytest.mark.parametrize("value", [[], {}, {"group": ["x"]}, 3, None, [""], {"users": [1]}])
def test_malformed_front_matter_access_fails_closed(value: object) -> None:
    with pytest.raises(AccessRuleError):
        access_from_front_matter(value)


def test_a_bad_access_value_skips_that_document_only(tmp_path: Path) -> None:
    connector = make(
        tmp_path,
        {"ok.md": "# Ok\n\nfine text", "bad.md": "---\naccess: {group: [x]}\n---\n# Bad\n\ntext"},
    )
    [batch] = list(connector.load())
    assert [d.source for d in batch.documents] == ["ok.md"]
    assert batch.failed[0].source == "bad.md" and "access" in batch.failed[0].reason


def test_a_broken_rules_file_stops_the_folder(tmp_path: Path) -> None:
    connector = make(tmp_path, {"a.md": "# A\n\ntext"}, rules="rules:\n  - pth: 'x'\n")
    with pytest.raises(AccessRuleError, match=r"wikibot-acl\.yaml"):
        list(connector.load())


def test_a_permission_change_changes_the_content_hash(tmp_path: Path) -> None:
    connector = make(tmp_path, {"hr/a.md": "# A\n\ntext"})
    before = connector.read(tmp_path / "hr/a.md")
    (tmp_path / ".wikibot-acl.yaml").write_text("rules: []\n")
    after = FolderConnector(tmp_path).read(tmp_path / "hr/a.md")
    assert before.acl.groups == ["hr-only"] and after.acl.public
    assert before.content_hash != after.content_hash
