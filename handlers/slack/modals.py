"""Modal views: action item, project, deliverable, status update, status round. Pure."""

from __future__ import annotations

import json
import re
from datetime import date, time
from typing import Any

from handlers.slack.ids import BlockId, CallbackId
from handlers.slack.render import clip, plain
from services.core.views import ProjectView
from services.meetings.views import MinutesView
from services.status.cadence import CadenceView

CHANNEL_ID_RE = re.compile(r"^[CG][A-Z0-9]{2,}$")

View = dict[str, Any]
MAX_OPTIONS = 100


def _input(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
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
                {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "max_length": 16,
                    "placeholder": plain("APOLLO", 150),
                },
                hint="2-16 letters and digits, starting with a letter. Used in commands.",
            ),
            _input(
                BlockId.NAME,
                "Name",
                {"type": "plain_text_input", "action_id": "value", "max_length": 200},
            ),
            _input(
                BlockId.PM,
                "Project manager",
                {"type": "users_select", "action_id": "value"},
                optional=True,
                hint="Leave empty to be the PM yourself.",
            ),
            _input(
                BlockId.PRIVATE,
                "Visibility",
                {
                    "type": "checkboxes",
                    "action_id": "value",
                    "options": [
                        {"text": plain("Private: only members can see it"), "value": "private"}
                    ],
                },
                optional=True,
            ),
        ],
    }


def field_values(view: dict[str, Any]) -> dict[str, Any]:
    """The submitted value of each input block, by block id."""
    out: dict[str, Any] = {}
    for block_id, actions in (view.get("state", {}).get("values", {}) or {}).items():
        v = actions.get("value", {})
        kind = v.get("type")
        if kind == "plain_text_input":
            out[block_id] = v.get("value") or ""
        elif kind in ("static_select", "radio_buttons"):
            out[block_id] = (v.get("selected_option") or {}).get("value")
        elif kind == "users_select":
            out[block_id] = v.get("selected_user")
        elif kind == "datepicker":
            out[block_id] = v.get("selected_date")
        elif kind in ("checkboxes", "multi_static_select"):
            out[block_id] = [o.get("value") for o in v.get("selected_options") or []]
        elif kind == "multi_users_select":
            out[block_id] = list(v.get("selected_users") or [])
        elif kind == "timepicker":
            out[block_id] = v.get("selected_time")
        elif kind == "conversations_select":
            out[block_id] = v.get("selected_conversation")
        elif kind == "file_input":
            out[block_id] = list(v.get("files") or [])
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
            _input(
                BlockId.TITLE,
                "Deliverable",
                {"type": "plain_text_input", "action_id": "value", "max_length": 300},
            ),
            _input(
                BlockId.OWNER,
                "Owner",
                {"type": "users_select", "action_id": "value"},
                optional=True,
            ),
            _input(
                BlockId.DUE,
                "Due date",
                {"type": "datepicker", "action_id": "value"},
                hint="This is the baseline; re-forecasts later show the slip against it.",
            ),
        ],
    }


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
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": "value",
        "placeholder": plain("Pick one"),
        "options": options,
    }
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
        blocks.append(
            _input(f"st_{dim}", dim.title(), _rag_select(p.get(dim), optional=True), optional=True)
        )
    pct = p.get("percent_complete")
    pct_el: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "placeholder": plain("0 to 100"),
    }
    if pct is not None:
        pct_el["initial_value"] = str(pct)
    blocks.append(_input("st_percent", "% complete", pct_el, optional=True))
    for field_name, label, hint in STATUS_TEXTS:
        el: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": "value",
            "multiline": True,
            "max_length": 3000,
        }
        if p.get(field_name):
            el["initial_value"] = clip(str(p[field_name]), 3000)
        blocks.append(_input(f"st_{field_name}", label, el, optional=True, hint=hint))
        if field_name == "blockers":
            option = {"text": plain("Escalate the blockers to the PMO now"), "value": "yes"}
            box: dict[str, Any] = {"type": "checkboxes", "action_id": "value", "options": [option]}
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


WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CADENCE_BLOCKS = (
    "cd_active",
    "cd_days",
    "cd_time",
    "cd_deadline_days",
    "cd_deadline_time",
    "cd_reporters",
    "cd_channel",
    "cd_rrule",
)


def cadence_modal(c: CadenceView) -> View:
    """The status-round settings of one project: when, due when, who reports, where it goes."""
    simple = c.simple()
    days, at = simple if simple else ([4], time(10, 0))
    day_opts = [{"text": plain(n), "value": str(i)} for i, n in enumerate(WEEKDAY_NAMES, 1)]
    due_opts = [
        {"text": plain(t), "value": str(n)}
        for n, t in enumerate(
            (
                "Same day",
                "Next day",
                "2 days later",
                "3 days later",
                "4 days later",
                "5 days later",
                "6 days later",
            )
        )
    ]
    on = {"text": plain("Run the weekly status round for this project"), "value": "on"}
    active: dict[str, Any] = {"type": "checkboxes", "action_id": "value", "options": [on]}
    if c.active:
        active["initial_options"] = [on]
    reporters: dict[str, Any] = {
        "type": "multi_users_select",
        "action_id": "value",
        "placeholder": plain("The PM"),
    }
    if c.reporters:
        reporters["initial_users"] = [p.external_id for p in c.reporters]
    channel: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": "value",
        "placeholder": plain("The workspace PMO channel"),
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if c.report_channel and CHANNEL_ID_RE.match(c.report_channel):
        channel["initial_conversation"] = c.report_channel
    rrule: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "placeholder": plain("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;BYHOUR=10"),
    }
    if simple is None:
        rrule["initial_value"] = c.rrule
    nxt = f"{c.next_open:%a %d %b %H:%M} UTC" if c.next_open else "none in the next 2 months"
    intro = (
        f"Times are in the PM's time zone, *{c.timezone}*. Next nudge: {nxt}. Only "
        "those who haven't submitted are chased (2 h before and at the deadline)."
    )
    blocks: list[dict[str, Any]] = [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": intro}]},
        _input("cd_active", "Status round", active, optional=True),
        _input(
            "cd_days",
            "Nudge on",
            {
                "type": "multi_static_select",
                "action_id": "value",
                "options": day_opts,
                "initial_options": [day_opts[d - 1] for d in days],
            },
        ),
        _input(
            "cd_time",
            "Nudge at",
            {"type": "timepicker", "action_id": "value", "initial_time": f"{at:%H:%M}"},
        ),
        _input(
            "cd_deadline_days",
            "Due",
            {
                "type": "static_select",
                "action_id": "value",
                "options": due_opts,
                "initial_option": due_opts[min(c.deadline_days, 6)],
            },
        ),
        _input(
            "cd_deadline_time",
            "Due at",
            {
                "type": "timepicker",
                "action_id": "value",
                "initial_time": f"{c.deadline_time:%H:%M}",
            },
        ),
        _input(
            "cd_reporters",
            "Who reports",
            reporters,
            optional=True,
            hint="Leave empty for the project's PM.",
        ),
        _input(
            "cd_channel",
            "Report channel",
            channel,
            optional=True,
            hint="Leave empty for the workspace PMO channel.",
        ),
        _input(
            "cd_rrule",
            "Advanced: recurrence rule",
            rrule,
            optional=True,
            hint="An iCalendar RRULE; when set it replaces the days and time above.",
        ),
    ]
    return {
        "type": "modal",
        "callback_id": CallbackId.CADENCE_MODAL,
        "title": plain(f"Round · {c.project_key}", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps({"key": c.project_key}),
        "blocks": blocks,
    }


def minutes_modal(v: MinutesView) -> View:
    """Add to open minutes at once: attendees, regrets, notes and decisions (one per line)
    and an action item with its owner and due date."""
    attendees: dict[str, Any] = {
        "type": "multi_users_select",
        "action_id": "value",
        "placeholder": plain("Who is here"),
    }
    if v.attendees:
        attendees["initial_users"] = [p.external_id for p in v.attendees][:100]
    absent: dict[str, Any] = {
        "type": "multi_users_select",
        "action_id": "value",
        "placeholder": plain("Who sent regrets"),
    }
    if v.absent:
        absent["initial_users"] = [p.external_id for p in v.absent][:100]
    lines = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": True,
        "max_length": 3000,
    }
    blocks = [
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": clip(f"Minutes #{v.id} · {_esc(v.title)}", 3000)}
            ],
        },
        _input("mm_attendees", "Attendees", attendees, optional=True),
        _input("mm_absent", "Regrets", absent, optional=True),
        _input("mm_notes", "Notes", dict(lines), optional=True, hint="One note per line."),
        _input(
            "mm_decisions", "Decisions", dict(lines), optional=True, hint="One decision per line."
        ),
        _input(
            "mm_action",
            "Action item",
            {"type": "plain_text_input", "action_id": "value", "max_length": 300},
            optional=True,
        ),
        _input("mm_owner", "Owner", {"type": "users_select", "action_id": "value"}, optional=True),
        _input("mm_due", "Due", {"type": "datepicker", "action_id": "value"}, optional=True),
    ]
    return {
        "type": "modal",
        "callback_id": CallbackId.MINUTES_MODAL,
        "title": plain("Minutes", 24),
        "submit": plain("Add", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps({"minutes": v.id}),
        "blocks": blocks,
    }


def add_to_minutes_modal(
    *, minutes_id: int, title: str, text: str, author: str | None, source_ref: str | None
) -> View:
    """The "Add to minutes" shortcut: the message as a note, a decision or an action item."""
    kinds = [
        {"text": plain(t), "value": v}
        for v, t in (("note", "Note"), ("decision", "Decision"), ("action", "Action item"))
    ]
    owner: dict[str, Any] = {"type": "users_select", "action_id": "value"}
    if author:
        owner["initial_user"] = author
    body: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": True,
        "max_length": 3000,
    }
    if text.strip():
        body["initial_value"] = clip(text.strip(), 3000)
    meta = {"minutes": minutes_id, "source_ref": source_ref}
    return {
        "type": "modal",
        "callback_id": CallbackId.ADD_TO_MINUTES_MODAL,
        "title": plain("Add to minutes", 24),
        "submit": plain("Add", 24),
        "close": plain("Cancel", 24),
        "private_metadata": clip(json.dumps(meta), 3000),
        "blocks": [
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": clip(f"Minutes #{minutes_id} · {_esc(title)}", 3000)}
                ],
            },
            _input(
                "am_kind",
                "Add it as",
                {
                    "type": "radio_buttons",
                    "action_id": "value",
                    "options": kinds,
                    "initial_option": kinds[0],
                },
            ),
            _input("am_text", "Text", body),
            _input("am_owner", "Owner (action items)", owner, optional=True),
            _input(
                "am_due",
                "Due (action items)",
                {"type": "datepicker", "action_id": "value"},
                optional=True,
            ),
        ],
    }


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def meeting_import_modal(*, key: str, channel: str | None) -> View:
    """Upload an .ics export; its meeting series are added to (or updated in) the project."""
    where: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": "value",
        "placeholder": plain("The project's channel"),
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if channel and CHANNEL_ID_RE.match(channel):
        where["initial_conversation"] = channel
    return {
        "type": "modal",
        "callback_id": CallbackId.MEETING_IMPORT_MODAL,
        "title": plain(f"Meetings · {key}", 24),
        "submit": plain("Import", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps({"key": key}),
        "blocks": [
            _input(
                "mi_file",
                "Calendar file (.ics)",
                {
                    "type": "file_input",
                    "action_id": "value",
                    "filetypes": ["ics"],
                    "max_files": 1,
                },
                hint="Export it from Google Calendar (Settings → Import & export) or Outlook "
                "(Save calendar). Series with the same UID are updated, not duplicated.",
            ),
            _input("mi_channel", "Agendas go to", where, optional=True),
        ],
    }
