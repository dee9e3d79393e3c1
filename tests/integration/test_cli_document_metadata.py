"""Issue 27, finding 5, through the real `wikibot` command: documents whose metadata we do
not read (or whose restriction-like keys we do not know) are skipped and reported in the
index summary, never answerable; front matter we do read restricts in every text format."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support.commands import clean_command_env, wikibot_command

pytestmark = pytest.mark.slow

# each skipped file carries its own codename; none may ever reach an answer
SKIPPED = {
    "blank-line-first.md": ("\n---\naccess: [execs]\n---\n", "HERON", "merger"),
    "comment-first.md": ("<!-- draft -->\n---\naccess: [execs]\n---\n", "EGRET", "layoffs"),
    "four-dashes.md": ("----\naccess: [execs]\n----\n", "PLOVER", "office closure"),
    "groups-key.md": ("---\ngroups: [execs]\n---\n", "SHRIKE", "bonus pool"),
    "nested-key.md": ("---\nwikibot: {access: [execs]}\n---\n", "LAPWING", "board vote"),
    "toml-readers.md": ('+++\nreaders = ["execs"]\n+++\n', "GANNET", "pay freeze"),
    "json-allowed.md": ('{\n  "allowed": ["execs"]\n}\n', "CURLEW", "reorganisation"),
    "access-yes.md": ("---\naccess: yes\n---\n", "AVOCET", "share buyback"),
    "groups.txt": ("---\ngroups: [execs]\n---\n", "DUNLIN", "audit finding"),
}
META_PAGE = (
    '<html><head><meta name="access" content="execs"><title>Plans</title></head>'
    "<body><p>The data centre move codename is BITTERN.</p></body></html>"
)


def _page(topic: str, codename: str) -> str:
    return f"# {topic.title()}\n\nThe {topic} codename is {codename}. Only execs know it.\n"


def _run(
    args: list[str], env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    command = [*wikibot_command(), *args]
    return subprocess.run(
        command, env=env, input=stdin, capture_output=True, text=True, timeout=300
    )


def test_untrusted_metadata_is_skipped_reported_and_never_answered(tmp_path: Path) -> None:
    wiki = tmp_path / "wiki"
    wiki.mkdir()
    (wiki / "lunch.md").write_text("# Lunch\n\nTeam lunch is on Thursdays at noon.\n")
    (wiki / "harbour.md").write_text(
        '+++\ntitle = "Harbour"\naccess = ["execs"]\n+++\n' + _page("harbour deal", "KESTREL")
    )
    (wiki / "vendor.txt").write_text("---\naccess: [execs]\n---\n" + _page("vendor", "OSPREY"))
    for name, (metadata, codename, topic) in SKIPPED.items():
        (wiki / name).write_text(metadata + _page(topic, codename))
    (wiki / "plans.html").write_text(META_PAGE)
    groups = tmp_path / "groups.yaml"
    groups.write_text("execs: [UEXEC]\n")
    env = clean_command_env(tmp_path, WIKIBOT_GROUPS_FILE=str(groups))

    done = _run(["index", str(wiki)], env)
    assert done.returncode == 0, done.stdout + done.stderr
    skipped = [*SKIPPED, "plans.html"]
    assert f"3 documents: 3 new, 0 changed, 0 unchanged, 0 deleted, {len(skipped)} failed" in (
        done.stdout
    ), done.stdout
    reported = {
        line.split(": ", 2)[1]: line.split(": ", 2)[2]
        for line in done.stderr.splitlines()
        if line.strip().startswith("failed: ")
    }
    assert set(reported) == set(skipped), done.stderr
    assert "'----'" in reported["four-dashes.md"] and "'groups'" in reported["groups.txt"]
    assert "'wikibot.access'" in reported["nested-key.md"] and "meta" in reported["plans.html"]
    assert "access: True" in reported["access-yes.md"]

    questions = [f"What is the {topic} codename?" for _, _, topic in SKIPPED.values()]
    questions += [
        "What is the data centre move codename?",
        "What is the harbour deal codename?",
        "What is the vendor codename?",
    ]
    codenames = [c for _, c, _ in SKIPPED.values()] + ["BITTERN", "KESTREL", "OSPREY"]
    public = _run(["ask", "-", "--json"], env, stdin="\n".join(questions) + "\n")
    assert public.returncode == 0, public.stderr
    assert len(public.stdout.splitlines()) == len(questions)
    for codename in codenames:
        assert codename not in public.stdout, codename

    # an exec reads what was honoured, and still nothing that was skipped
    execs = _run(["ask", "-", "--json", "--user", "UEXEC"], env, stdin="\n".join(questions) + "\n")
    answers = [json.loads(line) for line in execs.stdout.splitlines()]
    by_question = dict(zip(questions, answers, strict=True))
    harbour = by_question["What is the harbour deal codename?"]
    assert "KESTREL" in harbour["answer"] and harbour["citations"][0]["source"] == "harbour.md"
    vendor = by_question["What is the vendor codename?"]
    assert "OSPREY" in vendor["answer"] and vendor["citations"][0]["source"] == "vendor.txt"
    for codename in codenames[: len(SKIPPED) + 1]:
        assert codename not in execs.stdout, codename


# the second review (issue 27 follow-up): metadata below a title, behind an invisible
# character, in another format's syntax, or typed into a Word file; each was public before
BELOW_A_TITLE = {
    "atx-title.md": ("# Plan\n\n---\naccess: [execs]\n---\n", "TEAL", "warehouse sale"),
    "setext-title.md": ("Plan\n====\n\n---\naccess: [execs]\n---\n", "SCOTER", "price rise"),
    "key-below-title.md": ("# Plan\n\naccess: [execs]\n\n", "SMEW", "site closure"),
    "title-then-key.txt": ("Plan\n\naccess: execs\n\n", "GARGANEY", "hiring freeze"),
    "comment-below-title.md": ("# Plan\n\n<!-- access: execs -->\n", "POCHARD", "rebrand"),
    "zero-width.md": ("\u200b---\naccess: [execs]\n---\n", "WIGEON", "tender"),
    "mdx-export.mdx": ("export const meta = {access: ['execs']}\n\n", "GADWALL", "spin-off"),
    "rst-meta.rst": ("Plan\n====\n\n.. meta::\n   :access: execs\n\n", "EIDER", "takeover"),
}


def test_metadata_below_a_title_or_in_other_syntax_is_skipped_and_never_answered(
    tmp_path: Path,
) -> None:
    import docx

    wiki = tmp_path / "wiki"
    wiki.mkdir()
    (wiki / "lunch.md").write_text("# Lunch\n\nTeam lunch is on Thursdays at noon.\n")
    for name, (metadata, codename, topic) in BELOW_A_TITLE.items():
        (wiki / name).write_text(metadata + _page(topic, codename), encoding="utf-8")
    (wiki / "comment.html").write_text(
        "<html><head><title>Plan</title><!-- access: execs --></head><body>"
        "<p>The quarry purchase codename is GOLDENEYE.</p></body></html>"
    )
    word = docx.Document()
    word.add_paragraph("Access: execs")
    word.add_paragraph("The canal bid codename is SHOVELER. Only execs know it.")
    word.save(str(wiki / "bid.docx"))
    env = clean_command_env(tmp_path)

    done = _run(["index", str(wiki)], env)
    assert done.returncode == 0, done.stdout + done.stderr
    skipped = {*BELOW_A_TITLE, "comment.html", "bid.docx"}
    reported = {
        line.split(": ", 2)[1]
        for line in done.stderr.splitlines()
        if line.strip().startswith("failed: ")
    }
    assert reported == skipped, done.stderr
    assert f"1 documents: 1 new, 0 changed, 0 unchanged, 0 deleted, {len(skipped)} failed" in (
        done.stdout
    ), done.stdout

    questions = [f"What is the {topic} codename?" for _, _, topic in BELOW_A_TITLE.values()]
    questions += ["What is the quarry purchase codename?", "What is the canal bid codename?"]
    asked = _run(["ask", "-", "--json"], env, stdin="\n".join(questions) + "\n")
    assert asked.returncode == 0, asked.stderr
    assert len(asked.stdout.splitlines()) == len(questions)
    for codename in [c for _, c, _ in BELOW_A_TITLE.values()] + ["GOLDENEYE", "SHOVELER"]:
        assert codename not in asked.stdout, codename
