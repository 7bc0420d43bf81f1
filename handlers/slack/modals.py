"""Modal views (new action item, new project, new deliverable). Pure: data in, JSON out."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from handlers.slack.ids import BlockId, CallbackId
from handlers.slack.render import clip, plain
from services.views import ProjectView

View = dict[str, Any]
MAX_OPTIONS = 100


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False,
           hint: str | None = None) -> dict[str, Any]:  # fmt: skip
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def _project_select(projects: list[ProjectView], selected: str | None) -> dict[str, Any]:
    options = [
        {"text": plain(f"{p.key} — {p.name}"), "value": p.key} for p in projects[:MAX_OPTIONS]
    ]
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": "value",
        "placeholder": plain("No project"),
        "options": options,
    }
    initial = next((o for o in options if o["value"] == selected), None)
    if initial:
        element["initial_option"] = initial
    return element


def new_item_modal(
    *,
    projects: list[ProjectView],
    item_id: int | None = None,
    title: str = "",
    project_key: str | None = None,
    owner_id: str | None = None,
    due: date | None = None,
    notes: str = "",
    metadata: dict[str, Any] | None = None,
) -> View:
    """The "New action item" modal, optionally prefilled (message shortcut)."""
    editing = item_id is not None
    blocks: list[dict[str, Any]] = [
        _input(
            BlockId.TITLE,
            "What needs doing?",
            {
                "type": "plain_text_input",
                "action_id": "value",
                "max_length": 300,
                "initial_value": clip(title, 300),
                "placeholder": plain("e.g. Send the revised plan to finance", 150),
            },
        )
    ]
    if projects:
        blocks.append(
            _input(
                BlockId.PROJECT, "Project", _project_select(projects, project_key), optional=True
            )
        )
    owner: dict[str, Any] = {"type": "users_select", "action_id": "value"}
    if owner_id:
        owner["initial_user"] = owner_id
    blocks.append(_input(BlockId.OWNER, "Owner", owner))
    picker: dict[str, Any] = {"type": "datepicker", "action_id": "value"}
    if due:
        picker["initial_date"] = due.isoformat()
    blocks.append(_input(BlockId.DUE, "Due date", picker, optional=True))
    blocks.append(
        _input(
            BlockId.NOTES,
            "Notes",
            {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": True,
                "max_length": 3000,
                "initial_value": clip(notes, 3000),
            },
            optional=True,
        )
    )
    if editing:
        metadata = {**(metadata or {}), "item_id": item_id}
    return {
        "type": "modal",
        "callback_id": CallbackId.EDIT_ITEM_MODAL if editing else CallbackId.NEW_ITEM_MODAL,
        "title": plain(f"Edit #{item_id}" if editing else "New action item", 24),
        "submit": plain("Save" if editing else "Create", 24),
        "close": plain("Cancel", 24),
        "private_metadata": clip(json.dumps(metadata or {}), 3000),
        "blocks": blocks,
    }


def new_project_modal(*, metadata: dict[str, Any] | None = None) -> View:
    """The "New project" modal."""
    return {
        "type": "modal",
        "callback_id": CallbackId.NEW_PROJECT_MODAL,
        "title": plain("New project", 24),
        "submit": plain("Create", 24),
        "close": plain("Cancel", 24),
        "private_metadata": clip(json.dumps(metadata or {}), 3000),
        "blocks": [
            _input(
                BlockId.KEY,
                "Key",
                {"type": "plain_text_input", "action_id": "value", "max_length": 16,
                 "placeholder": plain("APOLLO", 150)},
                hint="2-16 letters and digits, starting with a letter. Used in commands.",
            ),
            _input(BlockId.NAME, "Name", {"type": "plain_text_input", "action_id": "value",
                                          "max_length": 200}),
            _input(BlockId.PM, "Project manager", {"type": "users_select", "action_id": "value"},
                   optional=True, hint="Leave empty to be the PM yourself."),
            _input(
                BlockId.PRIVATE,
                "Visibility",
                {
                    "type": "checkboxes",
                    "action_id": "value",
                    "options": [{"text": plain("Private: only members can see it"),
                                 "value": "private"}],
                },
                optional=True,
            ),
        ],
    }  # fmt: skip


def field_values(view: dict[str, Any]) -> dict[str, Any]:
    """The submitted value of each input block, by block id."""
    out: dict[str, Any] = {}
    for block_id, actions in (view.get("state", {}).get("values", {}) or {}).items():
        v = actions.get("value", {})
        kind = v.get("type")
        if kind == "plain_text_input":
            out[block_id] = v.get("value") or ""
        elif kind == "static_select":
            out[block_id] = (v.get("selected_option") or {}).get("value")
        elif kind == "users_select":
            out[block_id] = v.get("selected_user")
        elif kind == "datepicker":
            out[block_id] = v.get("selected_date")
        elif kind == "checkboxes":
            out[block_id] = [o.get("value") for o in v.get("selected_options") or []]
    return out


def new_deliverable_modal(
    *, projects: list[ProjectView], metadata: dict[str, Any] | None = None
) -> View:
    """The "New deliverable" modal: project, title, owner, due date (baseline = forecast)."""
    return {
        "type": "modal",
        "callback_id": CallbackId.NEW_DELIVERABLE_MODAL,
        "title": plain("New deliverable", 24),
        "submit": plain("Create", 24),
        "close": plain("Cancel", 24),
        "private_metadata": clip(json.dumps(metadata or {}), 3000),
        "blocks": [
            _input(BlockId.PROJECT, "Project", _project_select(projects, None)),
            _input(BlockId.TITLE, "Deliverable", {"type": "plain_text_input",
                                                  "action_id": "value", "max_length": 300}),
            _input(BlockId.OWNER, "Owner", {"type": "users_select", "action_id": "value"},
                   optional=True),
            _input(BlockId.DUE, "Due date", {"type": "datepicker", "action_id": "value"},
                   hint="This is the baseline; re-forecasts later show the slip against it."),
        ],
    }  # fmt: skip


RAG_OPTIONS = [("green", "🟢 Green"), ("amber", "🟠 Amber"), ("red", "🔴 Red")]
STATUS_TEXTS = [
    ("summary", "Summary", "Where the project stands, in a few lines"),
    ("highlights", "Highlights", "What went well or got done"),
    ("blockers", "Blockers", "What is in the way"),
    ("asks", "Asks", "Decisions or help you need, and from whom"),
    ("next_steps", "Next steps", "What happens next"),
]


def _rag_select(current: str | None, *, optional: bool) -> dict[str, Any]:
    options = [{"text": plain(label), "value": value} for value, label in RAG_OPTIONS]
    element: dict[str, Any] = {"type": "static_select", "action_id": "value",
                               "placeholder": plain("Pick one"), "options": options}  # fmt: skip
    initial = next((o for o in options if o["value"] == current), None)
    if initial:
        element["initial_option"] = initial
    return element


def status_modal(
    *, key: str, name: str, period_note: str, prefill: dict[str, Any] | None = None
) -> View:
    """The status update form, prefilled from the project's last update."""
    p = prefill or {}
    safe = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    heading = {"type": "mrkdwn", "text": clip(f"*{key}* · {safe} · {period_note}", 3000)}
    blocks: list[dict[str, Any]] = [
        {"type": "context", "elements": [heading]},
        _input("st_overall", "Overall status", _rag_select(p.get("overall"), optional=False)),
    ]
    for dim in ("schedule", "scope", "budget", "resources"):
        blocks.append(_input(f"st_{dim}", dim.title(), _rag_select(p.get(dim), optional=True),
                             optional=True))  # fmt: skip
    pct = p.get("percent_complete")
    pct_el: dict[str, Any] = {"type": "plain_text_input", "action_id": "value",
                              "placeholder": plain("0 to 100")}  # fmt: skip
    if pct is not None:
        pct_el["initial_value"] = str(pct)
    blocks.append(_input("st_percent", "% complete", pct_el, optional=True))
    for field_name, label, hint in STATUS_TEXTS:
        el: dict[str, Any] = {"type": "plain_text_input", "action_id": "value",
                              "multiline": True, "max_length": 3000}  # fmt: skip
        if p.get(field_name):
            el["initial_value"] = clip(str(p[field_name]), 3000)
        blocks.append(_input(f"st_{field_name}", label, el, optional=True, hint=hint))
        if field_name == "blockers":
            option = {"text": plain("Escalate the blockers to the PMO now"), "value": "yes"}
            box: dict[str, Any] = {"type": "checkboxes", "action_id": "value",
                                   "options": [option]}  # fmt: skip
            if p.get("escalate"):
                box["initial_options"] = [option]
            blocks.append(_input("st_escalate", "Needs escalation?", box, optional=True))
    return {
        "type": "modal",
        "callback_id": CallbackId.STATUS_MODAL,
        "title": plain(f"Status · {key}", 24),
        "submit": plain("Submit", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps({"key": key}),
        "blocks": blocks,
    }
