"""deploy/.env.example: every setting a deployment typically sets, commented out, in a form
wikibot accepts (uncommented, it loads), with placeholders instead of secrets."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import load_settings
from tests.support.commands import REPO

EXAMPLE = REPO / "deploy" / ".env.example"
SETTING = re.compile(r"^# ([A-Z][A-Z0-9_]*)=(.+)$")


def _settings() -> dict[str, str]:
    return {
        m.group(1): m.group(2)
        for line in EXAMPLE.read_text().splitlines()
        if (m := SETTING.match(line))
    }


def test_nothing_is_set_until_uncommented_and_secrets_are_placeholders() -> None:
    for line in EXAMPLE.read_text().splitlines():
        assert not line.strip() or line.startswith("#"), line
    secrets = {
        k: v for k, v in _settings().items() if re.search("TOKEN|SECRET|PASSWORD|KEY|SALT", k)
    }
    assert len(secrets) >= 8
    for name, value in secrets.items():
        assert "your" in value or "random" in value, (name, value)


def test_uncommented_it_loads(clean_env: Path) -> None:
    Path(".env").write_text("".join(f"{k}={v}\n" for k, v in _settings().items()))
    settings = load_settings()
    assert settings.slack.admins == ["U012ABC"]
    assert settings.teams.admins == ["22222222-2222-2222-2222-222222222222"]
    assert settings.sync_interval_s == 900 and settings.server.production
    assert settings.llm.enabled and settings.redis.url == "redis://redis:6379/0"


def test_it_covers_the_readme_configuration_table() -> None:
    readme = (REPO / "README.md").read_text()
    table = readme.split("\n## Configuration", 1)[1].split("\n## ", 1)[0]
    named = set(
        re.findall(r"`((?:WIKIBOT|SLACK|MICROSOFT|OPENAI|REDIS|QDRANT)_[A-Z0-9_]+)`", table)
    )
    assert named - {"WIKIBOT_DATA_DIR"} <= set(_settings()), named - set(_settings())
