"""How a person writes dates (`me dates DMY|MDY|YMD|auto`) and how the workspace does
(`settings date_order …`): what numbers like 12/05 mean when they type them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from models import Person, Workspace
from models.enums import DateOrder
from services.core import audit
from services.core.access import Actor
from services.core.date_order import (
    DEFAULT_ORDER,
    date_order_for_locale,
    effective_order,
    stored_order,
)
from services.core.dates import local_today, numeric
from services.core.errors import InvalidInput, NotFound

AUTO = ("auto", "default", "locale", "reset")


@dataclass(frozen=True)
class DatesView:
    """A person's date order, where it comes from, and today written that way."""

    order: DateOrder
    source: str  # "yours" | "locale" | "workspace" | "default"
    locale: str | None
    workspace_order: DateOrder
    today: date

    @property
    def example(self) -> str:
        return numeric(self.today, self.order)


def parse_order(value: str) -> DateOrder:
    """DMY, MDY or YMD (any case, "d/m/y" and "day-month-year" too)."""
    letters = "".join(c for c in value.upper() if c.isalpha())
    letters = {"DAYMONTHYEAR": "DMY", "MONTHDAYYEAR": "MDY", "YEARMONTHDAY": "YMD"}.get(
        letters, letters
    )
    if letters not in DateOrder.__members__:
        raise InvalidInput(
            f"{value[:20]!r} is not a date order.",
            "Use DMY (31/12/2026), MDY (12/31/2026) or YMD (2026/12/31).",
        )
    return DateOrder(letters)


def _view(person: Person, ws: Workspace, now: datetime) -> DatesView:
    ws_order = stored_order(ws.date_order)
    order = effective_order(person.date_order, person.locale, ws.date_order)
    if stored_order(person.date_order) is not None:
        source = "yours"
    elif person.locale and date_order_for_locale(person.locale) is not None:
        source = "locale"
    else:
        source = "workspace" if ws_order is not None else "default"
    return DatesView(
        order,
        source,
        person.locale,
        ws_order or DEFAULT_ORDER,
        local_today(now, person.timezone),
    )


def _load(session: Session, actor: Actor) -> tuple[Person, Workspace]:
    person = session.get(Person, actor.person_id)
    ws = session.get(Workspace, actor.workspace_id)
    if person is None or ws is None:
        raise NotFound("I don't know you in this workspace yet.")
    return person, ws


def my_dates(session: Session, actor: Actor, *, now: datetime) -> DatesView:
    """How I write dates, and why."""
    person, ws = _load(session, actor)
    return _view(person, ws, now)


def set_my_dates(session: Session, actor: Actor, *, value: str, now: datetime) -> DatesView:
    """Choose my date order, or `auto` to follow my locale and the workspace again."""
    person, ws = _load(session, actor)
    before = {"date_order": person.date_order}
    person.date_order = None if value.strip().lower() in AUTO else parse_order(value).value
    session.flush()
    audit.record_by(
        session,
        actor,
        entity_type="person",
        entity_id=person.id,
        action="date_order",
        before=before,
        after={"date_order": person.date_order},
        now=now,
    )
    return _view(person, ws, now)


def set_workspace_order(ws: Workspace, value: str) -> None:
    """The workspace's date order (for people whose platform gives no locale)."""
    ws.date_order = parse_order(value).value
