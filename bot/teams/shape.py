"""Whether a body posted to /api/messages has the shape of an activity Teams sends.

Checked after the SDK's bearer validation and before anything reads the activity: a body that
is not a JSON object the SDK's own `Activity` model accepts, or lacks what every turn needs (a
type, a sender, a conversation, a service URL to answer on), or whose `entities` are not
objects, is answered 400 — never a 500 from deep inside a turn, and nothing is written.
"""

from __future__ import annotations

import json
from typing import Any

from microsoft_agents.activity import Activity


def problem(raw: bytes) -> str | None:
    """What is wrong with the activity's shape, or None when Teams could have sent it."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "the body is not JSON"
    if not isinstance(data, dict):
        return "the body is not a JSON object"
    if not isinstance(data.get("type"), str) or not data["type"]:
        return "the activity has no type"
    for key in ("from", "conversation"):
        part = data.get(key)
        if not (isinstance(part, dict) and isinstance(part.get("id"), str)):
            return f"the activity's {key} has no id"
    if not isinstance(data.get("serviceUrl"), str):
        return "the activity has no service URL"
    entities = data.get("entities")
    if entities is not None and not (
        isinstance(entities, list) and all(isinstance(e, dict) for e in entities)
    ):
        return "the activity's entities are not objects"
    for key in ("text", "name", "locale"):
        if data.get(key) is not None and not isinstance(data[key], str):
            return f"the activity's {key} is not text"
    return _model(data)


def _model(data: dict[str, Any]) -> str | None:
    try:
        Activity.model_validate(data)
    except ValueError as err:  # pydantic's ValidationError is a ValueError
        errors: list[dict[str, Any]] = getattr(err, "errors", list)()
        where = ".".join(str(p) for p in errors[0].get("loc", ())) if errors else ""
        return f"the activity does not validate ({where or 'body'})"
    return None
