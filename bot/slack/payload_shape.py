"""The shape of a signed Slack payload, checked before Bolt dispatches it.

A signed body is Slack's, or a leaked secret's, or a proxy's mangling: Bolt and our
listeners index into it (``body["actions"][0]``, ``view["state"]["values"]``,
``assistant_thread["context"]``), so a field of the wrong type became a 500 with an ERROR
traceback, or a 404 when no listener matched. Here every payload kind wikibot handles is
checked field by field; anything else is refused (400, one WARNING line in
bot/slack/routes.py, never the body).

:func:`shape_problem` returns what is wrong, or None when Bolt may have it.
"""

from __future__ import annotations

from typing import Any

EVENT_ENVELOPES = {"event_callback", "url_verification", "app_rate_limited"}
INTERACTIONS = {"block_actions", "view_submission"}
# the events wikibot listens to, and the fields its listeners read as strings (other events
# are acknowledged and ignored whatever their shape: some carry objects in these fields)
HANDLED_EVENTS = {"app_mention", "message", "member_joined_channel", "member_left_channel"}
HANDLED_EVENTS |= {"app_home_opened", "assistant_thread_started"}
HANDLED_EVENTS |= {"assistant_thread_context_changed"}
EVENT_TEXT_FIELDS = (
    *("user", "channel", "ts", "thread_ts", "text", "channel_type", "tab"),
    *("subtype", "bot_id", "team"),
)


def shape_problem(payload: dict[str, Any]) -> str | None:
    """Why this parsed body (a JSON event or a form's ``payload``) is junk, or None."""
    kind = payload.get("type")
    if kind in EVENT_ENVELOPES:
        return _envelope_problem(payload)
    if kind == "block_actions":
        return _actions_problem(payload)
    if kind == "view_submission":
        return _view_problem(payload)
    return "unsupported payload type"


def command_problem(form: dict[str, list[str]]) -> str | None:
    """A slash command's form: one command, from someone."""
    if not (form.get("command") and form.get("user_id")):
        return "command without a command or user_id"
    return None


def _envelope_problem(payload: dict[str, Any]) -> str | None:
    if not _optional(payload, str, "team_id", "event_id", "api_app_id", "challenge", "token"):
        return "envelope field of the wrong type"
    authorizations = payload.get("authorizations")
    if authorizations is not None and not _list_of_dicts(authorizations):
        return "authorizations is not a list of objects"
    if payload["type"] != "event_callback":
        return None
    event = payload.get("event")
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return "event is not an object with a type"
    kind = event["type"]
    if kind not in HANDLED_EVENTS:
        return None
    if not _optional(event, str, *EVENT_TEXT_FIELDS):
        return "event field of the wrong type"
    if kind in ("app_mention", "message") and not _event_has_author(event):
        return "message event without user, channel or ts"
    if kind.startswith("assistant_thread_"):
        thread = event.get("assistant_thread")
        if not isinstance(thread, dict) or not _required(thread, str, "channel_id", "thread_ts"):
            return "assistant_thread without channel_id and thread_ts"
        context = thread.get("context", {})
        if not isinstance(context, dict) or not all(
            value is None or isinstance(value, str) for value in context.values()
        ):
            return "assistant_thread context is not an object of strings"
    return None


def _event_has_author(event: dict[str, Any]) -> bool:
    """Messages from people carry who, where and when; bot messages and edits are ignored."""
    if event.get("bot_id") or event.get("subtype"):
        return True
    required = ("channel",) if event["type"] == "message" else ("user", "channel", "ts")
    return _required(event, str, *required)


def _actions_problem(payload: dict[str, Any]) -> str | None:
    if not _user_problem_free(payload):
        return "block_actions without a user id"
    actions = payload.get("actions")
    if not (_list_of_dicts(actions) and actions):
        return "block_actions without a list of actions"
    for action in actions:
        if not (_required(action, str, "action_id") and _optional(action, str, "value")):
            return "action without a string action_id and value"
    for field in ("channel", "container", "message", "team"):
        if payload.get(field) is not None and not isinstance(payload[field], dict):
            return f"{field} is not an object"
    message = payload.get("message") or {}
    if not _optional(payload, str, "trigger_id") or not _optional(message, str, "ts", "thread_ts"):
        return "block_actions field of the wrong type"
    return None


def _view_problem(payload: dict[str, Any]) -> str | None:
    if not _user_problem_free(payload):
        return "view_submission without a user id"
    view = payload.get("view")
    if not isinstance(view, dict) or not _required(view, str, "callback_id"):
        return "view_submission without a view and callback_id"
    if not _optional(view, str, "private_metadata"):
        return "view private_metadata is not a string"
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    if not isinstance(values, dict) or not all(
        isinstance(block, dict) and all(isinstance(element, dict) for element in block.values())
        for block in values.values()
    ):
        return "view state values are not objects of objects"
    return None


def _user_problem_free(payload: dict[str, Any]) -> bool:
    user = payload.get("user")
    return isinstance(user, dict) and _required(user, str, "id") and bool(user["id"])


def _required(mapping: dict[str, Any], kind: type, *fields: str) -> bool:
    return all(isinstance(mapping.get(field), kind) for field in fields)


def _optional(mapping: dict[str, Any], kind: type, *fields: str) -> bool:
    return all(mapping.get(field) is None or isinstance(mapping[field], kind) for field in fields)


def _list_of_dicts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)
