"""Forms as data: a form is defined once (fields, kinds, limits, prefill) in its feature
package; every channel renders it from the definition (a Slack modal, a Teams dialog, the
console's guided prompt) and hands what the person entered back as raw values, which the
feature reads through one function. Errors name the field they belong to.

Raw values are what a channel read from its widgets, as text: a typed or chosen value, a list
of chosen values, or a person's platform id (Slack `U…`, a console handle, a Teams id).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, time

from models import Person
from services.core.dates import DateSense, parse_time, read_date
from services.core.errors import DomainError, FormErrors, InvalidInput
from services.core.refs import Phrase, Text, parts_of

Raw = str | list[str] | None
Ref = str | int | None
Pick = Callable[[str, str], Person]  # (field, a person as picked) → the person, or a DomainError
YES = frozenset({"y", "yes", "true", "on", "1"})
NO = frozenset({"", "n", "no", "false", "off", "0", "-"})


class FieldKind(enum.StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"  # several lines
    LINES = "lines"  # one entry per line
    NUMBER = "number"
    CHOICE = "choice"
    CHOICES = "choices"
    FLAG = "flag"  # a yes/no box
    PERSON = "person"
    PEOPLE = "people"
    DATE = "date"
    TIME = "time"
    CHANNEL = "channel"
    PROJECT = "project"  # a choice of the projects the person can see
    FILE = "file"


class FormId(enum.StrEnum):
    NEW_ITEM = "new_item"
    EDIT_ITEM = "edit_item"
    NEW_PROJECT = "new_project"
    NEW_DELIVERABLE = "new_deliverable"
    STATUS = "status"
    CADENCE = "cadence"
    MINUTES_ADD = "minutes_add"
    ADD_TO_MINUTES = "add_to_minutes"
    MEETING_IMPORT = "meeting_import"
    RAID_RISK = "raid_risk"  # a new or edited risk
    RAID_ISSUE = "raid_issue"
    RAID_ENTRY = "raid_entry"  # an assumption, a dependency or a decision
    RAID_RESCORE = "raid_rescore"
    RAID_RESOLVE = "raid_resolve"
    RAID_LOG = "raid_log"  # a message logged as a risk or an issue
    SIGNOFF_NOT_YET = "signoff_not_yet"
    DEPENDENCY_PROPOSE = "dependency_propose"
    DEPENDENCY_DECLINE = "dependency_decline"
    GATE_REJECT = "gate_reject"
    DOCUMENT_CHANGES = "document_changes"


@dataclass(frozen=True)
class Field:
    """One input of a form."""

    name: str
    label: str
    kind: FieldKind
    required: bool = False
    max_length: int | None = None
    hint: str = ""
    placeholder: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    option: str = ""  # a FLAG's box label
    minimum: int | None = None
    maximum: int | None = None
    radio: bool = False  # few choices, all shown


@dataclass(frozen=True)
class Form:
    """A form's definition; `error_field` shows errors that belong to no one field."""

    id: FormId
    title: str
    submit: str
    fields: tuple[Field, ...]
    error_field: str = ""

    def field(self, name: str) -> Field:
        """The field called `name`."""
        return next(f for f in self.fields if f.name == name)

    @property
    def fallback_field(self) -> str:
        return self.error_field or self.fields[0].name


@dataclass(frozen=True)
class FormRequest:
    """A form to show: its definition, starting values, what it is about (hidden), and the
    choices that depend on the person (the projects they can see)."""

    form: Form
    values: Mapping[str, Raw] = field(default_factory=dict)
    ref: Mapping[str, Ref] = field(default_factory=dict)
    choices: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    intro: str = ""  # a line above the fields (plain text; the channel escapes it)
    # The values are what a stored row holds (an edit form): a channel that can't show a text
    # whole may hand it back missing when it was left as shown, and the feature keeps it.
    editing: bool = False

    def choices_for(self, f: Field) -> tuple[tuple[str, str], ...]:
        """A field's choices: fixed ones from the definition or this request's."""
        return self.choices.get(f.name, f.choices)


def one(raw: Raw) -> str:
    """A raw value as one string (the first of a list)."""
    if raw is None:
        return ""
    if isinstance(raw, list):
        return str(raw[0]) if raw else ""
    return raw


def many(raw: Raw) -> list[str]:
    """A raw value as a list (a typed value splits on commas and white space)."""
    if raw is None:
        return []
    if isinstance(raw, list):
        return [str(v) for v in raw if str(v).strip()]
    return [v for v in raw.replace(",", " ").split() if v]


def with_hint(err: InvalidInput) -> Text:
    """An error's message and hint as one text (a form field shows one line)."""
    if err.hint is None:
        return err.message
    return Phrase((*parts_of(err.message), " ", *parts_of(err.hint)))


class Reader:
    """Reads a submitted form field by field, collecting every error before it fails."""

    def __init__(self, form: Form, values: Mapping[str, Raw]) -> None:
        self.form = form
        self.values = values
        self.errors: dict[str, Text] = {}

    def fail(self, name: str, message: Text) -> None:
        """Record an error on a field (the first one per field is kept)."""
        self.errors.setdefault(name, message)

    def kept(self, name: str) -> bool:
        """Whether an edit form's text came back missing: left as the channel showed it (cut,
        where the channel couldn't show it whole), so what is stored stays as it is."""
        return name not in self.values

    def text(self, name: str) -> str:
        """A text field, stripped; required and length checked."""
        f = self.form.field(name)
        value = one(self.values.get(name)).strip()
        if f.required and not value:
            self.fail(name, f"{f.label} is missing.")
        elif f.max_length is not None and len(value) > f.max_length:
            self.fail(name, f"Keep {f.label.lower()} under {f.max_length} characters.")
        return value

    def lines(self, name: str) -> list[str]:
        """One entry per non-empty line; at most `maximum` of them."""
        f = self.form.field(name)
        found = [ln.strip() for ln in one(self.values.get(name)).splitlines() if ln.strip()]
        if f.maximum is not None and len(found) > f.maximum:
            self.fail(name, f"At most {f.maximum} at once.")
        if f.required and not found:
            self.fail(name, f"{f.label} is missing.")
        return found

    def choice(self, name: str, choices: tuple[tuple[str, str], ...] = ()) -> str | None:
        """A value among the field's choices (by value or label, any case), or None."""
        f = self.form.field(name)
        raw = one(self.values.get(name)).strip()
        if not raw or raw == "-":
            if f.required:
                self.fail(name, f"Pick {f.label.lower()}.")
            return None
        options = choices or f.choices
        if not options:
            return raw
        for value, label in options:
            if raw.lower() in (value.lower(), label.lower()):
                return value
        words = ", ".join(v for v, _ in options)
        self.fail(name, f"{raw[:40]!r} is not one of: {words}.")
        return None

    def choices(self, name: str) -> list[str]:
        """Several values among the field's choices."""
        f = self.form.field(name)
        picked: list[str] = []
        for raw in many(self.values.get(name)):
            match = next(
                (v for v, label in f.choices if raw.lower() in (v.lower(), label.lower())), None
            )
            if match is None:
                self.fail(
                    name, f"{raw[:40]!r} is not one of: {', '.join(v for v, _ in f.choices)}."
                )
            elif match not in picked:
                picked.append(match)
        if f.required and not picked:
            self.fail(name, f"Pick at least one for {f.label.lower()}.")
        return picked

    def flag(self, name: str) -> bool:
        """A yes/no box: yes, y, true, on (or a ticked box)."""
        raw = self.values.get(name)
        if isinstance(raw, list):
            return bool(raw)
        value = (raw or "").strip().lower()
        if value in YES:
            return True
        if value not in NO:
            self.fail(name, f"{value[:20]!r} is not yes or no.")
        return False

    def number(self, name: str) -> int | None:
        """A whole number within the field's bounds ('40%' reads as 40); empty is None."""
        f = self.form.field(name)
        raw = one(self.values.get(name)).strip().rstrip("%").strip()
        if raw in ("", "-"):
            if f.required:
                self.fail(name, f"{f.label} is missing.")
            return None
        lo, hi = f.minimum, f.maximum
        span = f" from {lo} to {hi}" if lo is not None and hi is not None else ""
        if (
            not raw.isdigit()
            or (lo is not None and int(raw) < lo)
            or (hi is not None and int(raw) > hi)
        ):
            self.fail(name, f"A whole number{span}.")
            return None
        return int(raw)

    def date(
        self, name: str, sense: DateSense, *, allow_past: bool = False, current: date | None = None
    ) -> date | None:
        """A date as a date picker sends it (ISO) or as a person types it ('friday'), read by
        `read_date` for this person; `current` (the value it had) is kept even if past."""
        f = self.form.field(name)
        raw = one(self.values.get(name)).strip()
        if not raw or raw == "-":
            if f.required:
                self.fail(name, f"Pick {f.label.lower()}.")
            return None
        try:
            return read_date(raw, sense, allow_past=allow_past)
        except InvalidInput as err:
            if current is not None and raw == current.isoformat():
                return current
            self.fail(name, with_hint(err))
            return None

    def time(self, name: str, default: time | None = None) -> time | None:
        """A time of day (09:30, 5pm); empty gives `default`."""
        raw = one(self.values.get(name)).strip()
        if not raw:
            return default
        try:
            return parse_time(raw)
        except InvalidInput as err:
            self.fail(name, err.message)
            return default

    def pick(self, name: str) -> str | None:
        """A person's platform id or handle as picked (resolved later by the channel)."""
        f = self.form.field(name)
        raw = one(self.values.get(name)).strip()
        if not raw and f.required:
            self.fail(name, f"Pick {f.label.lower()}.")
        return raw or None

    def picks(self, name: str) -> list[str]:
        """Several people as picked."""
        return many(self.values.get(name))

    def person(self, name: str, pick: Pick) -> Person | None:
        """The person picked in a field, resolved by the channel (None when empty or wrong)."""
        raw = self.pick(name)
        return self._resolve(name, raw, pick) if raw else None

    def people(self, name: str, pick: Pick) -> list[Person]:
        """The people picked in a field, resolved by the channel (the wrong ones left out)."""
        return [p for raw in self.picks(name) if (p := self._resolve(name, raw, pick))]

    def _resolve(self, name: str, raw: str, pick: Pick) -> Person | None:
        try:
            return pick(name, raw)
        except DomainError as err:
            self.fail(name, err.message)
            return None

    def done(self) -> None:
        """Raise FormErrors when any field was wrong."""
        if self.errors:
            raise FormErrors(self.errors)
