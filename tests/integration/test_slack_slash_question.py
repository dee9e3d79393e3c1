"""`/wikibot QUESTION` over real HTTP: signed slash commands into the app, replies recorded by
the Slack stand-in's response_url."""

from __future__ import annotations

from tests.support.slack_bot import Bot


async def _replies(bot: Bot, count: int) -> list[dict]:
    return await bot.api.wait_for("response_url", count, timeout=60)


async def test_a_question_after_the_command_is_answered_privately(bot: Bot) -> None:
    assert await bot.command("how many vacation days do I get per year?", "UALICE", "q1") == 200
    (reply,) = await _replies(bot, 1)
    assert reply["response_type"] == "ephemeral"
    assert "25" in reply["text"] or "25" in str(reply.get("blocks"))
    assert "vacation" in str(reply["blocks"]).lower()
    assert any(b.get("type") == "actions" for b in reply["blocks"])  # 👍/👎 too
    assert not bot.api.of("chat.postMessage")  # nothing in the channel itself


async def test_ask_public_answers_for_the_channel_and_words_stay_commands(bot: Bot) -> None:
    assert await bot.command("ask-public what is the hotel limit?", "UALICE", "q2") == 200
    (public,) = await _replies(bot, 1)
    assert public["response_type"] == "in_channel" and "220" in str(public["blocks"])

    assert await bot.command("help", "UALICE", "q3") == 200
    replies = await _replies(bot, 2)
    assert "`/wikibot QUESTION`" in replies[-1]["text"]
    assert "Unknown command" not in replies[-1]["text"]


async def test_slash_questions_keep_each_askers_memory_apart(bot: Bot) -> None:
    assert await bot.command("how many vacation days do I get per year?", "UALICE", "m1") == 200
    await _replies(bot, 1)
    # Bob's follow-up in the same channel must not be read as a follow-up to Alice's question
    assert await bot.command("and how do I request them?", "UBOB", "m2") == 200
    await _replies(bot, 2)
    memory = bot.components.state.memory
    from bot.state.memory import ConversationKey

    bob = ConversationKey("slack", "T1", "C1", "slash:UBOB")
    history = await memory.history(bob)
    assert len(history) == 1 and "vacation days" not in history[0].question
