"""A Block Kit validator for whole messages: the limits and uniqueness rules of
../shared/SLACK_PLATFORM.md, stricter than the fake Slack's quick check (it walks every
element, text object and option, and reports every problem with its path)."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000
BLOCK_TYPES = {"section", "header", "context", "actions", "divider", "image", "input", "rich_text"}
INTERACTIVE = {
    "button",
    "static_select",
    "multi_static_select",
    "users_select",
    "multi_users_select",
    "conversations_select",
    "channels_select",
    "datepicker",
    "timepicker",
    "overflow",
    "checkboxes",
    "radio_buttons",
    "plain_text_input",
    "file_input",
}
INPUT_ONLY = {"plain_text_input", "file_input"}  # elements only an input block may hold
TEXT_INPUT_MAX = 3000  # plain_text_input: max_length, and so initial_value


def _text(obj: Any, where: str, limit: int, problems: list[str], *, kinds: set[str]) -> None:
    if not isinstance(obj, dict) or obj.get("type") not in kinds:
        problems.append(f"{where}: a text object of type {sorted(kinds)} is required")
        return
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}: empty text")
    elif len(text) > limit:
        problems.append(f"{where}: {len(text)} chars > {limit}")


def _options(opts: Any, where: str, problems: list[str]) -> None:
    if not isinstance(opts, list) or not 1 <= len(opts) <= 100:
        problems.append(f"{where}: 1-100 options")
        return
    values = set()
    for n, o in enumerate(opts):
        _text(o.get("text"), f"{where}[{n}].text", 75, problems, kinds={"plain_text", "mrkdwn"})
        value = o.get("value")
        if not isinstance(value, str) or not 1 <= len(value) <= 150:
            problems.append(f"{where}[{n}].value: 1-150 chars")
        if value in values:
            problems.append(f"{where}[{n}].value: duplicate {value!r}")
        values.add(value)


def _offered(e: dict[str, Any], where: str, problems: list[str]) -> list[Any]:
    """A select's options, or its option groups' (≤ 100 groups of ≤ 100 options)."""
    if "option_groups" not in e or e.get("type") not in ("static_select", "multi_static_select"):
        _options(e.get("options"), f"{where}.options", problems)
        return list(e.get("options", []))
    groups = e["option_groups"]
    if "options" in e:
        problems.append(f"{where}: options and option_groups both given")
    if not isinstance(groups, list) or not 1 <= len(groups) <= 100:
        problems.append(f"{where}.option_groups: 1-100 groups")
        return []
    offered: list[Any] = []
    for n, g in enumerate(groups):
        _text(g.get("label"), f"{where}.option_groups[{n}].label", 75, problems,
              kinds={"plain_text"})  # fmt: skip
        _options(g.get("options"), f"{where}.option_groups[{n}].options", problems)
        offered += g.get("options", [])
    values = [o.get("value") for o in offered]
    if len(values) != len(set(values)):
        problems.append(f"{where}.option_groups: a value repeats across groups")
    return offered


def _element(
    e: Any, where: str, action_ids: set[str], problems: list[str], *, in_input: bool = False
) -> None:
    kind = e.get("type")
    if kind not in INTERACTIVE and kind not in ("image", "mrkdwn", "plain_text"):
        problems.append(f"{where}: unknown element type {kind}")
        return
    if kind in INPUT_ONLY and not in_input:
        problems.append(f"{where}: a {kind} belongs in an input block")
    if kind in INTERACTIVE:
        aid = e.get("action_id")
        if not isinstance(aid, str) or not 1 <= len(aid) <= 255:
            problems.append(f"{where}.action_id: 1-255 chars")
        elif aid in action_ids:
            problems.append(f"{where}.action_id: duplicate {aid!r}")
        else:
            action_ids.add(aid)
    if kind == "button":
        _text(e.get("text"), f"{where}.text", 75, problems, kinds={"plain_text"})
        if len(e.get("value", "")) > 2000:
            problems.append(f"{where}.value: over 2000 chars")
        if len(e.get("url", "")) > 3000:
            problems.append(f"{where}.url: over 3000 chars")
    if kind in ("static_select", "multi_static_select", "overflow", "checkboxes", "radio_buttons"):
        offered = _offered(e, where, problems)
        chosen = [
            *e.get("initial_options", []),
            *([e["initial_option"]] if "initial_option" in e else []),
        ]
        if any(c not in offered for c in chosen):
            problems.append(f"{where}: an initial option is not among the options")
    if kind == "plain_text_input":
        limit = e.get("max_length", TEXT_INPUT_MAX)
        if not isinstance(limit, int) or not 1 <= limit <= TEXT_INPUT_MAX:
            problems.append(f"{where}.max_length: 1-{TEXT_INPUT_MAX}")
        elif len(e.get("initial_value", "")) > limit:
            problems.append(f"{where}.initial_value: {len(e['initial_value'])} chars > {limit}")
    if "placeholder" in e:
        _text(e["placeholder"], f"{where}.placeholder", 150, problems, kinds={"plain_text"})
    if kind in ("mrkdwn", "plain_text"):
        _text(e, where, 3000, problems, kinds={"mrkdwn", "plain_text"})


def problems_of(blocks: Any, *, limit: int = MESSAGE_BLOCKS, text: str | None = None) -> list[str]:
    """Every reason Slack would refuse these blocks (empty when it would take them)."""
    problems: list[str] = []
    if text is not None:
        if not text.strip():
            problems.append("text: the fallback text is empty")
        if len(text) > MESSAGE_TEXT:
            problems.append(f"text: {len(text)} chars > {MESSAGE_TEXT}")
    if not isinstance(blocks, list):
        return [*problems, "blocks must be a list"]
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks > {limit}")
    block_ids: set[str] = set()
    action_ids: set[str] = set()  # Slack keys a click by (block_id, action_id): unique per block
    for n, b in enumerate(blocks):
        where = f"blocks[{n}]({b.get('type')})"
        kind = b.get("type")
        if kind not in BLOCK_TYPES:
            problems.append(f"{where}: unknown block type")
            continue
        if "block_id" in b:
            bid = b["block_id"]
            if not isinstance(bid, str) or not 1 <= len(bid) <= 255:
                problems.append(f"{where}.block_id: 1-255 chars")
            elif bid in block_ids:
                problems.append(f"{where}.block_id: duplicate {bid!r}")
            block_ids.add(bid)
        in_block: set[str] = set()
        if kind == "section":
            if "text" not in b and "fields" not in b:
                problems.append(f"{where}: a section needs text or fields")
            if "text" in b:
                _text(b["text"], f"{where}.text", 3000, problems, kinds={"mrkdwn", "plain_text"})
            fields = b.get("fields", [])
            if len(fields) > 10:
                problems.append(f"{where}.fields: more than 10")
            for i, f in enumerate(fields):
                _text(f, f"{where}.fields[{i}]", 2000, problems, kinds={"mrkdwn", "plain_text"})
            if "accessory" in b:
                _element(b["accessory"], f"{where}.accessory", in_block, problems)
        elif kind == "header":
            _text(b.get("text"), f"{where}.text", 150, problems, kinds={"plain_text"})
        elif kind == "context":
            elements = b.get("elements", [])
            if not 1 <= len(elements) <= 10:
                problems.append(f"{where}: 1-10 elements")
            for i, e in enumerate(elements):
                _element(e, f"{where}.elements[{i}]", in_block, problems)
        elif kind == "actions":
            elements = b.get("elements", [])
            if not 1 <= len(elements) <= 25:
                problems.append(f"{where}: 1-25 elements")
            for i, e in enumerate(elements):
                _element(e, f"{where}.elements[{i}]", in_block, problems)
        elif kind == "input":
            _text(b.get("label"), f"{where}.label", 2000, problems, kinds={"plain_text"})
            if "hint" in b:
                _text(b["hint"], f"{where}.hint", 2000, problems, kinds={"plain_text"})
            if "element" not in b:
                problems.append(f"{where}: an input needs an element")
            else:
                _element(b["element"], f"{where}.element", in_block, problems, in_input=True)
        action_ids |= in_block
    return problems


def view_problems(view: dict[str, Any]) -> list[str]:
    """Every reason Slack would refuse this modal or Home tab: our own walk of every block
    (as for messages, with the view's 100 blocks), the view's own limits, and slack_sdk's
    validators over the whole view."""
    problems: list[str] = []
    kind = view.get("type")
    if kind not in ("modal", "home"):
        problems.append(f"type: {kind!r} is not a modal or home view")
    if kind == "modal":
        _text(view.get("title"), "title", 24, problems, kinds={"plain_text"})
        inputs = any(b.get("type") == "input" for b in view.get("blocks", []))
        if inputs and "submit" not in view:
            problems.append("a modal with inputs needs a submit button")
        for k in ("submit", "close"):
            if k in view:
                _text(view[k], k, 24, problems, kinds={"plain_text"})
        meta = view.get("private_metadata", "")
        if len(meta) > 3000:
            problems.append(f"private_metadata: {len(meta)} chars > 3000")
        elif meta:
            try:
                json.loads(meta)
            except ValueError:
                problems.append("private_metadata: not the JSON it was written as")
        if len(view.get("callback_id", "")) > 255:
            problems.append("callback_id over 255 chars")
    problems += problems_of(view.get("blocks", []), limit=VIEW_BLOCKS)
    try:
        View(**view).validate_json()
    except SlackObjectFormationError as err:
        problems.append(f"slack_sdk: {err}")
    return problems
