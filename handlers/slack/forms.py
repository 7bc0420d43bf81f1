"""Forms as Slack modals: rendered from the form's definition, read back as raw values.

Each field becomes an input block whose id is the field's name (with a per-form prefix) and
whose element suits the field's kind; a submission gives back, per field, what the person
entered as text or a list of values. Pure: data in, JSON out.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any, assert_never

from handlers.slack.blocks import SLACK_CHANNEL, SLACK_USER, Block, clip, escape, plain
from handlers.slack.ids import CallbackId
from services.core.forms import Field, FieldKind, FormId, FormRequest, Raw, Ref

View = dict[str, Any]
MAX_OPTIONS = 100
TEXT_INPUT = 3000  # a plain_text_input's max_length, and so its initial_value
TEXTS = (FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.LINES, FieldKind.NUMBER)
CUT = "~cut"  # private_metadata: the texts of an edit form shown cut, by field (a digest of each)
PRIVATE_METADATA = 3000
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HH_MM = re.compile(r"^\d{2}:\d{2}$")
CALLBACKS: dict[FormId, CallbackId] = {
    FormId.NEW_ITEM: CallbackId.NEW_ITEM_MODAL,
    FormId.EDIT_ITEM: CallbackId.EDIT_ITEM_MODAL,
    FormId.NEW_PROJECT: CallbackId.NEW_PROJECT_MODAL,
    FormId.NEW_DELIVERABLE: CallbackId.NEW_DELIVERABLE_MODAL,
    FormId.STATUS: CallbackId.STATUS_MODAL,
    FormId.CADENCE: CallbackId.CADENCE_MODAL,
    FormId.MINUTES_ADD: CallbackId.MINUTES_MODAL,
    FormId.ADD_TO_MINUTES: CallbackId.ADD_TO_MINUTES_MODAL,
    FormId.MEETING_IMPORT: CallbackId.MEETING_IMPORT_MODAL,
    FormId.RAID_RISK: CallbackId.RAID_RISK_MODAL,
    FormId.RAID_ISSUE: CallbackId.RAID_ISSUE_MODAL,
    FormId.RAID_ENTRY: CallbackId.RAID_ENTRY_MODAL,
    FormId.RAID_RESCORE: CallbackId.RAID_RESCORE_MODAL,
    FormId.RAID_RESOLVE: CallbackId.RAID_RESOLVE_MODAL,
    FormId.RAID_LOG: CallbackId.RAID_LOG_MODAL,
    FormId.SIGNOFF_NOT_YET: CallbackId.SIGNOFF_NOT_YET_MODAL,
    FormId.DEPENDENCY_PROPOSE: CallbackId.DEPENDENCY_PROPOSE_MODAL,
    FormId.DEPENDENCY_DECLINE: CallbackId.DEPENDENCY_DECLINE_MODAL,
    FormId.GATE_REJECT: CallbackId.GATE_REJECT_MODAL,
    FormId.DOCUMENT_CHANGES: CallbackId.DOCUMENT_CHANGES_MODAL,
}
FORMS = {callback: form for form, callback in CALLBACKS.items()}
# Block ids are the field names, prefixed per form so that they read well in Slack's payloads.
PREFIXES: dict[FormId, str] = {
    FormId.STATUS: "st_",
    FormId.CADENCE: "cd_",
    FormId.MINUTES_ADD: "mm_",
    FormId.ADD_TO_MINUTES: "am_",
    FormId.MEETING_IMPORT: "mi_",
    FormId.RAID_RISK: "rr_",
    FormId.RAID_ISSUE: "ri_",
    FormId.RAID_ENTRY: "re_",
    FormId.RAID_RESCORE: "rs_",
    FormId.RAID_RESOLVE: "rv_",
    FormId.RAID_LOG: "rl_",
    FormId.SIGNOFF_NOT_YET: "so_",
    FormId.DEPENDENCY_PROPOSE: "dp_",
    FormId.DEPENDENCY_DECLINE: "dd_",
    FormId.GATE_REJECT: "gr_",
    FormId.DOCUMENT_CHANGES: "dc_",
}
TITLED_BY_KEY = (FormId.STATUS, FormId.CADENCE, FormId.MEETING_IMPORT)


def block_id(form: FormId, field: str) -> str:
    """The input block id of a form's field."""
    return f"{PREFIXES.get(form, '')}{field}"


def _options(choices: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
    return [{"text": plain(label), "value": value[:150]} for value, label in choices]


def _label(option: dict[str, Any]) -> str:
    return str(option["text"]["text"])


def _offer(el: dict[str, Any], options: list[dict[str, Any]]) -> dict[str, Any]:
    """A select's options: as they are up to Slack's 100, else in groups of 100 (up to 100
    groups), each labelled with its first and last choice, so that none is left out."""
    if len(options) <= MAX_OPTIONS or el["type"] not in ("static_select", "multi_static_select"):
        el["options"] = options[:MAX_OPTIONS]
        return el
    groups = [options[i : i + MAX_OPTIONS] for i in range(0, len(options), MAX_OPTIONS)]
    el["option_groups"] = [
        {"label": plain(f"{clip(_label(g[0]), 36)} – {clip(_label(g[-1]), 36)}"), "options": g}
        for g in groups[:MAX_OPTIONS]
    ]
    return el


def _capacity(f: Field) -> int | None:
    """How many characters a text field's input takes (Slack's inputs hold 3,000 at most)."""
    limit = f.max_length or (
        TEXT_INPUT if f.kind in (FieldKind.LONG_TEXT, FieldKind.LINES) else None
    )
    return min(limit, TEXT_INPUT) if limit else None


def _text_input(f: Field, value: str) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "plain_text_input", "action_id": "value"}
    if f.kind in (FieldKind.LONG_TEXT, FieldKind.LINES):
        el["multiline"] = True
    limit = _capacity(f)
    if limit or len(value) > TEXT_INPUT:
        # A value longer than the field takes is shown whole where Slack can (the reader
        # then asks for a shorter one), cut only past what any Slack input holds.
        el["max_length"] = max(limit or 0, min(len(value), TEXT_INPUT))
    if value:  # plain text: no entity to keep whole, so cut at the very limit
        cap = el.get("max_length", TEXT_INPUT)
        el["initial_value"] = value if len(value) <= cap else value[: cap - 1] + "…"
    if f.placeholder:
        el["placeholder"] = plain(f.placeholder, 150)
    return el


def _cut(f: Field, raw: Raw) -> bool:
    """Whether a text is too long for Slack's input, and so shown cut."""
    return f.kind in TEXTS and isinstance(raw, str) and len(raw) > TEXT_INPUT


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _hint(f: Field, raw: Raw, editing: bool) -> str:
    """The field's hint, and a word when its text is too long for Slack to show whole."""
    if not isinstance(raw, str) or not _cut(f, raw):
        return f.hint
    keep = (
        "Left as it is, the whole text is kept; a change saves what the box holds."
        if editing
        else "Saving keeps only what the box holds."
    )
    cut = f"Shown cut: the first {TEXT_INPUT - 1:,} of its {len(raw):,} characters. {keep}"
    return f"{f.hint} {cut}".strip()


def element(f: Field, raw: Raw, choices: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """The Block Kit element for one field, with its starting value."""
    value = raw if isinstance(raw, str) else (raw[0] if raw else "")
    values = raw if isinstance(raw, list) else ([raw] if raw else [])
    match f.kind:
        case FieldKind.TEXT | FieldKind.LONG_TEXT | FieldKind.LINES | FieldKind.NUMBER:
            return _text_input(f, value)
        case FieldKind.CHOICE | FieldKind.PROJECT:
            options = _options(choices)
            el: dict[str, Any] = {
                "type": "radio_buttons" if f.radio else "static_select",
                "action_id": "value",
            }
            _offer(el, options)
            if not f.radio:
                el["placeholder"] = plain(f.placeholder or ("Pick one" if f.required else "None"))
            initial = next((o for o in options if o["value"] == value), None)
            if initial:
                el["initial_option"] = initial
            return el
        case FieldKind.CHOICES:
            options = _options(choices)
            el = _offer({"type": "multi_static_select", "action_id": "value"}, options)
            picked = [o for o in options if o["value"] in values]
            if picked:
                el["initial_options"] = picked
            return el
        case FieldKind.FLAG:
            box = {"text": plain(f.option or f.label), "value": "yes"}
            el = {"type": "checkboxes", "action_id": "value", "options": [box]}
            if value.lower() in ("yes", "y", "true", "on"):
                el["initial_options"] = [box]
            return el
        case FieldKind.PERSON:
            el = {"type": "users_select", "action_id": "value"}
            if SLACK_USER.match(value):
                el["initial_user"] = value
            return el
        case FieldKind.PEOPLE:
            el = {"type": "multi_users_select", "action_id": "value"}
            if f.placeholder:
                el["placeholder"] = plain(f.placeholder, 150)
            users = [v for v in values if SLACK_USER.match(v)][:MAX_OPTIONS]
            if users:
                el["initial_users"] = users
            return el
        case FieldKind.DATE:
            el = {"type": "datepicker", "action_id": "value"}
            if ISO_DATE.match(value):
                el["initial_date"] = value
            return el
        case FieldKind.TIME:
            el = {"type": "timepicker", "action_id": "value"}
            if HH_MM.match(value):
                el["initial_time"] = value
            return el
        case FieldKind.CHANNEL:
            el = {
                "type": "conversations_select",
                "action_id": "value",
                "placeholder": plain(
                    f.hint.removeprefix("Leave empty for ").rstrip(".") or "A channel"
                ),
                "filter": {"include": ["public", "private"], "exclude_bot_users": True},
            }
            if SLACK_CHANNEL.match(value):
                el["initial_conversation"] = value
            return el
        case FieldKind.FILE:
            return {
                "type": "file_input",
                "action_id": "value",
                "filetypes": ["ics"],
                "max_files": 1,
            }
        case _:
            assert_never(f.kind)


def modal(request: FormRequest) -> View:
    """The modal for a form request."""
    form = request.form
    blocks: list[Block] = []
    if request.intro:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": clip(escape(request.intro), 3000)}],
            }
        )
    for f in form.fields:
        block: Block = {
            "type": "input",
            "block_id": block_id(form.id, f.name),
            "label": plain(f.label, 2000),
            "element": element(f, request.values.get(f.name), request.choices_for(f)),
            "optional": not f.required,
        }
        if hint := _hint(f, request.values.get(f.name), request.editing):
            block["hint"] = plain(hint, 2000)
        blocks.append(block)
    cut = {  # an edit form's texts shown cut: handed back missing if left as shown
        f.name: _digest(_text_input(f, str(request.values[f.name]))["initial_value"])
        for f in form.fields
        if request.editing and _cut(f, request.values.get(f.name))
    }
    metadata = json.dumps({**request.ref, CUT: cut} if cut else dict(request.ref))
    if len(metadata) > PRIVATE_METADATA:  # cut JSON would lose what the form is about
        raise ValueError(f"a form's reference must fit in {PRIVATE_METADATA} chars: {metadata}")
    key = request.ref.get("key")
    title = f"{form.title} · {key}" if key and form.id in TITLED_BY_KEY else form.title
    return {
        "type": "modal",
        "callback_id": CALLBACKS[form.id],
        "title": plain(title, 24),
        "submit": plain(form.submit, 24),
        "close": plain("Cancel", 24),
        "private_metadata": metadata,
        "blocks": blocks,
    }


def read(
    form: FormId, view: Mapping[str, Any]
) -> tuple[dict[str, Raw], dict[str, Ref], list[dict[str, Any]]]:
    """A submitted modal's raw values by field name, its hidden reference, and any files."""
    prefix = PREFIXES.get(form, "")
    values: dict[str, Raw] = {}
    files: list[dict[str, Any]] = []
    for bid, acts in (view.get("state", {}).get("values", {}) or {}).items():
        v = (acts or {}).get("value", {}) or {}
        name = str(bid).removeprefix(prefix)
        match v.get("type"):
            case "plain_text_input":
                values[name] = v.get("value") or ""
            case "static_select" | "radio_buttons":
                values[name] = (v.get("selected_option") or {}).get("value") or ""
            case "users_select":
                values[name] = v.get("selected_user") or ""
            case "datepicker":
                values[name] = v.get("selected_date") or ""
            case "timepicker":
                values[name] = v.get("selected_time") or ""
            case "conversations_select":
                values[name] = v.get("selected_conversation") or ""
            case "checkboxes" | "multi_static_select":
                values[name] = [str(o.get("value")) for o in v.get("selected_options") or []]
            case "multi_users_select":
                values[name] = [str(u) for u in v.get("selected_users") or []]
            case "file_input":
                files = list(v.get("files") or [])
                values[name] = [str(f.get("name") or "file") for f in files]
    try:
        ref = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        ref = {}
    ref = ref if isinstance(ref, dict) else {}
    for name, digest in (ref.pop(CUT, None) or {}).items():
        if isinstance(values.get(name), str) and _digest(str(values[name])) == digest:
            del values[name]  # left as shown (cut): the feature keeps what it holds
    return values, ref, files


def errors_for(form: FormId, errors: Mapping[str, str]) -> dict[str, str]:
    """Field errors as Slack wants them: by block id, each within 150 characters."""
    return {block_id(form, name): clip(text, 150) for name, text in errors.items()}
