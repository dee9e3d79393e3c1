"""Questions about HR figures, as the pipeline answers them (bot/pipeline.py): the asker's
own figures with the policy that governs them, and questions about someone else's figures
(no record is looked up at all). The policy is searched through the same access rule as any
answer (``ask_as``: the asker's own access in a DM, the members' common access elsewhere)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot import messages
from bot.conversation_access import uses_restricted
from bot.models import Answer, ChatEvent, Turn
from bot.personal import OTHER_PERSON, POLICY_QUERY, IdentityLookup, PersonalAnswers
from bot.state.memory import ConversationKey, ConversationMemory

AskAs = Callable[[ChatEvent, IdentityLookup | None, str, list[Turn]], Awaitable[Answer]]


@dataclass
class PersonalReply:
    text: str
    answer: Answer
    private_text: str = ""  # for the asker alone (their HR figures): ephemeral or DM only


def _with_policy(event: ChatEvent, text: str, policy: Answer | None, answered: bool) -> Answer:
    return Answer(
        question=event.text,
        text=text,
        answered=answered,
        citations=policy.citations if policy and policy.answered else [],
        retrieved=policy.retrieved if policy else [],
        writer=policy.writer if policy else "hr",
    )


async def about_someone_else(
    ask_as: AskAs, event: ChatEvent, fields: list[str], identity: IdentityLookup | None
) -> PersonalReply:
    """Nobody's HR record is looked up (neither theirs nor the asker's): the reply says only
    the asker's own figures can be given, with the governing policy."""
    queries = [POLICY_QUERY[f] for f in fields if f in POLICY_QUERY]
    policy = await ask_as(event, identity, queries[0], []) if queries else None
    answered = policy is not None and policy.answered
    text = OTHER_PERSON + (f"\n\nThe policy: {policy.text}" if policy and answered else "")
    return PersonalReply(text, _with_policy(event, text, policy, answered))


async def own_figures(
    ask_as: AskAs,
    personal: PersonalAnswers,
    memory: ConversationMemory,
    event: ChatEvent,
    fields: list[str],
    identity: IdentityLookup | None,
    can_send_privately: bool,
) -> PersonalReply:
    """The figure (DM: in the answer; elsewhere: privately, or not at all) plus the
    governing policy from the index, searched as the same viewer."""
    found = await personal.lookup(event.platform, event.user, fields, identity)
    policy = await ask_as(event, identity, found.policy_query, []) if found.policy_query else None
    rules = f"\n\nThe policy: {policy.text}" if policy and policy.answered else ""
    private = ""
    if event.is_dm:
        text = found.private + rules
    elif can_send_privately:
        text, private = messages.FIGURES_SENT_PRIVATELY + rules, found.private
    else:
        text = messages.ASK_IN_DM_FOR_FIGURES + rules
    answer = _with_policy(event, text, policy, True)
    turn = Turn(
        user=event.user,
        question=event.text,
        answer=text,
        cited_doc_ids=[c.doc_id for c in answer.citations],
        at=time.time(),
        personal=event.is_dm,
        restricted=uses_restricted(answer),
    )
    await memory.append(ConversationKey.of(event), turn)
    return PersonalReply(text, answer, private)
