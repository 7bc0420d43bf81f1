"""Whether a Slack request body has the shape Slack gives it, before anything reads it.

Slack sends form bodies (slash commands; interactions as a `payload` field holding a JSON
object) and JSON objects (Events API). A signed body of another shape — not UTF-8, a payload
that is not a JSON object, an interaction without a user, a `block_actions` whose actions are
not a list of objects, a view submission without its state — is answered 400 by the front
(after the signature check: 401 first), so no listener ever meets it and nothing is written.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any


def malformed(raw: bytes) -> str | None:
    """What is wrong with the body's shape, or None when Slack could have sent it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "the body is not UTF-8"
    body = text.lstrip()
    if body.startswith(("{", "[")):
        try:
            data = json.loads(body)
        except ValueError:
            return "the body is not valid JSON"
        if not isinstance(data, dict):
            return "the body is not a JSON object"
        event = data.get("event")
        if event is not None and not (
            isinstance(event, dict) and isinstance(event.get("type"), str)
        ):
            return "the event has no type"
        return None
    try:
        form = urllib.parse.parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
    except ValueError:
        return "the body is not a form"
    if "payload" not in form:
        return None
    try:
        payload = json.loads(form["payload"][0])
    except ValueError:
        return "the payload is not valid JSON"
    return _interaction(payload)


def _interaction(p: Any) -> str | None:
    if not isinstance(p, dict) or not isinstance(p.get("type"), str):
        return "the payload is not an interaction"
    kind = p["type"]
    user = p.get("user")
    if kind != "ssl_check" and not (isinstance(user, dict) and isinstance(user.get("id"), str)):
        return "the interaction has no user"
    for key in ("team", "channel", "container", "message"):
        if p.get(key) is not None and not isinstance(p[key], dict):
            return f"the interaction's {key} is not an object"
    if kind == "block_actions":
        actions = p.get("actions")
        if not isinstance(actions, list) or not actions:
            return "the block actions are not a list of actions"
        if not all(isinstance(a, dict) for a in actions):
            return "the block actions are not a list of actions"
    if kind in ("view_submission", "view_closed"):
        view = p.get("view")
        if not (isinstance(view, dict) and isinstance(view.get("type"), str)):
            return "the interaction has no view"
        state = view.get("state")
        if kind == "view_submission" and not (
            isinstance(state, dict) and isinstance(state.get("values"), dict)
        ):
            return "the view submission has no state"
        meta = view.get("private_metadata")
        if meta is not None and not isinstance(meta, str):
            return "the view's private metadata is not text"
    return None
