"""The work forms, defined once: a new or edited action item, and a new deliverable."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from models import ActionItem, SourceKind
from services.core.access import Actor
from services.core.errors import InvalidInput
from services.core.forms import Field, FieldKind, Form, FormId, FormRequest, Pick, Raw, Reader, Ref
from services.core.refs import Cmd, phrase
from services.core.views import ActionItemView, DeliverableView, ProjectView
from services.work import action_items, deliverables

TITLE = Field(
    "title",
    "What needs doing?",
    FieldKind.TEXT,
    required=True,
    max_length=action_items.TITLE_LIMIT,
    placeholder="e.g. Send the revised plan to finance",
)
NOTES = Field("notes", "Notes", FieldKind.LONG_TEXT, max_length=3000)
OWNER = Field("owner", "Owner", FieldKind.PERSON, required=True)
DUE = Field("due", "Due date", FieldKind.DATE)

ITEM_FORM = Form(
    FormId.NEW_ITEM,
    "New action item",
    "Create",
    (TITLE, Field("project", "Project", FieldKind.PROJECT), OWNER, DUE, NOTES),
    error_field="project",
)
EDIT_ITEM_FORM = Form(FormId.EDIT_ITEM, "Edit", "Save", (TITLE, OWNER, DUE, NOTES))
DELIVERABLE_FORM = Form(
    FormId.NEW_DELIVERABLE,
    "New deliverable",
    "Create",
    (
        Field("project", "Project", FieldKind.PROJECT, required=True),
        Field("title", "Deliverable", FieldKind.TEXT, required=True, max_length=300),
        Field("owner", "Owner", FieldKind.PERSON),
        Field(
            "due",
            "Due date",
            FieldKind.DATE,
            required=True,
            hint="This is the baseline; re-forecasts later show the slip against it.",
        ),
    ),
    error_field="project",
)


def project_choices(projects: list[ProjectView]) -> tuple[tuple[str, str], ...]:
    """The projects a person can pick, as (key, "KEY — name")."""
    return tuple((p.key, f"{p.key} — {p.name}") for p in projects)


def item_request(
    projects: list[ProjectView],
    *,
    owner: str | None,
    channel: str | None,
    title: str = "",
    notes: str = "",
    source_ref: str | None = None,
) -> FormRequest:
    """The new-item form (prefilled from a message when one is given)."""
    first = title.strip().splitlines()[0] if title.strip() else ""
    values: dict[str, Raw] = {"title": first[: action_items.TITLE_LIMIT], "notes": notes[:3000]}
    if owner:
        values["owner"] = owner
    ref: dict[str, Ref] = {"channel": channel, "source_ref": source_ref}
    return FormRequest(ITEM_FORM, values, ref, {"project": project_choices(projects)})


def edit_request(item: ActionItemView, *, channel: str | None) -> FormRequest:
    """The edit form of an item, with what it holds now."""
    values: dict[str, Raw] = {
        "title": item.title,
        "owner": item.owner.external_id,
        "due": item.due_on.isoformat() if item.due_on else "",
        "notes": item.notes,
    }
    form = Form(FormId.EDIT_ITEM, f"Edit #{item.id}", "Save", EDIT_ITEM_FORM.fields)
    return FormRequest(form, values, {"item_id": item.id, "channel": channel}, editing=True)


def deliverable_request(projects: list[ProjectView], *, channel: str | None) -> FormRequest:
    """The new-deliverable form; there must be a project to put it in."""
    if not projects:
        raise InvalidInput(
            "There are no projects yet.", phrase("Create one: ", Cmd('project new KEY "Name"'))
        )
    return FormRequest(
        DELIVERABLE_FORM, {}, {"channel": channel}, {"project": project_choices(projects)}
    )


def submit_item(
    session: Session,
    actor: Actor,
    *,
    values: Mapping[str, Raw],
    ref: Mapping[str, Ref],
    pick: Pick,
    now: datetime,
) -> ActionItemView:
    """Create an action item from the form (linked to the message it came from, if any)."""
    r = Reader(ITEM_FORM, values)
    title, project = r.text("title"), r.text("project")
    owner = r.person("owner", pick)
    due = r.date("due", actor.sense(now))
    notes = r.text("notes")
    r.done()
    assert owner is not None
    source = str(ref["source_ref"]) if ref.get("source_ref") else None
    return action_items.add(
        session,
        actor,
        title=title,
        owner=owner,
        project_key=project or None,
        due_on=due,
        now=now,
        notes=notes,
        source_kind=SourceKind.MESSAGE if source else SourceKind.COMMAND,
        source_ref=source,
    )


def submit_edit(
    session: Session,
    actor: Actor,
    *,
    values: Mapping[str, Raw],
    ref: Mapping[str, Ref],
    pick: Pick,
    now: datetime,
) -> ActionItemView:
    """Save an edited item: title, owner, due date and notes in one audited step."""
    r = Reader(EDIT_ITEM_FORM, values)
    title = r.text("title")
    owner = r.person("owner", pick)
    item = session.get(ActionItem, int(ref.get("item_id") or 0))
    current = item.due_on if item is not None and item.workspace_id == actor.workspace_id else None
    due = r.date("due", actor.sense(now), current=current)
    notes = item.notes if item is not None and r.kept("notes") else r.text("notes")
    r.done()
    assert owner is not None
    return action_items.edit(
        session,
        actor,
        item_id=int(ref.get("item_id") or 0),
        title=title,
        due_on=due,
        notes=notes,
        owner=owner,
        now=now,
    )


def submit_deliverable(
    session: Session,
    actor: Actor,
    *,
    values: Mapping[str, Raw],
    pick: Pick,
    now: datetime,
) -> DeliverableView:
    """Create a deliverable from the form; baseline and forecast start at its due date."""
    r = Reader(DELIVERABLE_FORM, values)
    project, title = r.text("project"), r.text("title")
    owner = r.person("owner", pick)
    due = r.date("due", actor.sense(now))
    r.done()
    assert due is not None
    return deliverables.add(
        session, actor, key=project, title=title, owner=owner, due_on=due, now=now
    )
