"""Every form of the interaction core as a Teams dialog (an Adaptive Card in a task module),
rendered from the same definition as the Slack modal and the console prompt, and read back
through the same form parser. Errors show under their field; nothing is saved until all is
valid. Pure: data in, JSON out."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from handlers.teams.adaptive import CARD_TYPE, card, text_block
from services.core.forms import Field, FieldKind, FormId, FormRequest, Raw, Ref, one
from services.core.refs import Text, plain_text

PEOPLE_QUERY = {"type": "Data.Query", "dataset": "graph.microsoft.com/users"}
HIDDEN = ("form", "ref", "msteams", "dialog", "choices", "intro")


def request_data(request: FormRequest) -> dict[str, Any]:
    """A form request as button data (so `task/fetch` can open it later)."""
    return {
        "form": request.form.id.value,
        "values": {k: v for k, v in request.values.items() if v is not None},
        "ref": dict(request.ref),
        "choices": {k: [list(c) for c in v] for k, v in request.choices.items()},
        "intro": request.intro,
    }


def request_from(data: Mapping[str, Any], definitions: Mapping[FormId, Any]) -> FormRequest:
    """The form request a button carried (KeyError/ValueError when it is not one)."""
    form = definitions[FormId(str(data["form"]))]
    choices = {
        str(k): tuple((str(a), str(b)) for a, b in v)
        for k, v in (data.get("choices") or {}).items()
    }
    return FormRequest(
        form,
        values=dict(data.get("values") or {}),
        ref=dict(data.get("ref") or {}),
        choices=choices,
        intro=str(data.get("intro") or ""),
    )


def _value(raw: Raw) -> str:
    if isinstance(raw, list):
        return ",".join(str(v) for v in raw)
    return one(raw)


def field_input(f: Field, request: FormRequest, value: Raw) -> dict[str, Any]:
    """One Adaptive Card input for a form field."""
    base: dict[str, Any] = {"id": f.name, "label": f.label, "isRequired": f.required}
    if f.required:
        base["errorMessage"] = f"{f.label} is needed."
    shown = _value(value)
    match f.kind:
        case FieldKind.TEXT | FieldKind.LONG_TEXT | FieldKind.LINES | FieldKind.CHANNEL:
            out = {**base, "type": "Input.Text", "value": shown}
            if f.kind != FieldKind.TEXT and f.kind != FieldKind.CHANNEL:
                out["isMultiline"] = True
            if f.max_length:
                out["maxLength"] = f.max_length
            if f.placeholder:
                out["placeholder"] = f.placeholder
            return out
        case FieldKind.NUMBER:
            out = {**base, "type": "Input.Number"}
            if shown:
                out["value"] = shown
            if f.minimum is not None:
                out["min"] = f.minimum
            if f.maximum is not None:
                out["max"] = f.maximum
            return out
        case FieldKind.CHOICE | FieldKind.CHOICES | FieldKind.PROJECT:
            choices = [{"title": label, "value": v} for v, label in request.choices_for(f)]
            out = {**base, "type": "Input.ChoiceSet", "choices": choices, "value": shown}
            if f.kind == FieldKind.CHOICES:
                out["isMultiSelect"] = True
            if f.radio:
                out["style"] = "expanded"
            return out
        case FieldKind.FLAG:
            on = shown.strip().lower() in ("y", "yes", "true", "on", "1")
            return {
                **base,
                "type": "Input.Toggle",
                "title": f.option or f.label,
                "value": "true" if on else "false",
                "valueOn": "true",
                "valueOff": "false",
            }
        case FieldKind.PERSON | FieldKind.PEOPLE:
            out = {**base, "type": "Input.ChoiceSet", "choices": [], "value": shown}
            out["choices.data"] = PEOPLE_QUERY
            if f.kind == FieldKind.PEOPLE:
                out["isMultiSelect"] = True
            return out
        case FieldKind.DATE:
            return {**base, "type": "Input.Date", "value": shown}
        case FieldKind.TIME:
            return {**base, "type": "Input.Time", "value": shown}
        case FieldKind.FILE:
            return text_block(f"{f.label}: attach files in the console or Slack for now.")


def dialog_card(
    request: FormRequest,
    *,
    values: Mapping[str, Raw] | None = None,
    errors: Mapping[str, Text] | None = None,
) -> dict[str, Any]:
    """The dialog's card: the fields (with what was typed and any errors under them)."""
    shown = {**request.values, **(values or {})}
    errors = errors or {}
    body: list[dict[str, Any]] = []
    if request.intro:
        body.append(text_block(request.intro))
    stray = [
        plain_text(m) for k, m in errors.items() if k not in {f.name for f in request.form.fields}
    ]
    for f in request.form.fields:
        body.append(field_input(f, request, shown.get(f.name)))
        if f.hint:
            body.append(text_block(f.hint, isSubtle=True, size="Small", spacing="None"))
        if f.name in errors:
            body.append(
                text_block(f"⚠️ {plain_text(errors[f.name])}", color="Attention", spacing="None")
            )
    if stray:
        body.insert(0, text_block("⚠️ " + " ".join(stray), color="Attention"))
    submit = {
        "type": "Action.Submit",
        "title": request.form.submit,
        "data": {
            "form": request.form.id.value,
            "ref": json.dumps(dict(request.ref)),
            "choices": request_data(request)["choices"],
            "intro": request.intro,
        },
    }
    return card(body, [submit])


def dialog(request: FormRequest, **kw: Any) -> dict[str, Any]:
    """The `task/fetch` (or failed `task/submit`) answer that shows the form."""
    return {
        "task": {
            "type": "continue",
            "value": {
                "title": request.form.title[:100],
                "card": {"contentType": CARD_TYPE, "content": dialog_card(request, **kw)},
            },
        }
    }


def submitted(data: Mapping[str, Any]) -> tuple[FormId, dict[str, Raw], dict[str, Ref]]:
    """A `task/submit`'s form, values (as the form parser reads them) and hidden reference."""
    form = FormId(str(data["form"]))
    ref_raw = data.get("ref") or "{}"
    ref = json.loads(ref_raw) if isinstance(ref_raw, str) else dict(ref_raw)
    values: dict[str, Raw] = {}
    for key, value in data.items():
        if key in HIDDEN:
            continue
        if isinstance(value, list):
            values[key] = [str(v) for v in value]
        elif value is None:
            values[key] = None
        else:
            values[key] = str(value)
    return form, values, {str(k): v for k, v in ref.items()}


def message_answer(text: str) -> dict[str, Any]:
    """Close the dialog with a short message."""
    return {"task": {"type": "message", "value": text[:500]}}
