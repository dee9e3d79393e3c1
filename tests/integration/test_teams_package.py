"""`wikibot teams-package` writes an app package Teams accepts: manifest 1.17 checked field by
field against the schema's rules (required fields, lengths, formats) and Teams' icon sizes."""

from __future__ import annotations

import json
import re
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.support.commands import clean_command_env, wikibot_command

pytestmark = pytest.mark.slow
APP_ID = "8a3c2f9e-1b2d-4c5e-9f00-123456789abc"
GUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*wikibot_command(), *args], env=env, capture_output=True, text=True, timeout=120
    )


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_package_meets_the_manifest_schema_rules(tmp_path: Path) -> None:
    env = clean_command_env(tmp_path, MICROSOFT_APP_ID=APP_ID)
    out = tmp_path / "wikibot-teams.zip"
    done = run(
        ["teams-package", "--out", str(out), "--company", "Acme", "--domain", "bot.acme.example",
         "--privacy-url", "https://intranet.acme.example/it/privacy",
         "--terms-url", "https://intranet.acme.example/it/terms"],
        env,
    )
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        m = json.loads(package.read("manifest.json"))
        assert _png_size(package.read("color.png")) == (192, 192)
        assert _png_size(package.read("outline.png")) == (32, 32)
    required = {"manifestVersion", "version", "id", "developer", "name", "description",
                "icons", "accentColor"}
    assert required <= set(m)
    assert m["manifestVersion"] == "1.17" and "v1.17" in m["$schema"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", m["version"])
    assert GUID.match(m["id"]) and m["id"] == APP_ID
    developer = m["developer"]
    assert developer["name"] == "Acme"
    assert developer["websiteUrl"] == "https://bot.acme.example"
    assert developer["privacyUrl"] == "https://intranet.acme.example/it/privacy"
    assert developer["termsOfUseUrl"] == "https://intranet.acme.example/it/terms"
    assert 1 <= len(m["name"]["short"]) <= 30 and len(m["name"]["full"]) <= 100
    assert 1 <= len(m["description"]["short"]) <= 80
    assert len(m["description"]["full"]) <= 4000
    assert re.fullmatch(r"#[0-9A-Fa-f]{6}", m["accentColor"])
    (bot,) = m["bots"]
    assert bot["botId"] == APP_ID
    assert set(bot["scopes"]) <= {"personal", "team", "groupChat"}
    for command_list in bot["commandLists"]:
        assert len(command_list["commands"]) <= 10
        for command in command_list["commands"]:
            assert len(command["title"]) <= 32 and len(command["description"]) <= 128
    assert m["validDomains"] == ["bot.acme.example"]
    assert "${{" not in json.dumps(m)  # nothing left to fill in by hand


def test_missing_or_malformed_app_ids_are_clear_errors(tmp_path: Path) -> None:
    missing = run(["teams-package"], clean_command_env(tmp_path))
    assert missing.returncode != 0 and "set MICROSOFT_APP_ID" in missing.stderr
    bad = run(
        ["teams-package", "--out", str(tmp_path / "x.zip"), "--domain", "https://x.example/"],
        clean_command_env(tmp_path, MICROSOFT_APP_ID="my-bot"),
    )
    assert bad.returncode != 0
    assert "a GUID (got 'my-bot')" in bad.stderr and "--domain is a host name" in bad.stderr
    assert not (tmp_path / "x.zip").exists() and "Traceback" not in bad.stderr


def test_privacy_and_terms_links_are_given_never_invented(tmp_path: Path) -> None:
    env = clean_command_env(tmp_path, MICROSOFT_APP_ID=APP_ID)
    out = tmp_path / "wikibot-teams.zip"
    # the bot's own host serves no privacy or terms page: the links must be given
    refused = run(["teams-package", "--out", str(out), "--domain", "bot.acme.example"], env)
    assert refused.returncode != 0 and not out.exists()
    assert "--privacy-url is required without --company-url" in refused.stderr
    assert "--terms-url is required without --company-url" in refused.stderr
    # a company site: its /privacy and /terms, unless a link is given
    done = run(
        ["teams-package", "--out", str(out), "--domain", "bot.acme.example",
         "--company-url", "https://www.acme.example", "--terms-url", "https://legal.acme.example/"],
        env,
    )
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(out) as package:
        developer = json.loads(package.read("manifest.json"))["developer"]
    assert developer["websiteUrl"] == "https://www.acme.example"
    assert developer["privacyUrl"] == "https://www.acme.example/privacy"
    assert developer["termsOfUseUrl"] == "https://legal.acme.example/"
