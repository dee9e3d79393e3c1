"""Personal HR answers: an HR export and a local stand-in for the HRIS API; the figure goes
to its owner only (DM, or a Slack ephemeral message), with the governing policy cited."""

from __future__ import annotations

import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, build_app
from bot.config import load_settings
from bot.models import ChatEvent
from bot.personal import NOT_FOUND, UNAVAILABLE, PersonalAnswers
from bot.pipeline import QuestionPipeline
from connectors.hr_records import FileHRRecords, HttpHRRecords
from tests.support.hr_data import EMAILS, EMPLOYEES, EXPORT, PHRASINGS
from tests.support.hris_stub import HRISStub


class Directory:
    async def email_of(self, user: str) -> str | None:
        return EMAILS.get(user)


def dm(text: str, user: str, n: int) -> ChatEvent:
    return ChatEvent(
        platform="slack",
        workspace="T1",
        channel="D1",
        user=user,
        text=text,
        event_id=f"{user}-{n}",
        is_dm=True,
    )


@pytest.fixture
def make_pipeline(indexed_template, tmp_path, clean_env, embedder) -> Any:  # type: ignore[no-untyped-def]
    made: list[App] = []

    def build(personal: PersonalAnswers) -> QuestionPipeline:
        data = tmp_path / f"data{len(made)}"
        shutil.copytree(indexed_template, data)
        settings = load_settings(data_dir=data, limits={"user_per_window": 10**6})
        parts = build_app(settings, embedder=embedder, personal=personal)
        made.append(parts)
        return parts.pipeline

    yield build
    for parts in made:
        parts.store.client.close()


@pytest.fixture
async def hris() -> AsyncIterator[HRISStub]:
    stub = HRISStub(EMPLOYEES)
    await stub.start()
    yield stub
    await stub.stop()


async def check_each_user_gets_their_own(pipeline: QuestionPipeline) -> None:
    for i, question in enumerate(PHRASINGS):
        reply = await pipeline.handle(dm(question, "UALICE", i))
        assert reply is not None and reply.answer is not None
        assert "You have 17.5 vacation days left" in reply.text, (question, reply.text)
        assert "2026-11-20" in reply.text
        assert any(c.source == "time-off/vacation.md" for c in reply.answer.citations)
    bob = await pipeline.handle(dm(PHRASINGS[0], "UBOB", 1))
    assert bob is not None and "You have 3 vacation days left" in bob.text
    assert "17.5" not in bob.text
    nobody = await pipeline.handle(dm(PHRASINGS[0], "UNEW", 1))
    assert nobody is not None and nobody.text.startswith(NOT_FOUND)
    stranger = await pipeline.handle(dm(PHRASINGS[0], "UNKNOWN", 1))  # no email at all
    assert stranger is not None and stranger.text.startswith(NOT_FOUND)


async def test_from_an_hr_export(make_pipeline: Any, tmp_path: Path) -> None:
    export = tmp_path / "hr.csv"
    export.write_text(EXPORT)
    pipeline = make_pipeline(PersonalAnswers(FileHRRecords(export)))
    await check_each_user_gets_their_own(_with_identity(pipeline))
    sick = await pipeline.answer(
        dm("How many sick days do I have?", "UALICE", 99), identity=Directory()
    )
    assert "4 sick leave days" in sick.text


async def test_from_an_hris_api_with_paging(make_pipeline: Any, hris: HRISStub) -> None:
    pipeline = make_pipeline(PersonalAnswers(HttpHRRecords(hris.url, "hris-key")))
    await check_each_user_gets_their_own(_with_identity(pipeline))
    assert any("page=2" in r for r in hris.requests)  # alice is on the second page


@pytest.mark.parametrize("trouble", ["down", "slow", "bad-key"])
async def test_hris_trouble_gives_a_clear_reply_and_documents_still_work(
    make_pipeline: Any, hris: HRISStub, trouble: str, caplog: pytest.LogCaptureFixture
) -> None:
    if trouble == "down":
        hris.fail_with = 503
    elif trouble == "slow":
        hris.delay_s = 3.0
    key = "wrong" if trouble == "bad-key" else "hris-key"
    source = HttpHRRecords(hris.url, key, timeout_s=0.5, retries=1)
    pipeline = _with_identity(make_pipeline(PersonalAnswers(source, timeout_s=1.0)))
    started = time.monotonic()
    reply = await pipeline.handle(dm(PHRASINGS[0], "UALICE", 1))
    assert reply is not None and reply.text.startswith(UNAVAILABLE)
    assert time.monotonic() - started < 5.0
    assert reply.answer is not None and reply.answer.citations  # the policy still comes
    doc = await pipeline.handle(dm("How many vacation days do I get per year?", "UALICE", 2))
    assert doc is not None and "25 days" in doc.text
    # the admin can tell why from the log, which holds no email and no figure
    assert "HR lookup failed" in caplog.text and "alice@example.com" not in caplog.text


def test_a_missing_hr_export_stops_start_up(tmp_path: Path) -> None:
    from bot.config import HRSettings
    from bot.errors import ConfigurationError
    from bot.personal import build_personal_answers

    with pytest.raises(ConfigurationError, match="WIKIBOT_HR__EXPORT_PATH"):
        build_personal_answers(HRSettings(export_path=tmp_path / "missing.csv"))


def _with_identity(pipeline: QuestionPipeline) -> QuestionPipeline:
    """handle() takes no identity: route it through answer() with the test directory."""
    original = pipeline.answer

    async def answer(event: ChatEvent, on_token: Any = None, **kw: Any) -> Any:
        return await original(event, on_token, identity=Directory())

    pipeline.answer = answer  # type: ignore[method-assign]
    return pipeline


ABOUT_OTHERS = [
    template.format(name=name)
    for name in ("alice", "Alice", "Alice Smith")
    for template in (
        "How many vacation days does {name} have left?",
        "What's {name}'s vacation balance?",
        "how much PTO has {name} got left",
        "vacation days left for {name}?",
        "How many sick days does {name} have remaining?",
        "{name}'s remaining vacation days?",
        "does {name} still have holidays left this year",
        "What is the PTO balance of {name}?",
        "How many days off has {name} taken so far?",
        "how many leave days did {name} use up",
    )
]


async def test_a_question_about_someone_else_gives_no_figure(
    make_pipeline: Any, tmp_path: Path
) -> None:
    """Issue 16, finding 12: Bob asking about Alice got Bob's own figure, uncaveated."""
    from bot.personal import OTHER_PERSON, personal_fields

    export = tmp_path / "hr.csv"
    export.write_text(EXPORT)
    pipeline = _with_identity(make_pipeline(PersonalAnswers(FileHRRecords(export))))
    assert sum(bool(personal_fields(q)) for q in ABOUT_OTHERS) >= 27
    for i, question in enumerate(ABOUT_OTHERS):
        reply = await pipeline.handle(dm(question, "UBOB", 100 + i))
        assert reply is not None and reply.answer is not None
        if personal_fields(question):  # read as a personal question: said it is not theirs
            assert reply.text.startswith(OTHER_PERSON), (question, reply.text[:120])
        for figure in ("17.5", "You have 3 vacation", "9 sick", "4 sick"):
            assert figure not in reply.text, (question, reply.text[:200])
    own = await pipeline.handle(dm("How many vacation days do I have left?", "UBOB", 999))
    assert own is not None and "You have 3 vacation days left" in own.text
