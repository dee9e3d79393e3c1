"""Issue 16, finding 9: at WIKIBOT_LOG_LEVEL=DEBUG the openai SDK logged whole prompts
(document text, HR figures); SDK loggers that carry bodies are capped at WARNING whatever the
level. And the follow-up condense prompt never carries the asker's own HR figures."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.answer.prompts import PERSONAL_PLACEHOLDER, condense_messages
from bot.log_privacy import cap_sdk_loggers
from bot.models import Turn
from tests.support.commands import clean_command_env as _env
from tests.support.commands import wikibot_command
from tests.support.stub_llm import running_stub


@pytest.mark.slow
def test_debug_logs_carry_no_prompt_or_document_text(
    indexed_template: Path, tmp_path: Path
) -> None:
    shutil.copytree(indexed_template, tmp_path / "data")
    with running_stub() as stub:
        stub.behaviour = lambda messages: "You get 25 days of paid vacation per year [1]."
        env = _env(
            tmp_path,
            WIKIBOT_LLM__MODEL="stub",
            OPENAI_BASE_URL=stub.url,
            OPENAI_API_KEY="sk-secret-key-value",
            WIKIBOT_LOG_LEVEL="DEBUG",
            OPENAI_LOG="debug",  # the SDK's own switch: still capped
        )
        done = subprocess.run(
            [*wikibot_command(), "ask", "How many vacation days do I get per year?", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        prompt = json.dumps(stub.requests[0]["messages"])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["writer"] == "llm"
    sources = stub.requests[0]["messages"][-1]["content"]
    assert "<source" in sources and "<source" not in done.stderr
    assert "How many vacation days" not in done.stderr  # neither the question
    assert "sk-secret-key-value" not in done.stderr
    assert "openai" not in done.stderr.lower() or "json_data" not in done.stderr
    assert prompt[:60] not in done.stderr


def test_sdk_records_below_warning_are_dropped_even_if_the_sdk_lowers_its_level(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    root = logging.getLogger()
    handler = logging.StreamHandler()
    root.addHandler(handler)
    try:
        cap_sdk_loggers()
        logging.getLogger("openai").setLevel(logging.DEBUG)  # what OPENAI_LOG=debug does
        seen: list[str] = []
        handler.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
        logging.getLogger("openai._base_client").debug("Request options: prompt text")
        logging.getLogger("httpx").info("HTTP Request: POST https://x/v1 body")
        logging.getLogger("openai").warning("a real problem")
        logging.getLogger("wikibot").debug("our own debug line")
        assert seen == ["a real problem", "our own debug line"]
    finally:
        root.removeHandler(handler)


def test_the_condense_prompt_never_carries_personal_figures() -> None:
    history = [
        Turn(
            user="U1",
            question="How many vacation days do I have left?",
            answer="You have 17.5 vacation days left (as of 2026-11-20).",
            personal=True,
        ),
        Turn(user="U1", question="Do they roll over?", answer="Up to 5 days roll over [1]."),
    ]
    text = json.dumps(condense_messages("and for part-timers?", history))
    assert "17.5" not in text and PERSONAL_PLACEHOLDER in text
    assert "Up to 5 days roll over" in text  # document answers still give the context
