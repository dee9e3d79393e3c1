"""Every sentence the bot says to users on its own behalf (not answer text), in one place,
so Slack, Teams and the terminal say the same thing."""

from __future__ import annotations

SEARCHING = "Searching the handbook…"
FAILED = "Sorry, something went wrong while answering. Please try again in a minute."
THANKS_FOR_FEEDBACK = "Thanks for the feedback!"
TOO_OLD_TO_RATE = "Sorry, that answer is too old to rate."
FIGURES_SENT_PRIVATELY = "I've sent your own figures to you privately."
ASK_IN_DM_FOR_FIGURES = "Ask me in a direct message for your own figures."
COULD_NOT_REACH_PRIVATELY = (
    "I couldn't reach you in a personal chat: message me directly for your figures."
)
