"""A form as a guided prompt in the console, rendered from the form's definition.

Each field is asked in turn with its current value in brackets: Enter keeps it, `-` clears
it, `back` returns to the previous field, `skip` leaves an optional field empty. A bad
answer re-asks that field only, with the reason; nothing is saved until every field is
valid. Ctrl-C cancels the form (not the console).
"""

from __future__ import annotations

from collections.abc import Callable

from handlers.console.channel import Reply
from handlers.console.text import words
from services.core.dates import parse_time
from services.core.errors import DomainError, FormErrors
from services.core.forms import NO, YES, Field, FieldKind, FormRequest, Raw

Ask = Callable[[str, str], str]  # (prompt, default) → the answer as typed
ASKED = tuple(k for k in FieldKind if k != FieldKind.FILE)
BACK, SKIP, CLEAR = "back", "skip", "-"


def shown(value: Raw) -> str:
    """A raw value as the prompt shows it in brackets."""
    if isinstance(value, list):
        return " ".join(value)
    return value or ""


def label(f: Field, request: FormRequest) -> str:
    """The question for a field, with its choices or its expected shape."""
    text = f.label.rstrip("?")
    choices = request.choices_for(f)
    if f.kind in (FieldKind.CHOICE, FieldKind.CHOICES, FieldKind.PROJECT) and choices:
        text += " (" + "/".join(v for v, _ in choices[:12]) + ("/…" if len(choices) > 12 else "")
        text += ")"
    elif f.kind == FieldKind.FLAG:
        text += f" — {f.option} (y/n)" if f.option else " (y/n)"
    elif f.kind in (FieldKind.PERSON, FieldKind.PEOPLE):
        text += " (@handle" + (" @handle …" if f.kind == FieldKind.PEOPLE else "") + ")"
    elif f.kind == FieldKind.LINES:
        text += " (separate entries with ' | ')"
    if not f.required:
        text += " [optional]"
    return text


def answer(f: Field, typed: str, current: Raw) -> Raw:
    """What an answer makes of a field's value."""
    if typed == "":
        return current
    if typed in (CLEAR, SKIP):
        return [] if f.kind in (FieldKind.CHOICES, FieldKind.PEOPLE) else ""
    if f.kind in (FieldKind.CHOICES, FieldKind.PEOPLE):
        return [v.lstrip("@") for v in typed.replace(",", " ").split()]
    if f.kind == FieldKind.LINES:
        return "\n".join(part.strip() for part in typed.split("|"))
    if f.kind == FieldKind.PERSON:
        return typed.lstrip("@")
    return typed


def check(f: Field, request: FormRequest, value: Raw) -> str | None:
    """Why an answer can't be right for its field as typed (None when it may be): choices,
    numbers, times and yes/no are checked at once; the rest when the form is submitted."""
    if value in ("", [], None):
        return None
    choices = {v.lower() for v, _ in request.choices_for(f)}
    if (
        f.kind in (FieldKind.CHOICE, FieldKind.PROJECT)
        and choices
        and str(value).lower() not in choices
    ):
        shown = ", ".join(v for v, _ in request.choices_for(f)[:12])
        return f"{value!s} is not one of the choices: {shown}."
    if f.kind == FieldKind.CHOICES and choices and isinstance(value, list):
        wrong = [v for v in value if v.lower() not in choices]
        if wrong:
            return f"{', '.join(wrong)}: not among the choices."
    if f.kind == FieldKind.NUMBER:
        text = str(value).strip().rstrip("%")
        if not text.lstrip("-").isdigit():
            return f"{value!s} is not a whole number."
        n = int(text)
        if (f.minimum is not None and n < f.minimum) or (f.maximum is not None and n > f.maximum):
            return f"{f.label} must be from {f.minimum} to {f.maximum}."
    if f.kind == FieldKind.TIME:
        try:
            parse_time(str(value))
        except DomainError as err:
            return words(err.message)
    if f.kind == FieldKind.FLAG and str(value).strip().lower() not in YES | NO:
        return "Answer y or n."
    return None


def normal(f: Field, request: FormRequest, value: Raw) -> Raw:
    """A checked answer in the form its field expects (a choice in its own spelling)."""
    spelled = {v.lower(): v for v, _ in request.choices_for(f)}
    if f.kind in (FieldKind.CHOICE, FieldKind.PROJECT) and isinstance(value, str):
        return spelled.get(value.lower(), value)
    if f.kind == FieldKind.CHOICES and isinstance(value, list):
        return [spelled.get(v.lower(), v) for v in value]
    return value


def fill(
    request: FormRequest,
    ask: Ask,
    submit: Callable[[dict[str, Raw]], Reply],
    *,
    echo: Callable[[str], None] = print,
) -> Reply:
    """Ask for every field, submit, and re-ask only the fields that were wrong."""
    fields = [f for f in request.form.fields if f.kind in ASKED]
    values: dict[str, Raw] = {f.name: request.values.get(f.name) for f in fields}
    todo = list(range(len(fields)))
    try:
        while True:
            i = 0
            while i < len(todo):
                f = fields[todo[i]]
                typed = ask(label(f, request), shown(values[f.name])).strip()
                if typed.lower() == BACK:
                    i = max(0, i - 1)
                    continue
                if typed.lower() == SKIP and f.required:
                    echo(f"  {f.label} is needed; it can't be skipped.")
                    continue
                value = answer(f, typed, values[f.name])
                problem = check(f, request, value) if typed else None
                if problem:
                    echo(f"  {problem}")
                    continue  # the same field again; nothing else is lost
                values[f.name] = normal(f, request, value)
                i += 1
            try:
                return submit(values)
            except FormErrors as err:
                wrong = err.errors
            except DomainError as err:
                if err.field is None or all(f.name != err.field for f in fields):
                    hint = f"\n{words(err.hint)}" if err.hint else ""
                    return Reply(False, words(err.message) + hint)
                wrong = {err.field: err.message}
            for why in wrong.values():
                echo(f"  {words(why)}")
            todo = [n for n, f in enumerate(fields) if f.name in wrong]
    except (KeyboardInterrupt, EOFError):
        return Reply(False, "Cancelled; nothing was saved.")
