from pathlib import Path

import pytest

from bot.config import load_settings
from bot.errors import ConfigurationError


def test_defaults_need_no_environment(clean_env: Path) -> None:
    settings = load_settings()
    assert settings.qdrant.url is None
    assert settings.data_dir == clean_env
    assert settings.retrieval.mode == "hybrid"


def test_customary_names_and_nested_prefix(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QDRANT_URL", "http://qdrant:6333")
    monkeypatch.setenv("QDRANT_API_KEY", "s3cret")
    monkeypatch.setenv("WIKIBOT_RETRIEVAL__TOP_K", "9")
    settings = load_settings()
    assert settings.qdrant.url == "http://qdrant:6333"
    assert settings.qdrant.api_key is not None
    assert "s3cret" not in repr(settings)  # secrets never print
    assert settings.retrieval.top_k == 9


def test_dotenv_file_is_read(clean_env: Path) -> None:
    Path(".env").write_text("QDRANT_URL=http://from-dotenv:6333\nWIKIBOT_ANSWER__MAX_CITATIONS=2\n")
    settings = load_settings()
    assert settings.qdrant.url == "http://from-dotenv:6333"
    assert settings.answer.max_citations == 2


def test_bad_values_give_one_clear_line_each(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QDRANT_URL", "localhost:6333")
    with pytest.raises(ConfigurationError, match=r"QDRANT_URL is not a URL: 'localhost:6333'"):
        load_settings()
    monkeypatch.delenv("QDRANT_URL")
    monkeypatch.setenv("WIKIBOT_RETRIEVAL__MODE", "fuzzy")
    with pytest.raises(ConfigurationError, match="WIKIBOT_RETRIEVAL__MODE"):
        load_settings()


def test_a_base_url_without_a_model_is_a_warning_and_openai_model_enables_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("WIKIBOT_LLM__MODEL", "OPENAI_MODEL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    settings = load_settings()
    assert not settings.llm.enabled
    (warning,) = settings.warnings()
    assert "OPENAI_BASE_URL is set but no model" in warning
    monkeypatch.setenv("OPENAI_MODEL", "llama3.1:8b")
    settings = load_settings()
    assert settings.llm.enabled and settings.llm.model == "llama3.1:8b"
    assert settings.warnings() == []
