"""One bad part never sinks a bundled DM: each reminder and digest of a bundle is rendered
alone and checked before the message is put together; a part that can't be rendered, or
that Slack would refuse, is left out, and only its outbox row fails (with the reason), so the
person still gets the rest. Pure: data in, data out."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block as SdkBlock

from handlers.slack.blocks import Block
from handlers.slack.digests.render import reminder_message
from services.outbox.port import Bundle, DeliveryError

log = logging.getLogger(__name__)
TEXTS = {"section", "header", "context"}


def problem(blocks: list[Block]) -> str | None:
    """Why Slack would refuse these blocks, as far as slack_sdk's validators and a look at
    each text can tell (None: nothing found)."""
    for n, b in enumerate(blocks):
        texts: list[Any] = [b.get("text")] if "text" in b else []
        texts += b.get("elements", []) if b.get("type") == "context" else []
        if b.get("type") in TEXTS and not all(
            isinstance(t, dict) and str(t.get("text", "")).strip() for t in texts
        ):
            return f"block {n} ({b.get('type')}) has an empty text"
        parsed = SdkBlock.parse(b)
        if parsed is None:
            return f"block {n} is of no known type ({b.get('type')})"
        try:
            parsed.validate_json()
        except SlackObjectFormationError as err:
            return f"block {n} ({b.get('type')}): {err}"
    return None


def _alone(bundle: Bundle, place: int) -> Bundle:
    n = len(bundle.reminders)
    if place < n:
        return dataclasses.replace(bundle, reminders=[bundle.reminders[place]], digests=[])
    return dataclasses.replace(bundle, reminders=[], digests=[bundle.digests[place - n]])


def _why_not(bundle: Bundle, place: int) -> str | None:
    try:
        msg = reminder_message(_alone(bundle, place))
    except Exception as exc:  # whatever breaks one part must not sink the rest
        log.exception("part %d of a bundle to %s can't be rendered", place, bundle.rows)
        return f"could not be shown in Slack ({type(exc).__name__}: {exc})"
    found = problem(msg.blocks)
    return f"Slack would refuse it: {found}" if found else None


def split(bundle: Bundle) -> tuple[Bundle, dict[int, str]]:
    """The bundle less the parts that can't be shown, and why each of their rows fails.
    Raises DeliveryError (permanent) when no part can be shown, or when a bad part can't be
    told apart from the others (a bundle that doesn't name its parts' rows)."""
    places = len(bundle.reminders) + len(bundle.digests)
    bad = {i: why for i in range(places) if (why := _why_not(bundle, i))}
    if not bad:
        return bundle, {}
    first = next(iter(bad.values()))
    if len(bad) == places or len(bundle.part_rows) != places:
        raise DeliveryError(first, permanent=True)
    return bundle.without(set(bad)), {bundle.part_rows[i]: why for i, why in bad.items()}
