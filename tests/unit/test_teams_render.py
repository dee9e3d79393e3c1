from __future__ import annotations

import json

from botbuilder.schema import Activity

from bot.models import Answer, Citation
from bot.teams.activity import is_command, strip_mentions
from bot.teams.render import TEAMS_MESSAGE_BYTES, teams_answer_messages, teams_source_line


def test_source_line_is_a_safe_markdown_link_with_date() -> None:
    c = Citation(
        n=2,
        title="Leave [draft]",
        source="leave.md",
        url="https://wiki/a b(c)",
        section="Policy > Carry-over",
        updated_at="2026-10-01T10:00:00",
    )
    line = teams_source_line(c)
    assert (
        line
        == "[2] [Leave \\[draft\\] › Carry-over](https://wiki/a%20b%28c%29) · updated 2026-10-01"
    )


def test_not_sure_lists_related_pages_and_buttons_carry_the_id() -> None:
    from bot import messages

    related = [
        Citation(n=1, title="Expenses", source="a.md", url="https://wiki/a", section="Receipts"),
        Citation(n=2, title="Travel", source="t.md"),
    ]
    answer = Answer(question="q", text=messages.NOT_SURE, answered=False, related=related)
    [message] = teams_answer_messages(answer, feedback_id="fb1")
    card = message["attachments"][0]["content"]
    texts = [b["text"] for b in card["body"]]
    assert texts == [
        messages.NOT_SURE,
        "[1] [Expenses › Receipts](https://wiki/a)",
        "[2] Travel (t.md)",
    ]
    assert [a["data"] for a in card["actions"]] == [
        {"wikibot_feedback": "fb1", "vote": "up"},
        {"wikibot_feedback": "fb1", "vote": "down"},
    ]
    Activity.deserialize(message)  # a valid Activity for the SDK


def test_nothing_related_is_the_plain_decline() -> None:
    from bot import messages

    answer = Answer(question="q", text=messages.NOT_IN_DOCUMENTS, answered=False)
    [message] = teams_answer_messages(answer)
    texts = [b["text"] for b in message["attachments"][0]["content"]["body"]]
    assert texts == [messages.NOT_IN_DOCUMENTS]


def test_split_messages_stay_under_the_limit_and_keep_everything() -> None:
    text = "word " * 30000
    messages = teams_answer_messages(
        Answer(question="q", text=text, answered=True), feedback_id="x"
    )
    assert len(messages) > 1
    assert all(
        len(json.dumps(m, ensure_ascii=False).encode()) <= TEAMS_MESSAGE_BYTES for m in messages
    )
    shown = "".join(b["text"] for m in messages for b in m["attachments"][0]["content"]["body"])
    assert shown.count("word") == 30000
    assert "actions" in messages[-1]["attachments"][0]["content"]  # buttons once, at the end
    assert all("actions" not in m["attachments"][0]["content"] for m in messages[:-1])


def test_commands_are_recognised_only_when_they_are_commands() -> None:
    assert is_command(["help"]) and is_command(["reindex", "handbook", "--full"])
    assert not is_command(["help", "me", "with", "expenses"])
    assert not is_command(["status", "of", "my", "claim"])
    assert not is_command([])


def test_only_the_bots_mention_is_removed() -> None:
    activity = Activity.deserialize(
        {
            "type": "message",
            "text": "<at>wikibot</at> ask <at>Bob Jones</at> about leave",
            "recipient": {"id": "28:bot"},
            "entities": [
                {"type": "mention", "text": "<at>wikibot</at>", "mentioned": {"id": "28:bot"}},
                {"type": "mention", "text": "<at>Bob Jones</at>", "mentioned": {"id": "29:bob"}},
            ],
        }
    )
    assert strip_mentions(activity) == "ask Bob Jones about leave"


def test_an_answer_shows_its_see_also_pages_after_the_sources() -> None:
    cited = [Citation(n=1, title="Leave", source="l.md", url="https://wiki/l")]
    also = [Citation(n=2, title="Holidays", source="h.md", url="https://wiki/h")]
    answer = Answer(question="q", text="> q [1]", answered=True, citations=cited, related=also)
    [message] = teams_answer_messages(answer)
    texts = [b["text"] for b in message["attachments"][0]["content"]["body"]]
    assert texts[1:] == [
        "Sources",
        "[1] [Leave](https://wiki/l)",
        "See also",
        "[2] [Holidays](https://wiki/h)",
    ]
    Activity.deserialize(message)


def test_a_heading_never_ends_a_card_without_its_first_line() -> None:
    cited = [Citation(n=1, title="Leave", source="l.md", url="https://wiki/l")]
    also = [Citation(n=2, title="Holidays", source="h.md", url="https://wiki/h")]
    orphaned = []
    for length in range(TEAMS_MESSAGE_BYTES - 1500, TEAMS_MESSAGE_BYTES + 200, 5):
        answer = Answer(
            question="q", text="x" * length, answered=True, citations=cited, related=also
        )
        for message in teams_answer_messages(answer, feedback_id="f"):
            body = message["attachments"][0]["content"]["body"]
            if body[-1].get("weight") == "Bolder":
                orphaned.append((length, body[-1]["text"]))
    assert orphaned == []
