"""The answer sequence (bot/surface.py), the pipeline and the composition root with fakes:
a recording engine and surface, in-process state (no model, no Redis, no HTTP)."""

from __future__ import annotations

import builtins
import json
from pathlib import Path
from typing import Any

import pytest

from bot import messages
from bot.app import App, build_app
from bot.config import load_settings
from bot.models import Answer, ChatEvent, Citation
from bot.personal import PersonalReply
from bot.surface import respond
from tests.support.fakes import RecordingEngine, RecordingSurface

ANSWER = Answer(
    question="q",
    text="Full-time employees get 25 days of paid vacation per year. [1]",
    answered=True,
    citations=[Citation(n=1, title="Vacation", source="vacation.md", doc_id="vacation")],
)


def _app(data: Path, engine: RecordingEngine, **limits: Any) -> App:
    settings = load_settings(data_dir=data, limits=limits or {"user_per_window": 100})
    return build_app(settings, engine=engine)


def _event(text: str = "How many vacation days?", **extra: Any) -> ChatEvent:
    fields: dict[str, Any] = dict(
        platform="slack", workspace="T1", channel="C1", thread="t1", user="U1", text=text
    )
    fields.update(event_id=extra.pop("event_id", text), **extra)
    return ChatEvent(**fields)


async def test_an_answer_goes_through_the_surface_and_into_the_question_log(
    clean_env: Path,
) -> None:
    engine = RecordingEngine(ANSWER)
    app = _app(clean_env, engine)
    surface = RecordingSurface()
    await respond(app.pipeline, _event(), surface)
    assert surface.kinds() == ["started", "finish"]
    answer, feedback_id = surface.calls[1][1]
    assert answer.citations[0].doc_id == "vacation" and feedback_id
    [entry] = await app.state.question_log.entries()
    assert entry["kind"] == "answer" and entry["id"] == feedback_id
    assert entry["question"] == "How many vacation days?" and entry["user"] != "U1"  # hashed
    assert (
        await app.pipeline.vote("slack", feedback_id, "U2", up=True) == messages.THANKS_FOR_FEEDBACK
    )
    assert (
        await app.pipeline.vote("slack", "no-such-id", "U2", up=False) == messages.TOO_OLD_TO_RATE
    )
    await app.close()


async def test_a_rate_limited_asker_gets_one_sentence_and_no_search(clean_env: Path) -> None:
    engine = RecordingEngine(ANSWER)
    app = _app(clean_env, engine, user_per_window=1)
    first, second = RecordingSurface(), RecordingSurface()
    await respond(app.pipeline, _event("one?"), first)
    await respond(app.pipeline, _event("two?"), second)
    assert first.kinds() == ["started", "finish"]
    assert second.kinds() == ["say"] and "try again" in second.calls[0][1]
    assert [q for q, _ in engine.questions] == ["one?"]
    await app.close()


async def test_a_redelivered_event_is_answered_once(clean_env: Path) -> None:
    engine = RecordingEngine(ANSWER)
    app = _app(clean_env, engine)
    surfaces = [RecordingSurface(), RecordingSurface()]
    for surface in surfaces:
        await respond(app.pipeline, _event(event_id="Ev1"), surface)
    assert surfaces[0].kinds() == ["started", "finish"] and surfaces[1].calls == []
    assert len(engine.questions) == 1
    await app.close()


async def test_a_failing_engine_apologises_in_place_and_logs_nothing(
    clean_env: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = _app(clean_env, RecordingEngine(error=KeyError("secret text")))
    surface = RecordingSurface()
    await respond(app.pipeline, _event(), surface)
    assert surface.kinds() == ["started", "failed"]
    assert surface.calls[1][1] == "unexpected error (KeyError); see the log for details"
    assert await app.state.question_log.entries() == []
    assert "unexpected error" in surface.calls[1][1] and "secret text" not in surface.calls[1][1]
    assert any(r.exc_info for r in caplog.records)  # the traceback is in the log
    await app.close()


class _FakeHR:
    async def lookup(self, platform: str, user: str, fields: list[str], identity: Any) -> Any:
        return PersonalReply(
            private="You have 12 vacation days left.", policy_query="", outcome="found"
        )


@pytest.mark.parametrize("private_ok", [True, False])
async def test_own_figures_asked_in_a_channel_go_privately(
    clean_env: Path, private_ok: bool
) -> None:
    settings = load_settings(data_dir=clean_env)
    app = build_app(settings, engine=RecordingEngine(ANSWER), personal=_FakeHR())  # type: ignore[arg-type]
    surface = RecordingSurface(private_ok=private_ok)
    await respond(app.pipeline, _event("How many vacation days do I have left?"), surface)
    finished = surface.calls[1][1][0]
    assert "12" not in finished.text  # never in the channel
    assert ("private", "You have 12 vacation days left.") in surface.calls
    if not private_ok:
        assert surface.calls[-1] == ("say", messages.COULD_NOT_REACH_PRIVATELY)
    assert await app.state.question_log.entries() == []  # personal answers are not logged
    await app.close()


async def test_serve_uses_the_apps_pipeline(clean_env: Path) -> None:
    from bot.serve.web import PIPELINE_KEY, build_web_app

    app = _app(clean_env, RecordingEngine(ANSWER))
    web_app = build_web_app(app)
    assert web_app[PIPELINE_KEY] is app.pipeline
    await app.close()


def test_ask_and_chat_are_built_by_build_app_and_use_its_pipeline(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import bot.cli.main as cli

    engine = RecordingEngine(ANSWER)
    built: list[App] = []

    def build(settings: Any, **parts: Any) -> App:
        built.append(build_app(settings, engine=engine, **parts))
        return built[-1]

    monkeypatch.setattr(cli, "build_app", build)
    assert cli.main(["ask", "How many vacation days?", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["answered"] and printed["citations"][0]["source"] == "vacation.md"
    lines = iter(["How about sick days?", "exit"])
    monkeypatch.setattr(builtins, "input", lambda prompt="": next(lines))
    assert cli.main(["chat"]) == 0
    assert "25 days" in capsys.readouterr().out
    assert len(built) == 2 and [q for q, _ in engine.questions] == [
        "How many vacation days?",
        "How about sick days?",
    ]


class _HRByEmail:
    async def lookup(self, platform: str, user: str, fields: list[str], identity: Any) -> Any:
        email = await identity.email_of(user)
        private = "You have 3 vacation days left." if email == "bob@example.com" else "no record"
        return PersonalReply(private=private, policy_query="", outcome="found")


async def test_ask_as_a_user_given_by_email_gets_their_own_figure(clean_env: Path) -> None:
    from bot.terminal.ask import collect_answer

    hr: Any = _HRByEmail()
    app = build_app(load_settings(data_dir=clean_env), engine=RecordingEngine(ANSWER), personal=hr)
    reply = await collect_answer(app, "How many vacation days do I have left?", "bob@example.com")
    assert reply.answer is not None and "3 vacation days" in reply.answer.text
    anonymous = await collect_answer(app, "How many vacation days do I have left?", None)
    assert anonymous.answer is not None and "3 vacation days" not in anonymous.answer.text
    await app.close()
