"""The `wikibot` command as users run it: real processes, embedded Qdrant, real MiniLM."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.commands import DEMO, wikibot_command

pytestmark = pytest.mark.slow


def run(args: list[str], env: dict[str, str], stdin: str | None = None, timeout: float = 300):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [*wikibot_command(), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("WIKIBOT_", "QDRANT_", "OPENAI_"))
    }
    clean["WIKIBOT_DATA_DIR"] = str(tmp_path / "data")
    return clean


def test_index_ask_json_stdin_and_status(env: dict[str, str]) -> None:
    first = run(["index", str(DEMO)], env)
    assert first.returncode == 0, first.stderr
    assert "24 documents: 24 new" in first.stdout

    again = run(["index", str(DEMO)], env)
    assert "24 unchanged" in again.stdout and "nothing to embed" in again.stdout

    one = run(["ask", "How many vacation days do I get per year?", "--json"], env)
    assert one.returncode == 0, one.stderr
    answer = json.loads(one.stdout)
    assert {"question", "answer", "answered", "citations", "timings_ms"} <= set(answer)
    assert answer["answered"] is True
    citation = answer["citations"][0]
    assert set(citation) >= {"n", "title", "source", "url", "section"}
    assert citation["source"] == "time-off/vacation.md"

    many = run(
        ["ask", "-", "--json"],
        env,
        stdin="What is the hotel limit?\n\nDo new hires get stock options?\n",
    )
    lines = [json.loads(line) for line in many.stdout.splitlines()]
    assert [line["answered"] for line in lines] == [True, False]

    text = run(["ask", "Who do I report harassment to?"], env)
    assert "Sources:" in text.stdout and "people/code-of-conduct.md" in text.stdout

    chat = run(["chat"], env, stdin="What is the hotel limit?\nexit\n")
    assert chat.returncode == 0 and "220 per night" in chat.stdout and "Sources:" in chat.stdout

    status = run(["status"], env)
    assert "source handbook:" in status.stdout

    qa = Path(env["WIKIBOT_DATA_DIR"]) / "qa.jsonl"
    qa.write_text(
        json.dumps(
            {
                "id": "a",
                "question": "How long is probation?",
                "sources": ["onboarding/probation.md"],
                "answerable": True,
            }
        )
        + "\n"
        + json.dumps(
            {"id": "b", "question": "Is there a company yacht?", "sources": [], "answerable": False}
        )
        + "\n"
    )
    evaluated = json.loads(run(["eval", str(qa), "--json"], env).stdout)
    assert evaluated["metrics"]["cited_gold"] == 1.0
    assert evaluated["metrics"]["gold_shown"] == 1.0
    assert evaluated["metrics"]["declined_unanswerable"] == 1.0


def test_ask_before_index_and_bad_config_fail_clearly(env: dict[str, str]) -> None:
    empty = run(["ask", "anything?"], env)
    assert empty.returncode == 1 and "run `wikibot index PATH` first" in empty.stderr
    bad = run(["status"], {**env, "QDRANT_URL": "not a url"})
    assert bad.returncode == 2 and "QDRANT_URL is not a URL" in bad.stderr
    missing = run(["index", "/no/such/folder"], env)
    assert missing.returncode == 1 and "not a folder: /no/such/folder" in missing.stderr


def _wait_for_new_collection(data: Path, old: set[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        collections = data / "qdrant" / "collection"
        new = {p.name for p in collections.iterdir()} - old if collections.exists() else set()
        if any(
            (collections / n / "storage.sqlite").stat().st_size > 100_000
            for n in new
            if (collections / n / "storage.sqlite").exists()
        ):
            return
        time.sleep(0.05)
    raise AssertionError("the rebuild never started writing")


def test_killed_full_rebuild_leaves_the_old_index_answering(
    env: dict[str, str], tmp_path: Path
) -> None:
    corpus = tmp_path / "handbook"
    shutil.copytree(DEMO, corpus)
    assert run(["index", str(corpus)], env).returncode == 0
    data = Path(env["WIKIBOT_DATA_DIR"])
    old = {p.name for p in (data / "qdrant" / "collection").iterdir()}
    # make the rebuild long enough to be killed midway
    for i in range(150):
        (corpus / f"extra-{i}.md").write_text(
            f"# Extra {i}\n\n" + "Filler text about nothing. " * 150
        )
    proc = subprocess.Popen(
        [*wikibot_command(), "index", str(corpus), "--full"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_new_collection(data, old)
        second = run(["index", str(corpus)], env)  # concurrent run: refused clearly
        assert second.returncode == 1 and "another index run is in progress (pid" in second.stderr
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    answer = json.loads(
        run(["ask", "How many vacation days do I get per year?", "--json"], env).stdout
    )
    assert answer["answered"] and answer["citations"][0]["source"] == "time-off/vacation.md"
    # the next run drops the unfinished collection and completes
    for extra in corpus.glob("extra-*.md"):
        extra.unlink()
    again = run(["index", str(corpus)], env)
    assert again.returncode == 0 and "24 unchanged" in again.stdout
    assert {p.name for p in (data / "qdrant" / "collection").iterdir()} == old


def test_18f_handbook_acceptance(env: dict[str, str], corpora: Path) -> None:
    corpus = corpora / "18f-handbook"
    indexed = run(["index", str(corpus)], env, timeout=900)
    assert indexed.returncode == 0, indexed.stderr
    asked = run(
        ["ask", "How many hours of annual leave do new employees earn per pay period?", "--json"],
        env,
    )
    answer = json.loads(asked.stdout)
    assert answer["answered"]
    sources = [c["source"] for c in answer["citations"]]
    assert "pages/travel-and-leave/leave.md" in sources
    assert all((corpus / s).is_file() for s in sources)  # relative to the indexed folder
    assert "4 hours per pay period" in answer["answer"]
    # the evaluation gate passes on the dev set (a broken index fails it:
    # tests/integration/test_learning_loop.py)
    gate = ["eval", str(corpus / "qa.jsonl"), "--min-hit", "0.9", "--min-decline", "1.0"]
    gated = run(gate, env)
    assert gated.returncode == 0, gated.stdout + gated.stderr


def test_index_with_redis_takes_the_shared_reindex_lock(env: dict[str, str], redis_server) -> None:  # type: ignore[no-untyped-def]
    import redis

    env = {**env, "REDIS_URL": redis_server.url}
    client = redis.Redis.from_url(redis_server.url)
    client.set(
        "wikibot:lock:reindex",
        json.dumps({"holder": "carol@cron", "started_at": 1_790_000_000, "token": "t"}),
    )
    refused = run(["index", str(DEMO)], env)
    assert refused.returncode == 1
    assert "a reindex is already running, started by carol@cron at 2026-" in refused.stderr
    client.delete("wikibot:lock:reindex")
    done = run(["index", str(DEMO)], env)
    assert done.returncode == 0 and "24 new" in done.stdout
    assert client.get("wikibot:lock:reindex") is None  # released
    redis_server.stop()
    down = run(["index", str(DEMO)], env)
    assert down.returncode == 1 and "Redis is unavailable" in down.stderr


def test_a_bad_rules_file_or_a_bad_link_fails_only_its_own_part(
    env: dict[str, str], tmp_path: Path
) -> None:
    """Issue 16, finding 7: one malformed .wikibot-acl.yaml aborted the whole run, one
    symlink the whole folder; now each is its own failure and the rest is indexed."""
    good, bad = tmp_path / "wiki", tmp_path / "hr"
    good.mkdir()
    bad.mkdir()
    (good / "lunch.md").write_text("# Lunch\n\nTeam lunch is on Thursdays at noon.\n")
    (good / "passwd.md").symlink_to("/etc/passwd")
    (good / "zebra.md").write_text("# Zebra crossing\n\nThe office has a zebra crossing.\n")
    (bad / ".wikibot-acl.yaml").write_text("rules:\n  - pth: 'x'\n")
    (bad / "salaries.md").write_text("# Salaries\n\nSecret salary bands.\n")
    done = run(["index", str(good), str(bad)], env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "wiki (full listing): 2 documents: 2 new" in done.stdout, done.stdout
    assert "hr: FAILED" in done.stdout and "wikibot-acl.yaml" in done.stdout
    assert "passwd.md: a symbolic link" in done.stderr
    asked = run(["ask", "When is team lunch?", "--json"], env)
    assert json.loads(asked.stdout)["citations"][0]["source"] == "lunch.md"
    secret = run(["ask", "What are the salary bands?", "--json"], env)
    assert "Secret salary" not in secret.stdout


def test_eval_fit_writes_a_model_that_ask_then_uses(env: dict[str, str], tmp_path: Path) -> None:
    assert run(["index", str(DEMO)], env).returncode == 0
    rows = [
        ("How many vacation days do I get per year?", ["time-off/vacation.md"]),
        ("When do I need a doctor's note for sick leave?", ["time-off/sick-leave.md"]),
        ("What is the hotel limit per night when travelling?", ["expenses/business-travel.md"]),
        ("How long is parental leave?", ["time-off/parental-leave.md"]),
        ("Can I carry over unused vacation days?", ["time-off/vacation.md"]),
        ("How do I reset my password?", ["it/passwords-and-mfa.md"]),
        ("Does the company offer pet insurance?", []),
        ("Is there a company yacht for weekend trips?", []),
    ]
    qa = tmp_path / "qa.jsonl"
    qa.write_text(
        "".join(
            json.dumps({"question": q, "sources": s, "answerable": bool(s)}) + "\n" for q, s in rows
        )
    )
    few = tmp_path / "few.jsonl"
    few.write_text(qa.read_text().splitlines()[0] + "\n")
    refused = run(["eval", str(few), "--fit"], env)
    assert refused.returncode == 2 and "at least 5 answerable" in refused.stderr
    fitted = run(["eval", str(qa), "--fit"], env)
    assert fitted.returncode == 0, fitted.stderr
    model = Path(env["WIKIBOT_DATA_DIR"]) / "decision_model.json"
    assert json.loads(model.read_text())["fitted_on"] == [str(qa)]
    asked = json.loads(
        run(["ask", "How many vacation days do I get per year?", "--json"], env).stdout
    )
    assert asked["answered"] and 0.0 <= asked["answerable_p"] <= 1.0
    model.write_text("{broken")
    broken = run(["ask", "How many vacation days do I get per year?", "--json"], env)
    assert broken.returncode != 0 and "decision model" in broken.stderr
