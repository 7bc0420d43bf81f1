"""Reviews and dates of the RAID log, chased like action items (pure given `now`).

A risk's review falls due by its band (red weekly, amber every two weeks, green monthly, or
the date set by hand); an issue's due date, an assumption's validate-by and a dependency's
needed-by fall due the same way. On the day, in the owner's own zone and working hours, the
owner is reminded; every working day after, chased; after the workspace's
`escalate_pm_after` working days the project's PM is told, after `escalate_lead_after` the
PMO leads — each once per due date. An owner on leave is not chased; their PM is. Each
person gets at most the workspace's review budget of these a day (most urgent first; the
rest wait for the next day), in the same DM as their other reminders.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from models import (
    LeavePeriod,
    Membership,
    Notification,
    Person,
    Project,
    ProjectRole,
    RaidEntry,
    RaidKind,
    Workspace,
    WorkspaceRole,
    WorkspaceRoleName,
)
from services.core import holidays, isolation
from services.core.worktime import WorkWeek
from services.outbox.kinds import ReminderRule
from services.outbox.rows import insert_notifications, outbox_row
from services.raid.policy import RaidPolicy
from services.raid.views import ref_of
from services.work.reminders import work_week
from services.workspace.settings import ReminderPolicy

OWNER_RULES = (ReminderRule.RAID_DUE, ReminderRule.RAID_OVERDUE)


@dataclass(frozen=True)
class Planned:
    workspace_id: int
    rule: ReminderRule
    kind: RaidKind
    entry_id: int
    occurrence: str
    recipient: Person
    payload: dict[str, Any]
    at: datetime
    priority: tuple[int, int, int] = (0, 0, 0)  # most urgent first within a budget


def _people(session: Session, entries: Sequence[Any], now: datetime) -> tuple[Any, ...]:
    owner_ids = {o.id for _, o, _ in entries}
    leave: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for lp in session.scalars(
        select(LeavePeriod).where(
            LeavePeriod.person_id.in_(owner_ids),
            LeavePeriod.end_on >= now.date() - timedelta(days=1),
        )
    ):
        leave[lp.person_id].append((lp.start_on, lp.end_on))
    pms: dict[int, list[Person]] = defaultdict(list)
    for pid, pm in session.execute(
        select(Membership.project_id, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(
            Membership.project_id.in_({e.project_id for e, _, _ in entries}),
            Membership.role == ProjectRole.PM,
        )
    ):
        pms[pid].append(pm)
    ws_ids = {e.workspace_id for e, _, _ in entries}
    leads: dict[int, list[Person]] = defaultdict(list)
    for ws_id, lead in session.execute(
        select(WorkspaceRole.workspace_id, Person)
        .join(Person, Person.id == WorkspaceRole.person_id)
        .where(
            WorkspaceRole.role == WorkspaceRoleName.PMO_LEAD,
            WorkspaceRole.workspace_id.in_(ws_ids),
        )
    ):
        leads[ws_id].append(lead)
    settings: dict[int, dict[str, Any]] = {
        ws_id: s
        for ws_id, s in session.execute(
            select(Workspace.id, Workspace.settings).where(Workspace.id.in_(ws_ids))
        )
    }
    days_off = holidays.by_workspace(
        session,
        workspace_ids=ws_ids,
        start=min(e.due_on for e, _, _ in entries) - timedelta(days=2),
        end=now.date() + timedelta(days=21),
    )
    return leave, pms, leads, settings, days_off


def plan(session: Session, *, now: datetime) -> list[Planned]:
    """Every RAID reminder due by `now`, before the budget (a fixed number of statements)."""
    owner = aliased(Person, name="owner")
    entries = session.execute(
        select(
            RaidEntry.id,
            RaidEntry.workspace_id,
            RaidEntry.project_id,
            RaidEntry.kind,
            RaidEntry.due_on,
            RaidEntry.rank,
            owner,
            Project.key,
        )
        .join(owner, owner.id == RaidEntry.owner_id)
        .join(Project, Project.id == RaidEntry.project_id)
        .where(
            RaidEntry.closed_at.is_(None),
            RaidEntry.kind != RaidKind.DECISION,
            RaidEntry.due_on <= now.date() + timedelta(days=1),
            owner.active.is_(True),
        )
    ).all()
    if not entries:
        return []
    rows = [(e, e.owner, e.key) for e in entries]
    leave, pms, leads, settings, days_off = _people(session, rows, now)
    rules_of: dict[int, ReminderPolicy] = {}
    weeks: dict[tuple[int, int], tuple[WorkWeek, date, bool]] = {}
    starts: dict[tuple[int, int], datetime] = {}
    overdue: dict[tuple[int, int, date], int] = {}

    def start_of(person: Person, ws_id: int) -> datetime:
        """When a PM or lead can next be told (their working window)."""
        key = (person.id, ws_id)
        if key not in starts:
            off = days_off.get(ws_id, frozenset())
            starts[key] = work_week(person, (), off).next_window_start(now)
        return starts[key]

    def one(row: Any) -> list[Planned]:
        e, o, key = row
        mine: list[Planned] = []
        if e.workspace_id not in rules_of:
            rules_of[e.workspace_id] = ReminderPolicy.from_settings(settings.get(e.workspace_id))
        rules = rules_of[e.workspace_id]
        if (o.id, e.workspace_id) not in weeks:
            off = days_off.get(e.workspace_id, frozenset())
            ww = work_week(o, tuple(leave.get(o.id, ())), off)
            weeks[(o.id, e.workspace_id)] = (ww, ww.local(now).date(), ww.in_window(now))
        ww, today, in_window = weeks[(o.id, e.workspace_id)]
        due = e.due_on
        if due is None or today < due:
            return mine
        if (o.id, e.workspace_id, due) not in overdue:
            over = ww.working_days_between(due, today) if today > due else 0
            overdue[(o.id, e.workspace_id, due)] = over
        days_over = overdue[(o.id, e.workspace_id, due)]
        payload = {
            "due_on": due.isoformat(),
            "project_key": key,
            "owner_handle": o.handle,
            "owner_external_id": o.external_id,
            "days_overdue": days_over,
        }
        urgency = (-(e.rank or 0), -days_over, e.id)

        def add(
            rule: ReminderRule,
            occurrence: str,
            to: Person,
            at: datetime,
            entry: Any = e,
            payload: dict[str, Any] = payload,
            urgency: tuple[int, int, int] = urgency,
        ) -> None:
            mine.append(
                Planned(
                    entry.workspace_id,
                    rule,
                    entry.kind,
                    entry.id,
                    occurrence,
                    to,
                    payload,
                    at,
                    urgency,
                )
            )

        if in_window:
            if ww.on_leave(today):
                for pm in pms.get(e.project_id, []):
                    if pm.id != o.id:
                        add(
                            ReminderRule.RAID_ESCALATE_PM,
                            f"leave:{today}",
                            pm,
                            start_of(pm, e.workspace_id),
                        )
            elif today == due:
                add(ReminderRule.RAID_DUE, due.isoformat(), o, now)
            else:
                add(ReminderRule.RAID_OVERDUE, today.isoformat(), o, now)
        for rule, after, people in (
            (ReminderRule.RAID_ESCALATE_PM, rules.escalate_pm_after, pms.get(e.project_id, [])),
            (ReminderRule.RAID_ESCALATE_LEAD, rules.escalate_lead_after, leads[e.workspace_id]),
        ):
            if days_over >= after:
                for person in people:
                    if person.id != o.id:
                        add(
                            rule,
                            due.isoformat(),
                            person,
                            start_of(person, e.workspace_id),
                        )
        return mine

    planned = isolation.each(
        "RAID reviews", rows, one, lambda r: (f"RAID entry {r[0].id}", r[0].workspace_id)
    )
    return [p for ps in planned for p in ps]


def within_budget(session: Session, planned: list[Planned]) -> list[Planned]:
    """Each owner's reminders of the day up to the workspace's budget, most urgent first;
    those already sent today count against it."""
    owner_rows = [p for p in planned if p.rule in OWNER_RULES]
    if not owner_rows:
        return planned
    days = {p.occurrence for p in owner_rows}
    sent = defaultdict(set)
    for recipient, kind, subject, occurrence in session.execute(
        select(
            Notification.recipient_id,
            Notification.subject_type,
            Notification.subject_id,
            Notification.occurrence,
        ).where(
            Notification.rule.in_([r.value for r in OWNER_RULES]),
            Notification.recipient_id.in_({p.recipient.id for p in owner_rows}),
            Notification.occurrence.in_(days),
        )
    ):
        sent[(recipient, occurrence)].add((kind, subject))
    budgets = {
        ws_id: RaidPolicy.from_settings(s).budget
        for ws_id, s in session.execute(
            select(Workspace.id, Workspace.settings).where(
                Workspace.id.in_({p.workspace_id for p in owner_rows})
            )
        )
    }
    kept = [p for p in planned if p.rule not in OWNER_RULES]
    by_person: dict[tuple[int, str], list[Planned]] = defaultdict(list)
    for p in owner_rows:
        by_person[(p.recipient.id, p.occurrence)].append(p)
    for (person, day), rows in by_person.items():
        already = sent[(person, day)]
        room = budgets.get(rows[0].workspace_id, RaidPolicy().budget) - len(already)
        fresh = [p for p in rows if (f"raid_{p.kind.value}", p.entry_id) not in already]
        kept += sorted(fresh, key=lambda p: p.priority)[: max(room, 0)]
    return kept


def materialize(session: Session, *, now: datetime) -> int:
    """Insert the RAID reminders due now (within each person's budget); returns how many."""
    planned = within_budget(session, plan(session, now=now))
    return insert_notifications(
        session,
        [
            outbox_row(
                p.workspace_id,
                p.rule,
                (f"raid_{p.kind.value}", p.entry_id),
                p.occurrence,
                payload=p.payload,
                at=p.at,
                now=now,
                recipient_id=p.recipient.id,
            )
            for p in planned
        ],
    )


def label(kind: RaidKind, number: int, title: str, score: int | None) -> str:
    """How a reminder names its entry: `R-3 Supplier may go bust (score 20)`."""
    tail = f" (score {score})" if score else ""
    return f"{ref_of(kind, number)} {title}{tail}"
