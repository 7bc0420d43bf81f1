"""Status collection: cadences, cycles, updates (versioned), and their escalation.

A project reports on its cadence: an RRULE read in its PM's time zone (default Thursday
10:00), due a number of days later at a set time (default next day 12:00). The scheduler
opens a cycle per occurrence (moved to the next working day over a holiday; skipped, saying
so, when every reporter is on leave) and closes it at the deadline. Until then each
submission adds a version; reports show the latest, the history is kept. A red overall
status, or a blocker marked for escalation, tells the PMO leads at once (once per cycle).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import rrulestr
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models import (
    CycleState,
    Membership,
    Person,
    Project,
    ProjectRole,
    ProjectState,
    Rag,
    StatusCadence,
    StatusCycle,
    StatusUpdate,
    WorkspaceRole,
    WorkspaceRoleName,
)
from models.status import DEFAULT_RRULE
from services.core import audit
from services.core.access import Actor, get_project, project_role
from services.core.dates import parse_time, zone
from services.core.errors import InvalidInput, PermissionDenied
from services.core.people import person_ref
from services.core.views import PersonRef
from services.digests.common import iso_week
from services.outbox.kinds import DigestKind

RAG_WORDS = {
    "green": Rag.GREEN,
    "g": Rag.GREEN,
    "on-track": Rag.GREEN,
    "ok": Rag.GREEN,
    "amber": Rag.AMBER,
    "a": Rag.AMBER,
    "yellow": Rag.AMBER,
    "at-risk": Rag.AMBER,
    "red": Rag.RED,
    "r": Rag.RED,
    "off-track": Rag.RED,
}
TEXT_LIMIT = 3000
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def parse_rag(word: str) -> Rag:
    rag = RAG_WORDS.get(word.strip().lower())
    if rag is None:
        raise InvalidInput(f"{word[:20]!r} is not a RAG status.", "Use green, amber or red.")
    return rag


@dataclass(frozen=True)
class UpdateFields:
    """What a PM reports; everything but the overall RAG is optional."""

    overall: Rag
    schedule: Rag | None = None
    scope: Rag | None = None
    budget: Rag | None = None
    resources: Rag | None = None
    percent_complete: int | None = None
    summary: str = ""
    highlights: str = ""
    blockers: str = ""
    escalate: bool = False
    asks: str = ""
    next_steps: str = ""

    def check(self) -> UpdateFields:
        """Trimmed and within limits, or InvalidInput naming the field."""
        if self.percent_complete is not None and not 0 <= self.percent_complete <= 100:
            raise InvalidInput("% complete must be between 0 and 100.", field="percent")
        for name in ("summary", "highlights", "blockers", "asks", "next_steps"):
            value: str = getattr(self, name)
            if len(value) > TEXT_LIMIT:
                raise InvalidInput(
                    f"The {name.replace('_', ' ')} is {len(value):,} characters; the limit is "
                    f"{TEXT_LIMIT:,}.",
                    "Shorten it, or link to a document.",
                    field=name,
                )
        if self.escalate and not self.blockers.strip():
            raise InvalidInput("Escalate what? Describe the blocker to escalate.", field="blockers")
        return replace(
            self,
            **{
                n: getattr(self, n).strip()
                for n in ("summary", "highlights", "blockers", "asks", "next_steps")
            },
        )


@dataclass(frozen=True)
class UpdateView:
    id: int
    project_key: str
    project_name: str
    project_private: bool
    period: str
    version: int
    author: PersonRef
    fields: UpdateFields
    submitted_at: datetime
    on_time: bool
    deadline_at: datetime
    cycle_open: bool
    home_channel: str | None = None


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


# --- cadence ----------------------------------------------------------------------------------


def _pms(session: Session, project_ids: set[int]) -> dict[int, list[Person]]:
    out: dict[int, list[Person]] = {}
    if not project_ids:
        return out
    for pid, p in session.execute(
        select(Membership.project_id, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.project_id.in_(project_ids), Membership.role == ProjectRole.PM)
        .order_by(Membership.id)
    ):
        out.setdefault(pid, []).append(p)
    return out


def _cadence_row(session: Session, project: Project) -> StatusCadence:
    row = session.scalar(select(StatusCadence).where(StatusCadence.project_id == project.id))
    return row or StatusCadence(
        workspace_id=project.workspace_id,
        project_id=project.id,
        rrule=DEFAULT_RRULE,
        deadline_days=1,
        deadline_time=time(12, 0),
        reporters=[],
        report_channel=None,
        active=True,
    )


def occurrences(rule: str, tz: str, start: datetime, end: datetime) -> list[datetime]:
    """The rule's occurrences in [start, end], as aware UTC times (the rule read in `tz`)."""
    local = zone(tz)
    anchor = datetime(2020, 1, 6, 0, 0)  # noqa: DTZ001 (a wall-clock Monday in `tz`)
    r = rrulestr(rule, dtstart=anchor)
    lo = start.astimezone(local).replace(tzinfo=None)
    hi = end.astimezone(local).replace(tzinfo=None)
    return [d.replace(tzinfo=local).astimezone(UTC) for d in r.between(lo, hi, inc=True)]


def _check_rrule(rule: str) -> str:
    rule = rule.strip().upper().removeprefix("RRULE:")
    try:
        r = rrulestr(rule, dtstart=datetime(2020, 1, 6))  # noqa: DTZ001 (wall clock)
        nxt = r.after(datetime(2026, 1, 1))  # noqa: DTZ001
    except (ValueError, TypeError) as exc:
        raise InvalidInput(
            f"That is not a recurrence rule I can read ({exc}).",
            "Example: FREQ=WEEKLY;BYDAY=TH;BYHOUR=10;BYMINUTE=0",
        ) from None
    if nxt is None:
        raise InvalidInput("That rule never happens again.")
    if "FREQ=MINUTELY" in rule or "FREQ=HOURLY" in rule or "FREQ=SECONDLY" in rule:
        raise InvalidInput("Status rounds can't be more often than daily.")
    return rule


def cadence(session: Session, actor: Actor, *, key: str, now: datetime) -> CadenceView:
    """A project's status round as it stands, and whether `actor` may change it."""
    project = get_project(session, actor, key)
    role = project_role(session, actor.person_id, project.id)
    view = _cadence_view(session, project, _cadence_row(session, project), now)
    return replace(view, can_edit=actor.is_pmo_lead or role == ProjectRole.PM)


def _cadence_view(
    session: Session, project: Project, row: StatusCadence, now: datetime
) -> CadenceView:
    pms = _pms(session, {project.id}).get(project.id, [])
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
    from services.workspace.settings import parse_channel, parse_weekday

    project = _editable_project(session, actor, key)
    row = _cadence_row(session, project)
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
    from services.workspace.settings import parse_channel

    project = _editable_project(session, actor, key)
    row = _cadence_row(session, project)
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


# --- updates ----------------------------------------------------------------------------------


def _view(u: StatusUpdate, c: StatusCycle, p: Project, author: Person) -> UpdateView:
    f = UpdateFields(
        u.overall,
        u.schedule,
        u.scope,
        u.budget,
        u.resources,
        u.percent_complete,
        u.summary,
        u.highlights,
        u.blockers,
        u.escalate,
        u.asks,
        u.next_steps,
    )
    return UpdateView(
        u.id,
        p.key,
        p.name,
        p.private,
        c.period,
        u.version,
        person_ref(author),
        f,
        u.submitted_at,
        u.on_time,
        c.deadline_at,
        c.state == CycleState.OPEN,
        p.home_channel,
    )


def latest_update(session: Session, project_id: int) -> StatusUpdate | None:
    return session.scalar(
        select(StatusUpdate)
        .where(StatusUpdate.project_id == project_id, StatusUpdate.latest.is_(True))
        .order_by(StatusUpdate.submitted_at.desc(), StatusUpdate.id.desc())
        .limit(1)
    )


def prefill(session: Session, actor: Actor, *, key: str) -> tuple[Project, UpdateFields | None]:
    """The project and its last update (any cycle), to prefill the form."""
    project = get_project(session, actor, key)
    last = latest_update(session, project.id)
    if last is None:
        return project, None
    return project, UpdateFields(
        last.overall,
        last.schedule,
        last.scope,
        last.budget,
        last.resources,
        last.percent_complete,
        last.summary,
        last.highlights,
        last.blockers,
        last.escalate,
        last.asks,
        last.next_steps,
    )


def _reporter_ids(session: Session, project: Project, cadence_row: StatusCadence) -> list[int]:
    return list(cadence_row.reporters or []) or [
        p.id for p in _pms(session, {project.id}).get(project.id, [])
    ]


def _cycle_for_submission(
    session: Session, project: Project, now: datetime
) -> tuple[StatusCycle, str]:
    """The open cycle; or, between rounds, this week's (or, once closed, next week's), opened
    early. Returns the cycle and a note for the person when it isn't the obvious one."""
    open_cycle = session.scalar(
        select(StatusCycle)
        .where(StatusCycle.project_id == project.id, StatusCycle.state == CycleState.OPEN)
        .order_by(StatusCycle.opens_at.desc())
        .limit(1)
    )
    if open_cycle is not None:
        return open_cycle, ""
    row = _cadence_row(session, project)
    pms = _pms(session, {project.id}).get(project.id, [])
    tz = pms[0].timezone if pms else "UTC"
    local_today = now.astimezone(zone(tz)).date()
    period, note = iso_week(local_today), ""
    existing = session.scalar(
        select(StatusCycle).where(
            StatusCycle.project_id == project.id, StatusCycle.period == period
        )
    )
    if existing is not None:  # this week's round closed: the update counts for next week's
        period = iso_week(local_today + timedelta(days=7))
        note = f"This week's status round has closed; your update counts for {period}."
        nxt = session.scalar(
            select(StatusCycle).where(
                StatusCycle.project_id == project.id, StatusCycle.period == period
            )
        )
        if nxt is not None:
            return nxt, note
    monday = date.fromisocalendar(int(period[:4]), int(period[6:]), 1)
    occ = occurrences(
        row.rrule, tz, _at(monday, time(0), tz), _at(monday + timedelta(days=7), time(0), tz)
    )
    opens = occ[0] if occ else now
    deadline = _deadline(opens, row, tz)
    if deadline <= now:
        deadline = _at(local_today, row.deadline_time, tz)
        if deadline <= now:
            deadline = _at(local_today + timedelta(days=1), row.deadline_time, tz)
    cycle = StatusCycle(
        workspace_id=project.workspace_id,
        project_id=project.id,
        period=period,
        opens_at=min(opens, now),
        deadline_at=deadline,
        state=CycleState.OPEN,
        reporters=_reporter_ids(session, project, row),
        note="",
        created_at=now,
    )
    session.add(cycle)
    session.flush()
    return cycle, note


def _at(d: date, t: time, tz: str) -> datetime:
    return datetime.combine(d, t, tzinfo=zone(tz)).astimezone(UTC)


def _deadline(opens: datetime, row: StatusCadence, tz: str) -> datetime:
    local = opens.astimezone(zone(tz))
    return _at(local.date() + timedelta(days=row.deadline_days), row.deadline_time, tz)


def submit(
    session: Session, actor: Actor, *, key: str, fields_: UpdateFields, now: datetime
) -> tuple[UpdateView, str]:
    """Record an update (a new version if this cycle has one). Returns it and a note."""
    project = get_project(session, actor, key)
    if project.state == ProjectState.CLOSED:
        raise InvalidInput(f"{project.key} is closed; closed projects don't report.")
    role = project_role(session, actor.person_id, project.id)
    cycle, note = _cycle_for_submission(session, project, now)
    if not (actor.is_pmo_lead or role == ProjectRole.PM or actor.person_id in cycle.reporters):
        raise PermissionDenied(
            f"Only {project.key}'s PM or its named reporters can report its status.",
            f"Ask the PM of {project.key}.",
        )
    f = fields_.check()
    previous = session.scalar(
        select(StatusUpdate).where(StatusUpdate.cycle_id == cycle.id, StatusUpdate.latest)
    )
    version = (previous.version + 1) if previous else 1
    if previous is not None:
        session.execute(
            update(StatusUpdate).where(StatusUpdate.cycle_id == cycle.id).values(latest=False)
        )
    upd = StatusUpdate(
        workspace_id=project.workspace_id,
        project_id=project.id,
        cycle_id=cycle.id,
        author_id=actor.person_id,
        version=version,
        latest=True,
        overall=f.overall,
        schedule=f.schedule,
        scope=f.scope,
        budget=f.budget,
        resources=f.resources,
        percent_complete=f.percent_complete,
        summary=f.summary,
        highlights=f.highlights,
        blockers=f.blockers,
        escalate=f.escalate,
        asks=f.asks,
        next_steps=f.next_steps,
        on_time=now <= cycle.deadline_at,
        submitted_at=now,
        extra={},
    )
    session.add(upd)
    session.flush()
    audit.record_by(
        session,
        actor,
        entity_type="status_update",
        entity_id=upd.id,
        action="submitted" if version == 1 else "edited",
        before=None,
        after={
            "project": project.key,
            "period": cycle.period,
            "version": version,
            "overall": f.overall.value,
        },
        now=now,
    )
    author = session.get(Person, actor.person_id)
    assert author is not None
    view = _view(upd, cycle, project, author)
    _escalate(session, view, cycle, now)
    return view, note


def _escalate(session: Session, view: UpdateView, cycle: StatusCycle, now: datetime) -> None:
    """Red, or a blocker marked for escalation: the PMO leads hear at once, once per cycle."""
    from services.outbox.port import Digest, DigestLine, DigestSection
    from services.outbox.rows import insert_notifications, outbox_row

    kinds = []
    if view.fields.overall == Rag.RED:
        kinds.append("red")
    if view.fields.escalate and view.fields.blockers:
        kinds.append("blocker")
    if not kinds:
        return
    leads = session.scalars(
        select(WorkspaceRole.person_id).where(
            WorkspaceRole.workspace_id == cycle.workspace_id,
            WorkspaceRole.role == WorkspaceRoleName.PMO_LEAD,
        )
    ).all()
    f = view.fields
    sections = (
        [DigestSection("Summary", [DigestLine("text", 0, f.summary)], 1)] if f.summary else []
    )
    if f.blockers:
        sections.append(DigestSection("Blockers", [DigestLine("text", 0, f.blockers)], 1))
    if f.asks:
        sections.append(DigestSection("Asks", [DigestLine("text", 0, f.asks)], 1))
    what = "is RED" if "red" in kinds else "has a blocker to escalate"
    notice = Digest(
        DigestKind.STATUS_ESCALATION,
        f"🚨 {view.project_key} {what}",
        now.date(),
        sections,
        note=f"{view.project_name} · {view.period} update v{view.version} by @{view.author.handle}",
        project_key=view.project_key,
        channel=view.home_channel or "",
    )
    payload = {"digest": notice.to_payload()}
    insert_notifications(
        session,
        [
            outbox_row(
                cycle.workspace_id,
                "status_escalation",
                ("status_cycle", cycle.id),
                kind,
                payload=payload,
                at=now,
                now=now,
                recipient_id=lead,
            )
            for kind in kinds[:1]
            for lead in leads
            if lead != view.author.id
        ],
    )


def show(session: Session, actor: Actor, *, key: str) -> tuple[UpdateView | None, int]:
    """The project's latest update and how many versions its cycle has."""
    project = get_project(session, actor, key)
    upd = latest_update(session, project.id)
    if upd is None:
        return None, 0
    cycle = session.get(StatusCycle, upd.cycle_id)
    author = session.get(Person, upd.author_id)
    assert cycle is not None and author is not None
    versions = session.scalar(select(func.count()).where(StatusUpdate.cycle_id == cycle.id)) or 0
    return _view(upd, cycle, project, author), versions


RAG_LABEL = {Rag.GREEN: "🟢 Green", Rag.AMBER: "🟠 Amber", Rag.RED: "🔴 Red"}


def update_digest_parts(
    key: str, period: str, f: UpdateFields, version: int, author: str, today: date
) -> Any:
    """An update as a message: RAG, dimensions and % on one line, then each text part."""
    from services.outbox.port import Digest, DigestLine, DigestSection

    dims = " · ".join(
        f"{name} {getattr(f, name).value}"
        for name in ("schedule", "scope", "budget", "resources")
        if getattr(f, name) is not None
    )
    pct = f" · {f.percent_complete}% complete" if f.percent_complete is not None else ""
    sections = [
        DigestSection(heading, [DigestLine("text", 0, text)], 1)
        for heading, text in (
            ("Summary", f.summary),
            ("Highlights", f.highlights),
            ("Blockers" + (" (escalated)" if f.escalate else ""), f.blockers),
            ("Asks", f.asks),
            ("Next steps", f.next_steps),
        )
        if text
    ]
    by = f" by @{author}" if author else ""
    note = f"{RAG_LABEL[f.overall]}{pct}{' · ' + dims if dims else ''} · v{version}{by}"
    return Digest(
        DigestKind.STATUS_UPDATE,
        f"{key} status · {period}",
        today,
        sections,
        note=note,
        project_key=key,
    )


def update_digest(view: UpdateView, today: date) -> Any:
    return update_digest_parts(
        view.project_key, view.period, view.fields, view.version, view.author.handle, today
    )
