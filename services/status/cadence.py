"""A project's status round: its cadence (an RRULE read in its PM's time zone, default
Thursday 10:00), the deadline (default next day 12:00), its reporters (default: the PMs) and
the channel its updates go to; who may change it, and when it next opens."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any

from dateutil.rrule import rrulestr
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Person, Project, ProjectRole, StatusCadence
from services.core import audit
from services.core.access import Actor, get_project, project_role
from services.core.dates import parse_time
from services.core.errors import InvalidInput, PermissionDenied
from services.core.ical.rules import feasible, frequency, more_than_daily, parse_rule
from services.core.people import person_ref
from services.core.views import PersonRef
from services.status.cycles import cadence_row, occurrences, pms_of
from services.workspace.settings import parse_channel, parse_weekday

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class CadenceView:
    project_key: str
    rrule: str
    deadline_days: int
    deadline_time: time
    reporters: list[PersonRef]
    report_channel: str | None
    timezone: str
    active: bool
    next_open: datetime | None = None
    can_edit: bool = False

    def simple(self) -> tuple[list[int], time] | None:
        """(ISO weekdays, time) when the rule is a plain weekly one, else None (advanced)."""
        parts = dict(p.split("=", 1) for p in self.rrule.split(";") if "=" in p)
        if parts.get("FREQ") != "WEEKLY" or set(parts) - {
            "FREQ",
            "BYDAY",
            "BYHOUR",
            "BYMINUTE",
            "WKST",
        }:
            return None
        codes = parts.get("BYDAY", "").split(",")
        if not all(c in WEEKDAY_CODES for c in codes):
            return None
        try:
            at = time(int(parts.get("BYHOUR", "10")), int(parts.get("BYMINUTE", "0")))
        except ValueError:
            return None
        return [WEEKDAY_CODES.index(c) + 1 for c in codes], at


@dataclass(frozen=True)
class CadenceForm:
    """Every part of a cadence at once, as the settings modal submits it."""

    days: list[int]  # ISO weekdays, 1 = Monday
    at: time
    deadline_days: int
    deadline_time: time
    reporter_ids: list[int]  # empty: the project's PM
    channel: str | None  # None: the workspace PMO channel
    active: bool
    rrule: str | None = None  # an advanced rule; replaces days and time when given


RULE_EXAMPLE = "Example: FREQ=WEEKLY;BYDAY=TH;BYHOUR=10;BYMINUTE=0"


def _check_rrule(rule: str) -> str:
    """The rule in upper case, or InvalidInput on the `rrule` field. The cheap checks come
    first: a rule that would open a round more often than once a day is refused before
    anything is expanded (dateutil would walk every second of it)."""
    rule = rule.strip().upper().removeprefix("RRULE:")
    try:
        recur = parse_rule(rule)
        freq = frequency(recur)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise InvalidInput(
            f"That is not a recurrence rule I can read ({str(exc)[:80]}).",
            RULE_EXAMPLE,
            field="rrule",
        ) from None
    if more_than_daily(recur, freq):
        raise InvalidInput(
            "Status rounds can't be more often than daily: a round opens at most once a day "
            "(no HOURLY, MINUTELY or SECONDLY, one BYHOUR and one BYMINUTE, no BYSECOND).",
            RULE_EXAMPLE,
            field="rrule",
        )
    if not feasible(recur):
        raise InvalidInput(
            "That rule never happens (that day does not exist in that month).",
            RULE_EXAMPLE,
            field="rrule",
        )
    try:
        with warnings.catch_warnings(action="ignore"):
            r = rrulestr(rule, dtstart=datetime(2025, 12, 29))  # noqa: DTZ001 (wall clock)
            nxt = r.after(datetime(2026, 1, 1))  # noqa: DTZ001
    except (ValueError, TypeError) as exc:
        raise InvalidInput(
            f"That is not a recurrence rule I can read ({str(exc)[:80]}).",
            RULE_EXAMPLE,
            field="rrule",
        ) from None
    if nxt is None:
        raise InvalidInput("That rule never happens again.", RULE_EXAMPLE, field="rrule")
    return rule


def cadence(session: Session, actor: Actor, *, key: str, now: datetime) -> CadenceView:
    """A project's status round as it stands, and whether `actor` may change it."""
    project = get_project(session, actor, key)
    role = project_role(session, actor.person_id, project.id)
    view = _cadence_view(session, project, cadence_row(session, project=project), now)
    return replace(view, can_edit=actor.is_pmo_lead or role == ProjectRole.PM)


def _cadence_view(
    session: Session, project: Project, row: StatusCadence, now: datetime
) -> CadenceView:
    pms = pms_of(session, project_ids={project.id}).get(project.id, [])
    tz = pms[0].timezone if pms else "UTC"
    ids = row.reporters or [p.id for p in pms]
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
    nxt = occurrences(row.rrule, tz, now, now + timedelta(days=62))
    return CadenceView(
        project.key,
        row.rrule,
        row.deadline_days,
        row.deadline_time,
        [person_ref(people[i]) for i in ids if i in people],
        row.report_channel,
        tz,
        row.active,
        nxt[0] if nxt else None,
    )


def set_cadence(
    session: Session,
    actor: Actor,
    *,
    key: str,
    setting: str,
    value: str,
    reporters: list[Person] | None = None,
    now: datetime,
) -> CadenceView:
    """Change one part of a project's cadence (its PM or a PMO lead)."""
    project = _editable_project(session, actor, key)
    row = cadence_row(session, project=project)
    before = _cadence_dict(row)
    setting = setting.lower()
    if setting in ("day", "days"):
        days = [WEEKDAY_CODES[parse_weekday(d) - 1] for d in value.replace(",", " ").split()]
        if not days:
            raise InvalidInput("Which day? e.g. `day thu`.")
        parts = dict(p.split("=", 1) for p in row.rrule.split(";"))
        parts.update({"FREQ": "WEEKLY", "BYDAY": ",".join(days)})
        row.rrule = _check_rrule(";".join(f"{k}={v}" for k, v in parts.items()))
    elif setting == "time":
        t = parse_time(value)
        parts = dict(p.split("=", 1) for p in row.rrule.split(";"))
        parts.update({"BYHOUR": str(t.hour), "BYMINUTE": str(t.minute)})
        row.rrule = _check_rrule(";".join(f"{k}={v}" for k, v in parts.items()))
    elif setting == "rrule":
        row.rrule = _check_rrule(value)
    elif setting == "deadline":
        words = value.lower().split()
        n_days = 0
        if words and words[0].rstrip("d").isdigit() and len(words) == 2:
            n_days = int(words[0].rstrip("d"))
            words = words[1:]
        if len(words) != 1 or not 0 <= n_days <= 6:
            raise InvalidInput(
                "Give the deadline as days after the nudge and a time.",
                "Example: `deadline 1d 12:00` (next day at noon).",
            )
        row.deadline_days, row.deadline_time = n_days, parse_time(words[0])
    elif setting == "reporters":
        if value.strip().lower() == "pm":
            row.reporters = []
        elif not reporters:
            raise InvalidInput("Name the reporters: `reporters @ana @ben`, or `reporters pm`.")
        else:
            row.reporters = [p.id for p in reporters]
    elif setting == "channel":
        v = value.strip().lower()
        row.report_channel = None if v in ("pmo", "default") else parse_channel(value)
    elif setting in ("on", "off"):
        row.active = setting == "on"
    else:
        raise InvalidInput(
            f"There is no status setting {setting!r}.",
            "Settings: day, time, rrule, deadline, reporters, channel, on, off.",
        )
    return _save_cadence(session, actor, project, row, before, now)


def configure_cadence(
    session: Session, actor: Actor, *, key: str, form: CadenceForm, now: datetime
) -> CadenceView:
    """Replace a project's whole cadence at once (the settings modal); one audit entry."""
    project = _editable_project(session, actor, key)
    row = cadence_row(session, project=project)
    before = _cadence_dict(row)
    if form.rrule and form.rrule.strip():
        try:
            row.rrule = _check_rrule(form.rrule)
        except InvalidInput as err:
            raise err.on("rrule") from None
    else:
        if not form.days:
            raise InvalidInput("Pick at least one day for the nudge.", field="days")
        days = ",".join(WEEKDAY_CODES[d - 1] for d in sorted(set(form.days)))
        row.rrule = _check_rrule(
            f"FREQ=WEEKLY;BYDAY={days};BYHOUR={form.at.hour};BYMINUTE={form.at.minute}"
        )
    if not 0 <= form.deadline_days <= 6:
        raise InvalidInput(
            "The deadline must be 0 to 6 days after the nudge.", field="deadline_days"
        )
    row.deadline_days, row.deadline_time = form.deadline_days, form.deadline_time
    if form.reporter_ids:
        known = set(
            session.scalars(
                select(Person.id).where(
                    Person.id.in_(form.reporter_ids), Person.workspace_id == project.workspace_id
                )
            )
        )
        if known != set(form.reporter_ids):
            raise InvalidInput("A reporter is not a member of this workspace.", field="reporters")
    row.reporters = list(dict.fromkeys(form.reporter_ids))
    try:
        row.report_channel = parse_channel(form.channel) if form.channel else None
    except InvalidInput as err:
        raise err.on("channel") from None
    row.active = form.active
    return _save_cadence(session, actor, project, row, before, now)


def _editable_project(session: Session, actor: Actor, key: str) -> Project:
    project = get_project(session, actor, key)
    role = project_role(session, actor.person_id, project.id)
    if not (actor.is_pmo_lead or role == ProjectRole.PM):
        raise PermissionDenied(
            f"Only {project.key}'s PM or a PMO lead can change its status round.",
            f"Ask the PM of {project.key}.",
        )
    return project


def _save_cadence(
    session: Session,
    actor: Actor,
    project: Project,
    row: StatusCadence,
    before: dict[str, Any],
    now: datetime,
) -> CadenceView:
    row.updated_at = now
    if row.id is None:
        session.add(row)
    session.flush()
    audit.record_by(
        session,
        actor,
        entity_type="project",
        entity_id=project.id,
        action="status_cadence",
        before=before,
        after=_cadence_dict(row),
        now=now,
    )
    return replace(_cadence_view(session, project, row, now), can_edit=True)


def _cadence_dict(row: StatusCadence) -> dict[str, Any]:
    return {
        "rrule": row.rrule,
        "deadline_days": row.deadline_days,
        "deadline_time": str(row.deadline_time),
        "reporters": list(row.reporters or []),
        "report_channel": row.report_channel,
        "active": row.active,
    }
