"""Block Kit rendering: escaping, links, "not sure" and declined answers, splitting within
Slack's limits."""

from __future__ import annotations

from bot import messages
from bot.models import Answer, Citation, RetrievedChunk
from bot.slack.render import slack_answer_messages, slack_escape, vote_of
from bot.text_pieces import split_text


def test_escape_makes_mentions_and_links_inert() -> None:
    assert slack_escape("<!channel> <@U1> <http://x|y> a&b") == (
        "&lt;!channel&gt; &lt;@U1&gt; &lt;http://x|y&gt; a&amp;b"
    )


def test_split_text_keeps_everything_within_the_limit() -> None:
    text = "\n\n".join("word " * 300 for _ in range(20))
    pieces = split_text(text, 3000)
    assert all(len(p) <= 3000 for p in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )
    assert split_text("x" * 7000, 3000) == ["x" * 3000, "x" * 3000, "x" * 1000]


def test_answer_with_sources_and_feedback() -> None:
    answer = Answer(
        question="q",
        text="> You get 25 days [1]. Ask <!here>.",
        answered=True,
        citations=[
            Citation(
                n=1,
                title="Vacation",
                source="time-off/vacation.md",
                url="https://w/v",
                section="Time off > How many days",
                updated_at="2026-08-15T00:00:00",
            ),
            Citation(n=2, title="No link", source="a|b.md"),
        ],
    )
    [message] = slack_answer_messages(answer, feedback_id="abc")
    body, sources, actions = message["blocks"]
    assert body["text"]["text"] == "> You get 25 days [1]. Ask &lt;!here&gt;."
    assert (
        "[1] <https://w/v|Vacation › How many days> · updated 2026-08-15" in sources["text"]["text"]
    )
    assert "[2] No link (`a|b.md`)" in sources["text"]["text"]
    (buttons,) = actions["elements"]  # Slack's native 👍/👎
    assert actions["type"] == "context_actions" and buttons["type"] == "feedback_buttons"
    assert buttons["positive_button"]["value"] == "up:abc"
    assert buttons["negative_button"]["value"] == "down:abc"
    assert vote_of({"action_id": buttons["action_id"], "value": "down:abc"}) == (False, "abc")
    [legacy] = slack_answer_messages(answer, feedback_id="abc", legacy_feedback=True)
    plain = legacy["blocks"][-1]
    assert [e["value"] for e in plain["elements"]] == ["abc", "abc"]
    assert vote_of({"action_id": "feedback_up", "value": "abc"}) == (True, "abc")
    assert vote_of({"action_id": "wikibot_feedback", "value": "sideways:abc"}) is None


def test_not_sure_lists_the_related_pages_without_a_quote() -> None:
    related = [
        Citation(n=1, title="Vacation", source="v.md", url="https://w/v", section="Days > Part"),
        Citation(n=2, title="No link", source="n.md"),
    ]
    retrieved = [RetrievedChunk(chunk_id="c", doc_id="d", title="T", source="s", text="x")]
    answer = Answer(
        question="q", text=messages.NOT_SURE, answered=False, related=related, retrieved=retrieved
    )
    [message] = slack_answer_messages(answer)
    body, pages = message["blocks"]
    assert body["text"]["text"] == messages.NOT_SURE and "> " not in body["text"]["text"]
    assert pages["text"]["text"].splitlines() == [
        "[1] <https://w/v|Vacation › Part>",
        "[2] No link (`n.md`)",
    ]
    assert all(b["type"] != "actions" for b in message["blocks"])  # no feedback id, no buttons


def test_nothing_related_is_the_plain_decline() -> None:
    retrieved = [RetrievedChunk(chunk_id="c", doc_id="d", title="T", source="s", text="x")]
    answer = Answer(
        question="q", text=messages.NOT_IN_DOCUMENTS, answered=False, retrieved=retrieved
    )
    [message] = slack_answer_messages(answer)
    assert [b["text"]["text"] for b in message["blocks"]] == [messages.NOT_IN_DOCUMENTS]


def test_an_answer_shows_its_see_also_pages_after_the_sources_as_whole_links() -> None:
    cited = [Citation(n=1, title="Leave", source="l.md", url="https://w/l", section="")]
    also = [
        Citation(n=2, title="Holidays", source="h.md", url="https://w/h?a=<b>|c", section=""),
        Citation(n=3, title="No link", source="n.md", updated_at="2026-02-20"),
    ]
    answer = Answer(
        question="q", text="> quote [1]", answered=True, citations=cited, related=also
    )
    [message] = slack_answer_messages(answer, feedback_id="f")
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds == ["section", "section", "context", "context_actions"]  # … see also, 👍
    see_also = message["blocks"][2]["elements"][0]["text"]
    assert see_also == "See also: [2] <https://w/h?a=%3Cb%3E%7Cc|Holidays> · [3] No link (`n.md`)"
    assert "Holidays" not in message["blocks"][1]["text"]["text"]
    huge = also[0].model_copy(update={"url": "https://w/" + "x" * 3000})
    [long_one] = slack_answer_messages(answer.model_copy(update={"related": [huge, also[1]]}))
    text = long_one["blocks"][-1]["elements"][0]["text"]
    assert text == "See also: [3] No link (`n.md`)"  # a link that cannot fit is left out
