"""The meeting forms, defined once: adding to open minutes (everything at once, or one
message through the "Add to minutes" shortcut), and importing meeting series from a file."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from models import EntryKind
from services.core.access import Actor
from services.core.errors import DomainError
from services.core.forms import Field, FieldKind, Form, FormId, FormRequest, Pick, Raw, Reader, Ref
from services.meetings import minutes, series
from services.meetings.views import MinutesView

NOTE_LINES = 100  # the Minutes form takes up to this many notes (or decisions) at once

MINUTES_FORM = Form(
    FormId.MINUTES_ADD,
    "Minutes",
    "Add",
    (
        Field("attendees", "Attendees", FieldKind.PEOPLE, placeholder="Who is here"),
        Field("absent", "Regrets", FieldKind.PEOPLE, placeholder="Who sent regrets"),
        Field(
            "notes",
            "Notes",
            FieldKind.LINES,
            max_length=3000,
            maximum=NOTE_LINES,
            hint="One note per line.",
        ),
        Field(
            "decisions",
            "Decisions",
            FieldKind.LINES,
            max_length=3000,
            maximum=NOTE_LINES,
            hint="One decision per line.",
        ),
        Field("action", "Action item", FieldKind.TEXT, max_length=300),
        Field("owner", "Owner", FieldKind.PERSON),
        Field("due", "Due", FieldKind.DATE),
    ),
    error_field="notes",
)

KINDS = (("note", "Note"), ("decision", "Decision"), ("action", "Action item"))
ADD_FORM = Form(
    FormId.ADD_TO_MINUTES,
    "Add to minutes",
    "Add",
    (
        Field("kind", "Add it as", FieldKind.CHOICE, required=True, choices=KINDS, radio=True),
        Field("text", "Text", FieldKind.LONG_TEXT, required=True, max_length=3000),
        Field("owner", "Owner (action items)", FieldKind.PERSON),
        Field("due", "Due (action items)", FieldKind.DATE),
    ),
    error_field="text",
)

IMPORT_FORM = Form(
    FormId.MEETING_IMPORT,
    "Meetings",
    "Import",
    (
        Field(
            "file",
            "Calendar file (.ics)",
            FieldKind.FILE,
            required=True,
            hint="Export it from Google Calendar (Settings → Import & export) or Outlook "
            "(Save calendar). Series with the same UID are updated, not duplicated.",
        ),
        Field("channel", "Agendas go to", FieldKind.CHANNEL),
    ),
    error_field="file",
)


def minutes_request(v: MinutesView) -> FormRequest:
    """The form to add to open minutes, with who is already marked present or absent."""
    values: dict[str, Raw] = {
        "attendees": [p.external_id for p in v.attendees][:100],
        "absent": [p.external_id for p in v.absent][:100],
    }
    return FormRequest(
        MINUTES_FORM, values, {"minutes": v.id}, intro=f"Minutes #{v.id} · {v.title}"
    )


def add_request(
    *, minutes_id: int, title: str, text: str, author: str | None, source_ref: str | None
) -> FormRequest:
    """One message to add to the open minutes, as a note, a decision or an action item."""
    values: dict[str, Raw] = {"kind": "note", "text": text.strip()[:3000], "owner": author}
    ref: dict[str, Ref] = {"minutes": minutes_id, "source_ref": source_ref}
    return FormRequest(ADD_FORM, values, ref, intro=f"Minutes #{minutes_id} · {title}")


def import_request(*, key: str, channel: str | None) -> FormRequest:
    """The meeting-import form of a project (agendas go to this channel by default)."""
    return FormRequest(IMPORT_FORM, {"channel": channel or ""}, {"key": key})


def submit_minutes(
    session: Session,
    actor: Actor,
    *,
    values: Mapping[str, Raw],
    ref: Mapping[str, Ref],
    pick: Pick,
    now: datetime,
) -> MinutesView:
    """Add everything in the form at once: all of it, or nothing and the errors."""
    mid = int(ref.get("minutes") or 0)
    r = Reader(MINUTES_FORM, values)
    present, absent = r.people("attendees", pick), r.people("absent", pick)
    notes, decisions = r.lines("notes"), r.lines("decisions")
    action = r.text("action")
    owner = r.person("owner", pick)
    if action and owner is None and "owner" not in r.errors:
        r.fail("owner", "The action item needs an owner.")
    due = r.date("due", actor.sense(now))
    r.done()
    v = minutes.get(session, actor, minutes_id=mid)
    for people, here in ((present, True), (absent, False)):
        if people:
            v = minutes.set_attendance(
                session, actor, channel="", people=people, present=here, minutes_id=mid
            )
    for name, kind, lines in (
        ("notes", EntryKind.NOTE, notes),
        ("decisions", EntryKind.DECISION, decisions),
    ):
        for line in lines:
            try:
                v = minutes.add_entry(
                    session, actor, channel="", kind=kind, text=line, now=now, minutes_id=mid
                )
            except DomainError as err:
                raise err.on(name) from None
    if action and owner is not None:
        try:
            v, _ = minutes.add_action(
                session,
                actor,
                channel="",
                owner=owner,
                text=action,
                due_on=due,
                now=now,
                minutes_id=mid,
            )
        except DomainError as err:
            raise err.on("action") from None
    return v


def submit_add(
    session: Session,
    actor: Actor,
    *,
    values: Mapping[str, Raw],
    ref: Mapping[str, Ref],
    pick: Pick,
    now: datetime,
) -> MinutesView:
    """Add one message to the minutes as a note, a decision or an action item."""
    mid = int(ref.get("minutes") or 0)
    source = str(ref["source_ref"]) if ref.get("source_ref") else None
    r = Reader(ADD_FORM, values)
    kind, text = r.choice("kind") or "note", r.text("text")
    owner = r.person("owner", pick) if kind == "action" else None
    if kind == "action" and owner is None and "owner" not in r.errors:
        r.fail("owner", "An action item needs an owner.")
    due = r.date("due", actor.sense(now))
    r.done()
    try:
        if kind == "action" and owner is not None:
            v, _ = minutes.add_action(
                session,
                actor,
                channel="",
                owner=owner,
                text=text,
                due_on=due,
                now=now,
                minutes_id=mid,
                source_ref=source,
            )
            return v
        return minutes.add_entry(
            session,
            actor,
            channel="",
            kind=EntryKind(kind),
            text=text,
            now=now,
            minutes_id=mid,
            source_ref=source,
        )
    except DomainError as err:
        raise err.on("text") from None


def submit_import(
    session: Session,
    actor: Actor,
    *,
    key: str,
    data: bytes,
    values: Mapping[str, Raw],
    now: datetime,
) -> series.Imported:
    """Import every series of the uploaded file into the project: all or nothing."""
    r = Reader(IMPORT_FORM, values)
    channel = r.text("channel") or None
    r.done()
    try:
        return series.import_ics(session, actor, key=key, data=data, now=now, channel=channel)
    except DomainError as err:
        raise err.on("file") from None
