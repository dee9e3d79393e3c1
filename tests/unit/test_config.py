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


def test_a_list_not_written_as_json_names_the_variable_and_the_form(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for given in ("U012ABC", "U012ABC,U034DEF"):
        monkeypatch.setenv("WIKIBOT_SLACK__ADMINS", given)
        with pytest.raises(ConfigurationError) as caught:
            load_settings()
        (line,) = str(caught.value).splitlines()[1:]
        assert line.strip() == (
            f'WIKIBOT_SLACK__ADMINS: expected a JSON list such as ["U012ABC"] (got {given!r})'
        )
    monkeypatch.delenv("WIKIBOT_SLACK__ADMINS")
    monkeypatch.setenv("WIKIBOT_SOURCES", "./handbook")
    with pytest.raises(ConfigurationError, match=r"WIKIBOT_SOURCES: expected a JSON list such"):
        load_settings()
    monkeypatch.setenv("WIKIBOT_SOURCES", '["./handbook"]')
    monkeypatch.setenv("WIKIBOT_SLACK", "admins")
    with pytest.raises(ConfigurationError, match=r"WIKIBOT_SLACK: expected a JSON object"):
        load_settings()


def test_a_json_list_in_literal_quotes_as_docker_env_file_passes_it(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `docker run --env-file` keeps the quotes a shell would have removed
    monkeypatch.setenv("WIKIBOT_SLACK__ADMINS", """'["U012ABC", "U034DEF"]'""")
    monkeypatch.setenv("WIKIBOT_TEAMS__ADMINS", '"["00000000-0000-0000-0000-000000000001"]"')
    settings = load_settings()
    assert settings.slack.admins == ["U012ABC", "U034DEF"]
    assert settings.teams.admins == ["00000000-0000-0000-0000-000000000001"]


def test_the_dotenv_file_is_decoded_the_same_way(clean_env: Path) -> None:
    Path(".env").write_text("WIKIBOT_LIMITS__ADMINS=U012ABC\n")
    with pytest.raises(ConfigurationError, match=r"WIKIBOT_LIMITS__ADMINS: expected a JSON list"):
        load_settings()
    Path(".env").write_text("""WIKIBOT_LIMITS__ADMINS='["U012ABC"]'\n""")
    assert load_settings().limits.admins == ["U012ABC"]


def test_a_wrong_item_is_named_by_its_position(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIKIBOT_SLACK__ADMINS", '["U012ABC", 7]')
    with pytest.raises(ConfigurationError, match=r"WIKIBOT_SLACK__ADMINS: item 2: .*string"):
        load_settings()
