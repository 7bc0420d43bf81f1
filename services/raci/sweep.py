"""The RACI's part of each scheduler sweep: tell the Informed when a deliverable slips (its
forecast passed and it is not done; once per forecast date), and chase a sign-off that waits:
the Accountable on the due day (two working days after it was asked) and every working day
after, the PM once it is overdue by the workspace's `escalate_pm_after`."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, exists, literal, select
from sqlalchemy.orm import Session, aliased

from models import (
    Deliverable,
    DeliverableStatus,
    Membership,
    Notification,
    Person,
    Project,
    ProjectRole,
    ProjectState,
    RaciAssignment,
    RaciLetter,
    SignoffRequest,
    SignoffState,
    Workspace,
)
from services.core import holidays
from services.core.chase import Step, add_working_days, chase
from services.core.dates import local_today
from services.core.people import person_ref
from services.core.refs import phrase
from services.outbox.contents import StaleCheck
from services.outbox.kinds import DigestKind
from services.outbox.notices import notice_row, work_week
from services.outbox.port import Digest, DigestLine, DigestSection
from services.outbox.rows import insert_notifications
from services.raci.notices import INFORMED, informed_rows, signoff_commands
from services.raci.routing import awaiting_signoff, routes
from services.workspace.settings import ReminderPolicy

SIGNOFF_DAYS = 2  # working days the Accountable has to answer
CHASE = "raci_signoff_chase"
ESCALATE = "raci_signoff_escalate"
OPEN = (DeliverableStatus.PLANNED, DeliverableStatus.IN_PROGRESS)


def materialize(session: Session, *, now: datetime) -> int:
    """Queue what the RACI has to say at `now` (idempotent)."""
    return _slipped(session, now) + _chase_signoffs(session, now)


def _days_off(session: Session, ws_ids: set[int], now: datetime) -> dict[int, frozenset[date]]:
    start = now.date() - timedelta(days=31)
    return holidays.by_workspace(
        session, workspace_ids=ws_ids, start=start, end=now.date() + timedelta(days=22)
    )


def _slipped(session: Session, now: datetime) -> int:
    """Deliverables whose forecast passed (in their workspace's zone) and that are not done,
    in projects with someone Informed, whose slip for that forecast nobody was told of yet."""
    owner = aliased(Person, name="owner")
    informed = select(RaciAssignment.project_id).where(RaciAssignment.letter == RaciLetter.INFORMED)
    told = select(Notification.id).where(
        Notification.workspace_id == Deliverable.workspace_id,  # the outbox key's index
        Notification.rule == INFORMED,
        Notification.subject_type == "deliverable",
        Notification.subject_id == Deliverable.id,
        Notification.occurrence == literal("slipped:") + cast(Deliverable.forecast_on, String),
    )
    found = session.execute(
        select(Deliverable, Project, owner, Workspace.timezone)
        .join(Project, Project.id == Deliverable.project_id)
        .join(Workspace, Workspace.id == Project.workspace_id)
        .outerjoin(owner, owner.id == Deliverable.owner_id)
        .where(
            Deliverable.status.in_(OPEN),
            Deliverable.forecast_on < now.date() + timedelta(days=1),
            Deliverable.project_id.in_(informed),
            Deliverable.id.not_in(awaiting_signoff()),
            Project.state != ProjectState.CLOSED,
            ~exists(told),
        )
    ).all()
    late = [(d, p, o) for d, p, o, tz in found if local_today(now, tz) > d.forecast_on]
    if not late:
        return 0
    route = routes(session, [(d.id, d.project_id, o) for d, _, o in late])
    off = _days_off(session, {p.workspace_id for _, p, _ in late}, now)
    rows: list[dict[str, Any]] = []
    for d, project, _ in late:
        ws_off = off.get(project.workspace_id, frozenset())
        rows += informed_rows(d, project, route[d.id], "slipped", now, off=ws_off)
    return insert_notifications(session, rows)


def _chase_signoffs(session: Session, now: datetime) -> int:
    accountable = aliased(Person, name="accountable")
    pending = session.execute(
        select(SignoffRequest, Deliverable, Project, accountable)
        .join(Deliverable, Deliverable.id == SignoffRequest.deliverable_id)
        .join(Project, Project.id == Deliverable.project_id)
        .join(accountable, accountable.id == SignoffRequest.accountable_id)
        .where(SignoffRequest.state == SignoffState.PENDING)
    ).all()
    if not pending:
        return 0
    ws_ids = {p.workspace_id for _, _, p, _ in pending}
    policies = {
        ws.id: ReminderPolicy.from_settings(ws.settings)
        for ws in session.scalars(select(Workspace).where(Workspace.id.in_(ws_ids)))
    }
    off = _days_off(session, ws_ids, now)
    pms: dict[int, list[Person]] = defaultdict(list)
    for pid, pm in session.execute(
        select(Membership.project_id, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(
            Membership.project_id.in_({p.id for _, _, p, _ in pending}),
            Membership.role == ProjectRole.PM,
        )
    ):
        pms[pid].append(pm)
    rows: list[dict[str, Any]] = []
    for req, d, project, a in pending:
        ws_off = off.get(project.workspace_id, frozenset())
        ww = work_week(a, ws_off)
        asked_on = ww.local(req.requested_at).date()
        due = add_working_days(ww, asked_on, SIGNOFF_DAYS)
        policy = policies.get(project.workspace_id, ReminderPolicy())
        c = chase(ww, due, now, heads_up=False, escalate_after=policy.escalate_pm_after)
        line = DigestSection(
            "Deliverable",
            [DigestLine("deliverable", d.id, d.title, d.forecast_on, project.key)],
            1,
        )
        subject = ("deliverable_signoff", req.id)
        if c.step in (Step.DUE, Step.OVERDUE):
            waited = ww.working_days_between(asked_on, c.today)
            reminder = Digest(
                DigestKind.SIGNOFF_REQUEST,
                f"Still waiting for your sign-off: {project.key} #{d.id} {d.title}",
                c.today,
                [line],
                phrase(
                    f"Asked {waited} working day{'s' if waited != 1 else ''} ago. Sign it off, "
                    "or say why not yet (",
                    *signoff_commands(d.id),
                    ").",
                ),
                project.key,
                ref=str(d.id),
            )
            rows.append(
                notice_row(
                    project.workspace_id,
                    CHASE,
                    subject,
                    c.today.isoformat(),
                    reminder,
                    to=a,
                    now=now,
                    holidays=ws_off,
                )
            )
        if c.escalate:
            for pm in pms.get(project.id, []):
                if pm.id == a.id:
                    continue
                notice = Digest(
                    DigestKind.NOTICE,
                    f"Sign-off overdue: {project.key} #{d.id} {d.title}",
                    local_today(now, pm.timezone),
                    [line],
                    phrase(
                        "It waits for ",
                        person_ref(a),
                        f"'s sign-off, {c.days_overdue} working days overdue.",
                    ),
                    project.key,
                )
                rows.append(
                    notice_row(
                        project.workspace_id,
                        ESCALATE,
                        subject,
                        "once",
                        notice,
                        to=pm,
                        now=now,
                        holidays=ws_off,
                    )
                )
    return insert_notifications(session, rows)


def stale_signoffs(session: Session, ids: set[int]) -> set[int]:
    """Sign-off requests no longer waiting (a queued ask or chaser about them is moot)."""
    return set(
        session.scalars(
            select(SignoffRequest.id).where(
                SignoffRequest.id.in_(ids), SignoffRequest.state != SignoffState.PENDING
            )
        )
    )


STALE: dict[str, StaleCheck] = {
    "raci_signoff": stale_signoffs,
    CHASE: stale_signoffs,
    "raci_consult": stale_signoffs,
}
