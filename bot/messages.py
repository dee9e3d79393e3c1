"""Every sentence the bot says to users on its own behalf (not answer text), in one place,
so Slack, Teams and the terminal say the same thing."""

from __future__ import annotations

SEARCHING = "Searching the handbook…"
WRITING = "Writing the answer…"
FAILED = "Sorry, something went wrong while answering. Please try again in a minute."
THANKS_FOR_FEEDBACK = "Thanks for the feedback!"
TOO_OLD_TO_RATE = "Sorry, that answer is too old to rate."
NOT_YOURS_TO_RATE = "Only people in the conversation where this answer was posted can rate it."
CANNOT_CHECK_RATER = "I couldn't check who may rate this answer just now; please try again later."
COMMENT_CUT = "[cut: the first {kept:,} of {total:,} characters are kept]"
FIGURES_SENT_PRIVATELY = "I've sent your own figures to you privately."
ASK_IN_DM_FOR_FIGURES = "Ask me in a direct message for your own figures."
COULD_NOT_REACH_PRIVATELY = (
    "I couldn't reach you in a personal chat: message me directly for your figures."
)


def assistant_greeting(opened_from: str) -> str:
    """The first message of an assistant-pane thread (``opened_from``: a channel id)."""
    text = (
        "Hi! Ask me anything about the company handbook and HR documents: I answer with "
        "links to my sources, and say so when the documents do not hold the answer."
    )
    if opened_from:
        text += (
            f"\nYou opened me from <#{opened_from}>: my answers here use only documents "
            "everyone in that channel may read. For documents only you may read, start a "
            "new chat from my Messages tab."
        )
    return text


# answers
NOT_IN_DOCUMENTS = "I couldn't find this in the indexed documents."
NOT_SURE = "I couldn't find a direct answer; these pages look closest:"
FROM_DOCUMENTS = "From the indexed documents:"

# personal HR answers
ONLY_YOUR_OWN_FIGURES = (
    "I can only give you your own HR figures, and only in a direct message with you. "
    "For someone else's figures, ask them or HR."
)
NO_HR_RECORD = "I couldn't find your HR record, so I can't give your figure; please contact HR."
HR_UNAVAILABLE = "The HR system is unavailable right now, so I can't give your figure. Try later."


def rate_limited(seconds: int) -> str:
    return (
        "You've asked a lot of questions in a short time. "
        f"Please try again in {seconds} second{'s' if seconds != 1 else ''}."
    )


# /wikibot commands
COMMANDS_HELP = (
    "*wikibot* answers questions from the handbook. Mention me in a channel or DM me.\n"
    "`/wikibot QUESTION` an answer only you see (`/wikibot ask-public QUESTION`: for the "
    "channel)\n"
    "`/wikibot help` this text\n"
    "`/wikibot status` what is indexed and how the last index run went\n"
    "`/wikibot forget` delete your stored conversations with me\n"
    "`/wikibot reindex [SOURCE] [--full]` (admins) refresh the index, progress reported here"
)
MEMORY_UNREACHABLE = (
    "I cannot reach my memory store right now, so nothing was deleted. Try again soon."
)
ADMINS_ONLY = "Sorry, only wikibot admins can run `reindex`. Ask your IT admin."
NO_SOURCES = (
    "No sources are configured (WIKIBOT_SOURCES_FILE or WIKIBOT_SOURCES), "
    "so there is nothing to reindex."
)
LOCK_UNAVAILABLE = "Not started: the reindex lock is unavailable (Redis is down)."


def unknown_command(name: str) -> str:
    return f"Unknown command `{name}`.\n" + COMMANDS_HELP


def forgotten(turns: int) -> str:
    return f"Done: I deleted {turns} stored conversation turn(s) of yours."


def reindex_started(sources: str, full: bool) -> str:
    return f"Reindex of {sources}{' (full rebuild)' if full else ''} started; progress follows."


def reindex_progress(read: int, total: int | str, chunks: int) -> str:
    return f"Reindexing… {read}/{total} documents read, {chunks} chunks embedded"


def reindex_finished(summary: str) -> str:
    return f"Reindex finished: {summary}"


def not_started(reason: str) -> str:
    return f"Not started: {reason}"


def reindex_failed(reason: str) -> str:
    return f"Reindex failed, the previous index keeps serving: {reason}"


# the terminal chat
TERMINAL_HELP = (
    "Ask a question about the indexed documents. /forget erases this chat's memory; exit leaves."
)
TERMINAL_REDIS_DOWN = (
    "I can't reach Redis right now, so nothing was deleted; please try again shortly."
)
