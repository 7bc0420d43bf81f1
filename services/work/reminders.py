"""Decide who is reminded of what, when (pure given `now`), and put it in the outbox.

Rules for an open action item with a due date, in the owner's own zone and working week:
a heads-up on the working day before it is due, a reminder on the due day, a chaser on every
working day it is overdue; after 2 working days overdue its project's PM is told, after 5
the PMO leads, each once. Nothing while snoozed; nothing in anyone's quiet hours or on days
they don't work (a row waits in the outbox for the recipient's next working morning); an
owner on leave is not chased — their PM is, instead. A sweep materializes only today's
occurrence, so a sweep after days of downtime sends one chaser, not one per missed day.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from models import (
    ActionItem,
    ActionStatus,
    Deliverable,
    DeliverableStatus,
    LeavePeriod,
    Membership,
    Person,
    Project,
    ProjectRole,
    Workspace,
    WorkspaceRole,
    WorkspaceRoleName,
)
from services.core import holidays
from services.core.dates import within_horizon
from services.core.worktime import WorkWeek
from services.outbox.kinds import ReminderRule
from services.outbox.rows import insert_notifications, outbox_row
from services.raci.routing import awaiting_signoff, routes
from services.workspace.settings import ReminderPolicy

log = logging.getLogger(__name__)


def work_week(
    p: Person,
    leave: tuple[tuple[date, date], ...] = (),
    holidays: frozenset[date] = frozenset(),
) -> WorkWeek:
    return WorkWeek(
        p.timezone,
        p.working_days,
        p.work_start,
        p.work_end,
        leave,
        holidays,
        (p.quiet_start, p.quiet_end),
    )


@dataclass(frozen=True)
class _Subject:
    """Something with an owner and a date to be reminded of: an action item or a deliverable."""

    kind: str  # action_item | deliverable
    id: int
    workspace_id: int
    project_id: int | None
    project_key: str | None
    title: str
    due: date
    snoozed_until: date | None
    owner: Person
    accountable: Person | None = None  # a deliverable's RACI Accountable: escalated to first


@dataclass(frozen=True)
class _Row:
    workspace_id: int
    rule: ReminderRule
    subject_type: str
    item_id: int
    occurrence: str
    recipient: Person
    payload: dict[str, Any]
    at: datetime


def _skip(problems: list[str] | None, x: _Subject, why: str) -> None:
    """Leave one subject out of this sweep (it is tried again next time), saying why."""
    what = f"{x.kind.replace('_', ' ')} {x.id}"
    log.warning("reminders: %s (workspace %s) skipped: %s", what, x.workspace_id, why)
    if problems is not None:
        problems.append(f"reminders: {what} {why}")


def plan(
    session: Session,
    *,
    now: datetime,
    policy: ReminderPolicy | None = None,
    problems: list[str] | None = None,
) -> list[_Row]:
    """The notifications that are due by `now` (a fixed number of statements).

    Each workspace's own reminder policy applies unless `policy` overrides it for all. A
    subject that cannot be planned (a date outside the horizon) is left out, logged with its
    id and added to `problems`; the rest is planned.
    """
    horizon = now.date() + timedelta(days=7)
    owner = aliased(Person, name="owner")
    subjects = [
        _Subject(
            "action_item",
            i.id,
            i.workspace_id,
            i.project_id,
            key,
            i.title,
            i.due_on,
            i.snoozed_until,
            o,
        )
        for i, o, key in session.execute(
            select(ActionItem, owner, Project.key)
            .join(owner, owner.id == ActionItem.owner_id)
            .outerjoin(Project, Project.id == ActionItem.project_id)
            .where(
                ActionItem.status == ActionStatus.OPEN,
                ActionItem.due_on.is_not(None),
                ActionItem.due_on <= horizon,
            )
        )
        if i.due_on is not None
    ] + _deliverable_subjects(session, horizon)
    today = now.date()
    for x in [x for x in subjects if not within_horizon(x.due, today)]:
        _skip(problems, x, f"has a due date outside the date horizon ({x.due.isoformat()})")
    subjects = [x for x in subjects if within_horizon(x.due, today)]
    if not subjects:
        return []
    owner_ids = {x.owner.id for x in subjects}
    leave: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for lp in session.scalars(
        select(LeavePeriod).where(
            LeavePeriod.person_id.in_(owner_ids),
            LeavePeriod.end_on >= now.date() - timedelta(days=1),
        )
    ):
        leave[lp.person_id].append((lp.start_on, lp.end_on))
    project_ids = {x.project_id for x in subjects if x.project_id is not None}
    pms: dict[int, list[Person]] = defaultdict(list)
    if project_ids:
        for pid, pm in session.execute(
            select(Membership.project_id, Person)
            .join(Person, Person.id == Membership.person_id)
            .where(Membership.project_id.in_(project_ids), Membership.role == ProjectRole.PM)
        ):
            pms[pid].append(pm)
    leads: dict[int, list[Person]] = defaultdict(list)
    for ws_id, lead in session.execute(
        select(WorkspaceRole.workspace_id, Person)
        .join(Person, Person.id == WorkspaceRole.person_id)
        .where(
            WorkspaceRole.role == WorkspaceRoleName.PMO_LEAD,
            WorkspaceRole.workspace_id.in_({x.workspace_id for x in subjects}),
        )
    ):
        leads[ws_id].append(lead)

    policies = {
        ws.id: policy or ReminderPolicy.from_settings(ws.settings)
        for ws in session.scalars(
            select(Workspace).where(Workspace.id.in_({x.workspace_id for x in subjects}))
        )
    }
    days_off = holidays.by_workspace(
        session,
        workspace_ids={x.workspace_id for x in subjects},
        start=min(x.due for x in subjects) - timedelta(days=2),
        end=horizon + timedelta(days=14),
    )

    out: list[_Row] = []
    for item in subjects:
        try:
            o, key, due = item.owner, item.project_key, item.due
            off = days_off.get(item.workspace_id, frozenset())
            rules = policies.get(item.workspace_id, ReminderPolicy())
            ww = work_week(o, tuple(leave.get(o.id, ())), off)
            today = ww.local(now).date()
            if item.snoozed_until is not None and today < item.snoozed_until:
                continue
            days_over = ww.working_days_between(due, today) if today > due else 0
            payload = {
                "title": item.title,
                "due_on": due.isoformat(),
                "project_key": key,
                "owner_handle": o.handle,
                "owner_external_id": o.external_id,
                "days_overdue": days_over,
                "kind": item.kind,
            }

            def add(
                rule: ReminderRule,
                occurrence: str,
                recipient: Person,
                at: datetime,
                subject: _Subject = item,
                payload: dict[str, Any] = payload,
            ) -> None:
                out.append(
                    _Row(
                        subject.workspace_id,
                        rule,
                        subject.kind,
                        subject.id,
                        occurrence,
                        recipient,
                        payload,
                        at,
                    )
                )

            owner_rule = None
            if rules.heads_up and today < due and today == ww.previous_working_day(due):
                owner_rule = ReminderRule.HEADS_UP
            elif today == due:
                owner_rule = ReminderRule.DUE_TODAY
            elif today > due:
                owner_rule = ReminderRule.OVERDUE
            accountable = item.accountable
            if owner_rule and ww.in_window(now):
                if ww.on_leave(today):
                    if owner_rule == ReminderRule.OVERDUE:
                        cover = [accountable] if accountable else pms.get(item.project_id or -1, [])
                        for pm in cover:
                            if pm.id != o.id:
                                pww = work_week(pm, (), off)
                                add(
                                    ReminderRule.OVERDUE_ON_LEAVE,
                                    today.isoformat(),
                                    pm,
                                    pww.next_window_start(now),
                                )
                else:
                    add(
                        owner_rule,
                        due.isoformat()
                        if owner_rule != ReminderRule.OVERDUE
                        else today.isoformat(),
                        o,
                        now,
                    )
            pm_after = rules.escalate_pm_after
            if accountable is not None:  # the Accountable first, the PM a working day later
                pm_after += 1
                if days_over >= rules.escalate_pm_after and accountable.id != o.id:
                    add(
                        ReminderRule.ESCALATE_ACCOUNTABLE,
                        "once",
                        accountable,
                        work_week(accountable, (), off).next_window_start(now),
                    )
            if days_over >= pm_after:
                for pm in pms.get(item.project_id or -1, []):
                    if pm.id != o.id and (accountable is None or pm.id != accountable.id):
                        add(
                            ReminderRule.ESCALATE_PM,
                            "once",
                            pm,
                            work_week(pm, (), off).next_window_start(now),
                        )
            if days_over >= rules.escalate_lead_after:
                for lead in leads.get(item.workspace_id, []):
                    if lead.id != o.id:
                        add(
                            ReminderRule.ESCALATE_LEAD,
                            "once",
                            lead,
                            work_week(lead, (), off).next_window_start(now),
                        )
        except (ValueError, OverflowError, ArithmeticError) as exc:  # one bad row, not the sweep
            _skip(problems, item, f"could not be planned ({exc})")

    return out


def _deliverable_subjects(session: Session, horizon: date) -> list[_Subject]:
    """Open deliverables due by `horizon`, one subject per Responsible (by the RACI; else the
    owner), escalating to the RACI Accountable; not while waiting for sign-off (3 statements)."""
    owner = aliased(Person, name="owner")
    due = (
        Deliverable.status.in_([DeliverableStatus.PLANNED, DeliverableStatus.IN_PROGRESS]),
        Deliverable.forecast_on <= horizon,
        Deliverable.id.not_in(awaiting_signoff()),
    )
    found = session.execute(
        select(Deliverable, owner, Project.key)
        .outerjoin(owner, owner.id == Deliverable.owner_id)
        .join(Project, Project.id == Deliverable.project_id)
        .where(*due)
    ).all()
    if not found:
        return []
    among = select(Deliverable.id).where(*due)
    route = routes(session, [(d.id, d.project_id, o) for d, o, _ in found], among=among)
    return [
        _Subject(
            "deliverable",
            d.id,
            d.workspace_id,
            d.project_id,
            key,
            d.title,
            d.forecast_on,
            None,
            r,
            route[d.id].accountable,
        )
        for d, _, key in found
        for r in route[d.id].responsible
    ]


def materialize(
    session: Session,
    *,
    now: datetime,
    policy: ReminderPolicy | None = None,
    problems: list[str] | None = None,
) -> int:
    """Insert today's due notifications; existing ones (same key) are left alone. Returns new."""
    planned = plan(session, now=now, policy=policy, problems=problems)
    if not planned:
        return 0
    values = [
        outbox_row(
            r.workspace_id,
            r.rule,
            (r.subject_type, r.item_id),
            r.occurrence,
            payload=r.payload,
            at=r.at,
            now=now,
            recipient_id=r.recipient.id,
        )
        for r in planned
    ]
    return insert_notifications(session, values)
