"""End to end against a real OpenAI-compatible server (llama.cpp + SmolLM2-135M).

A 135M model answers badly: these tests check the protocol and the plumbing (answers,
streaming, timeouts, the server going away), not answer quality."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.answer.llm import WRITING_STARTED
from bot.app import App, build_app
from bot.config import LLMSettings, load_settings
from connectors.folder import FolderConnector
from tests.support.commands import DEMO
from tests.support.indexing import index_now
from tests.support.llama_server import LlamaServer

pytestmark = pytest.mark.slow
QUESTION = "How many vacation days do I get per year?"


@pytest.fixture(scope="module")
def server() -> Iterator[LlamaServer]:
    llama = LlamaServer()
    llama.start()
    yield llama
    llama.stop()


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:  # type: ignore[no-untyped-def]
    data = tmp_path_factory.mktemp("llama") / "data"
    parts = build_app(load_settings(data_dir=data), embedder=embedder)
    index_now(parts, [FolderConnector(DEMO)])
    parts.store.client.close()
    return data


@pytest.fixture
def parts(data: Path, server: LlamaServer, embedder, request) -> Iterator[App]:  # type: ignore[no-untyped-def]
    overrides = getattr(request, "param", {})
    options = {"timeout_s": 120.0, "max_tokens": 48, **overrides}
    llm = LLMSettings(model="smollm2", base_url=server.url, **options)
    built = build_app(load_settings(data_dir=data, llm=llm), embedder=embedder)
    yield built
    built.store.client.close()


def _valid_citations_only(text: str, numbers: set[int]) -> bool:
    return {int(n) for n in re.findall(r"\[(\d+)\]", text)} <= numbers


def test_non_streaming_answer_goes_through_the_llm(parts: App) -> None:
    answer = parts.engine.ask(QUESTION)
    assert answer.writer == "llm" and answer.timings_ms["llm"] > 0
    assert _valid_citations_only(answer.text, {c.n for c in answer.citations})
    assert answer.answered == bool(answer.citations)


def test_streamed_answer_arrives_token_by_token(parts: App) -> None:
    tokens: list[str] = []
    answer = parts.engine.ask(QUESTION, on_token=tokens.append)
    assert answer.writer == "llm"
    assert tokens[0] == WRITING_STARTED  # once, before the first token: the LLM is writing
    assert len(tokens) >= 3 and all(tokens[1:])


@pytest.mark.parametrize("parts", [{"timeout_s": 0.01, "max_retries": 0}], indirect=True)
def test_timeout_falls_back_to_the_extractive_answer(parts: App) -> None:
    answer = parts.engine.ask(QUESTION)
    assert answer.writer == "extractive-fallback"
    assert answer.answered and "time-off/vacation.md" in [c.source for c in answer.citations]


def test_server_down_falls_back_to_the_extractive_answer(parts: App, server: LlamaServer) -> None:
    parts.settings.llm.max_retries = 0
    server.stop()
    try:
        answer = parts.engine.ask(QUESTION)
        assert answer.writer == "extractive-fallback" and answer.citations
    finally:
        server.start()
