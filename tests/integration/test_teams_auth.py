"""Teams authentication over real HTTP: tokens signed by a stand-in key endpoint, bad and
missing tokens, a slow key endpoint, junk bodies."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from bot.app import build_app
from bot.config import load_settings
from bot.errors import ConfigurationError
from bot.serve.web import build_web_app
from tests.support.teams_auth import SigningKeys, running_keys
from tests.support.teams_bot import (
    QUESTION,
    start_bot,
    stop_bot,
)


async def _start_with_app_id(tmp_path, indexed_template, embedder, redis_server, keys):  # type: ignore[no-untyped-def]
    """A bot with a real app id: activities must carry a token signed by ``keys``."""
    return await start_bot(
        tmp_path,
        indexed_template,
        embedder,
        redis_server.url,
        app_id="app-123",
        app_password="not-a-real-secret",
        tenant_id="tenant-1",
        openid_metadata_url=keys.url,
    )


@pytest.fixture
def keys() -> Iterator[SigningKeys]:
    with running_keys() as signing_keys:
        yield signing_keys


@pytest.mark.parametrize("case", ["none", "malformed", "unknown-key", "unknown-kid", "wrong-app"])
async def test_with_an_app_id_bad_tokens_get_401_and_no_reply(
    case: str, keys: SigningKeys, indexed_template, tmp_path, clean_env, embedder, redis_server
) -> None:  # type: ignore[no-untyped-def]
    bot, runner = await _start_with_app_id(tmp_path, indexed_template, embedder, redis_server, keys)
    try:
        url = bot.connector.url
        token = {
            "none": None,
            "malformed": "not.a.jwt",
            "unknown-key": keys.token(app_id="app-123", service_url=url, known=False),
            "unknown-kid": keys.token(app_id="app-123", service_url=url, kid="other"),
            "wrong-app": keys.token(app_id="someone-else", service_url=url),
        }[case]
        assert await bot.post(bot.activity(QUESTION, id=f"auth-{case}"), token) == 401
        # the same activity with a good token is accepted: the 401s are about the tokens
        good = keys.token(app_id="app-123", service_url=url)
        assert await bot.post(bot.activity(QUESTION, id=f"good-{case}", kind="group"), good) == 201
        await asyncio.sleep(0.5)
        assert not [
            s for s in bot.connector.sent if s["activity"].get("replyToId") == f"auth-{case}"
        ]
    finally:
        await stop_bot(bot, runner)


async def test_without_an_app_id_nothing_is_processed(
    indexed_template, tmp_path, clean_env, embedder, redis_server
) -> None:  # type: ignore[no-untyped-def]
    bot, runner = await start_bot(tmp_path, indexed_template, embedder, redis_server.url)
    try:
        assert await bot.post(bot.activity(QUESTION, id="n1")) == 401
        await asyncio.sleep(0.5)
        assert bot.connector.sent == []
    finally:
        await stop_bot(bot, runner)
    settings = load_settings(data_dir=tmp_path / "other", teams={"enabled": True})
    with pytest.raises(ConfigurationError, match="MICROSOFT_APP_ID"):
        build_web_app(build_app(settings))


async def test_a_slow_key_endpoint_never_freezes_the_server(
    keys: SigningKeys, indexed_template, tmp_path, clean_env, embedder, redis_server
) -> None:  # type: ignore[no-untyped-def]
    """Issue 16, finding 6: the SDK fetched keys with blocking requests inside the event
    loop, without a timeout, refetching after each failure: one forged request froze every
    other request for ~20 s. Now: fetched off-loop, bounded, backing off after a failure."""
    keys.delay_s = 20.0
    bot, runner = await start_bot(
        tmp_path,
        indexed_template,
        embedder,
        redis_server.url,
        app_id="app-slowkeys",
        app_password="not-a-real-secret",
        tenant_id="tenant-1",
        openid_metadata_url=keys.url.replace("/v1/", "/slow/v1/"),
    )
    try:
        forged = keys.token(app_id="app-slowkeys", service_url=bot.connector.url, known=False)
        teams = asyncio.create_task(bot.post(bot.activity(QUESTION, id="slow1"), forged))
        await asyncio.sleep(0.3)  # the key fetch is under way
        latencies = []
        for _ in range(5):
            started = time.monotonic()
            async with bot.session.get(f"{bot.url}/healthz") as response:
                assert response.status == 200
            latencies.append(time.monotonic() - started)
            await asyncio.sleep(0.2)
        assert max(latencies) < 2.0, latencies  # the loop kept serving (was ~20 s)
        assert await asyncio.wait_for(teams, 30) == 401  # refused once the fetch timed out
        fetches = keys.requests
        started = time.monotonic()  # backing off: refused at once, no new fetch
        assert await bot.post(bot.activity(QUESTION, id="slow2"), forged) == 401
        assert time.monotonic() - started < 2.0 and keys.requests == fetches
    finally:
        keys.delay_s = 0.0
        await stop_bot(bot, runner)


async def test_junk_bodies_and_tokens_without_expiry_are_refused(
    keys: SigningKeys, indexed_template, tmp_path, clean_env, embedder, redis_server
) -> None:  # type: ignore[no-untyped-def]
    """Issue 16, finding 11 (Teams): a `null` body gave a 500 before authentication; a token
    without `exp` was accepted."""
    bot, runner = await _start_with_app_id(tmp_path, indexed_template, embedder, redis_server, keys)
    try:
        url = f"{bot.url}/api/messages"
        for body in (b"null", b"[]", b'"x"', b"{not json", b"\xff\xfe", b"[" * 50_000, b"{}"):
            headers = {"Content-Type": "application/json"}
            async with bot.session.post(url, data=body, headers=headers) as response:
                assert response.status in (400, 401), (body[:10], response.status)
        forever = keys.token(app_id="app-123", service_url=bot.connector.url, expires=False)
        assert await bot.post(bot.activity(QUESTION, id="noexp"), forever) == 401
        good = keys.token(app_id="app-123", service_url=bot.connector.url)
        assert await bot.post(bot.activity(QUESTION, id="withexp", kind="group"), good) == 201
    finally:
        await stop_bot(bot, runner)
