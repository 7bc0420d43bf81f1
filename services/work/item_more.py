"""Action items the way a PMO works them every day: what one person owes, what got done, one
field changed at a time, notes, and several items in one go (all or nothing)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import or_
from sqlalchemy.orm import Session

from models import ActionItem, ActionStatus, Person
from services.core import audit
from services.core.access import Actor, get_project, member_project_ids
from services.core.dates import local_today
from services.core.errors import DomainError, InvalidInput
from services.core.refs import parts_of, phrase
from services.core.views import ActionItemView, Page
from services.work import action_items
from services.work.item_queries import page

PAGE_SIZE = 20
NOTES_LIMIT = 4000
MAX_AT_ONCE = 50


def offset_of(page_no: int) -> int:
    """The rows before page `page_no` (1 is the first)."""
    return (max(page_no, 1) - 1) * PAGE_SIZE


def list_for(
    session: Session, actor: Actor, *, person: Person, page_no: int = 1
) -> Page[ActionItemView]:
    """What one person owes: their open items the actor may see, soonest due first.

    A PMO lead sees all of them; anyone else sees those in their own projects or that they
    created (plus everything in public projects, as everywhere)."""
    where = [ActionItem.owner_id == person.id, ActionItem.status == ActionStatus.OPEN]
    if not actor.is_pmo_lead and person.id != actor.person_id:
        where.append(
            or_(
                ActionItem.project_id.is_not(None),
                ActionItem.created_by_id == actor.person_id,
            )
        )
    return page(session, actor, where=where, limit=PAGE_SIZE, offset=offset_of(page_no))


def list_done(
    session: Session, actor: Actor, *, key: str | None = None, page_no: int = 1
) -> Page[ActionItemView]:
    """Items done, most recent first: a project's, or (no key) the actor's own and those of
    their projects (all visible ones for a PMO lead)."""
    where = [ActionItem.status == ActionStatus.DONE]
    if key:
        where.append(ActionItem.project_id == get_project(session, actor, key).id)
    elif not actor.is_pmo_lead:
        where.append(
            or_(
                ActionItem.owner_id == actor.person_id,
                ActionItem.project_id.in_(member_project_ids(actor)),
            )
        )
    order = (ActionItem.done_at.desc(), ActionItem.id.desc())
    return page(
        session, actor, where=where, limit=PAGE_SIZE, offset=offset_of(page_no), order=order
    )


def add_note(
    session: Session, actor: Actor, *, item_id: int, text: str, now: datetime
) -> ActionItemView:
    """Add a dated note under an item's notes (its owner, creator, PM or a PMO lead)."""
    text = " ".join(text.split())
    if not text:
        raise InvalidInput("The note is empty.", 'e.g. action note 12 "Waiting for legal"')
    item = action_items.load_for_change(session, actor, item_id)
    line = f"{local_today(now, actor.timezone).isoformat()} @{actor.handle}: {text}"
    notes = f"{item.notes.rstrip()}\n{line}" if item.notes.strip() else line
    if len(notes) > NOTES_LIMIT:
        raise InvalidInput(
            f"The notes of #{item.id} would be {len(notes)} characters long; "
            f"the limit is {NOTES_LIMIT}.",
            f"Shorten them in the item's form: action edit {item.id}",
        )
    before = {"notes": item.notes}
    item.notes, item.updated_at = notes, now
    session.flush()
    audit.record_by(
        session,
        actor,
        entity_type="action_item",
        entity_id=item.id,
        action="note",
        before=before,
        after={"notes": notes},
        now=now,
    )
    return action_items.get(session, actor, item_id=item.id)


def edit_field(
    session: Session,
    actor: Actor,
    *,
    item_id: int,
    field: str,
    value: str,
    now: datetime,
    day: Callable[[str], date | None],
    person: Callable[[], Person],
) -> ActionItemView:
    """Change one field of an open item: title, due, owner or notes."""
    item = action_items.get(session, actor, item_id=item_id)
    owner = session.get(Person, item.owner.id)
    assert owner is not None
    title, due, notes = item.title, item.due_on, item.notes
    if field == "title":
        title = value
    elif field == "due":
        due = day(value)
    elif field == "owner":
        owner = person()
    elif field == "notes":
        notes = value
    else:
        raise InvalidInput(
            f"An action item has no field {field!r}.",
            f"Change its title, due, owner or notes: action edit {item_id} title …",
        )
    return action_items.edit(
        session, actor, item_id=item_id, title=title, due_on=due, notes=notes, owner=owner, now=now
    )


def at_once(ids: tuple[int, ...], change: Callable[[int], ActionItemView]) -> list[ActionItemView]:
    """Apply `change` to each item in turn; if any fails nothing is kept (the caller's
    transaction rolls back) and the error names the item."""
    if len(ids) > MAX_AT_ONCE:
        raise InvalidInput(f"Change at most {MAX_AT_ONCE} items at once.")
    seen: list[int] = []
    for i in ids:
        if i not in seen:
            seen.append(i)
    done: list[ActionItemView] = []
    for i in seen:
        try:
            done.append(change(i))
        except DomainError as err:
            kept = f" (#{', #'.join(str(d.id) for d in done)} stay as they were)" if done else ""
            hint = phrase(f"Nothing was changed{kept}. ", *parts_of(err.hint or ""))
            raise type(err)(err.message, hint) from None
    return done
