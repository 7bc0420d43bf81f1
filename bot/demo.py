"""A sample portfolio for the local console, built through the real services."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from handlers.console.channel import CONSOLE_WORKSPACE_ID
from models import (
    Base,
    Person,
    Platform,
    ProjectRole,
    Workspace,
)
from services.commands.execute import execute
from services.commands.parser import parse
from services.commands.results_registers import DependencyResult, DocumentResult
from services.core import people
from services.core.access import actor_for
from services.core.dates import local_today
from services.projects import members as project_members
from services.projects import register as projects
from services.status import cadence
from services.work import action_items, deliverables

DEMO_LEAD = "pat"
DEADLINE = "0d 17:00"  # status updates due at 17:00 on the day the round opens (PM's time)
TOUR = (
    "Try the week in two minutes: `clock next thu 10:00` opens the weekly status round "
    "(you are ZEUS's PM: `status ZEUS`), then `clock +1d` brings the chasers for the late "
    "updates and the portfolio report. Messages for you print in full, others' in one line."
)
PEOPLE = [
    # handle, name, zone, working days, start
    ("pat", "Pat Morgan (PMO lead)", "Europe/London", "12345", time(9, 0)),
    ("maria", "Maria Lopez", "America/New_York", "12345", time(8, 30)),
    ("raj", "Raj Iyer", "Asia/Kolkata", "12345", time(10, 0)),
    ("sofia", "Sofia Brandt", "Europe/Berlin", "12345", time(8, 0)),
    ("li", "Li Wei", "Asia/Shanghai", "12345", time(9, 0)),
    ("tom", "Tom Baker", "America/Los_Angeles", "12345", time(9, 0)),
    ("kemi", "Kemi Adeyemi", "Africa/Lagos", "12345", time(9, 0)),
    ("sam", "Sam Taylor", "Australia/Sydney", "12345", time(8, 30)),
    ("noor", "Noor Haddad", "Asia/Dubai", "71234", time(9, 0)),
]
PROJECTS = [
    # key, name, pm, private, members
    ("APOLLO", "Customer portal relaunch", "maria", False, ["tom", "li", "sam"]),
    ("HERMES", "CRM migration", "raj", False, ["kemi", "li"]),
    ("ATLAS", "Data warehouse consolidation", "sofia", False, ["tom", "noor"]),
    ("ZEUS", "Acquisition integration", "pat", True, ["sofia"]),
    ("IRIS", "Mobile app accessibility audit", "sam", False, ["maria"]),
]
# key, title, owner, days from today (negative = overdue)
ACTIONS = [
    ("APOLLO", "Confirm hosting budget with finance", "maria", -6),
    ("APOLLO", "Send UX test findings to the design team", "tom", -2),
    ("APOLLO", "Book the launch-readiness review", "li", 1),
    ("APOLLO", "Draft the cut-over runbook", "sam", 6),
    ("HERMES", "Export legacy CRM contacts sample", "kemi", -9),
    ("HERMES", "Agree data-retention rules with legal", "raj", -1),
    ("HERMES", "Schedule sales team training", "li", 3),
    ("ATLAS", "Decommission plan for the old ETL jobs", "noor", -4),
    ("ATLAS", "Review warehouse cost forecast", "sofia", 0),
    ("ATLAS", "Pick the BI tool shortlist", "tom", 10),
    ("ZEUS", "Map overlapping supplier contracts", "sofia", -3),
    ("IRIS", "Run screen-reader pass on checkout", "maria", 2),
    (None, "Collect Q1 resource plans from PMs", "pat", 4),
]
# key, title, owner, baseline days, forecast days
# The registers, as the PMO lead or the PM would type them ({beta} is APOLLO's "Beta release",
# {dry_run} HERMES's "Data migration dry run"; {dep} and {doc} what the commands before made).
REGISTERS = [
    ("maria", "project set APOLLO phase planning"),
    ("raj", "project set HERMES phase executing"),
    ("sofia", "project set ATLAS phase planning"),
    ("sam", "project set IRIS phase initiating"),
    ("maria", "project set APOLLO start {start}"),
    ("maria", "project set APOLLO end {end}"),
    ("maria", "project add APOLLO @sam sponsor"),
    ("maria", "project set APOLLO budget 250k EUR"),
    ("maria", "project set APOLLO actual 112,400"),
    ("maria", "project gate APOLLO Executing @sam"),
    ("maria", "raci set APOLLO R @tom A @maria I @pat"),
    ("maria", "raci set APOLLO {beta} R @tom @li C @sam"),
    ("raj", "project set HERMES budget 180k EUR"),
    ("maria", 'depend APOLLO on HERMES "Migrated customer records" by:{beta_on} #{dry_run}'),
    ("raj", "depend accept {dep}"),
    ("maria", 'doc add APOLLO "Launch runbook" https://example.com/apollo/runbook v:1.0'),
    ("maria", "doc approvers {doc} @sam @li"),
    ("maria", 'risk add APOLLO "Payment provider certification slips past beta" p:4 i:4 @tom'),
    ("maria", 'risk add APOLLO "Load test environment not ready in time" p:2 i:3 @li'),
    ("raj", 'risk add HERMES "Legacy CRM export corrupts accented names" p:3 i:4 @kemi'),
    ("raj", 'issue add HERMES "Legal has not signed off data retention" severity:high @raj'),
    ("sofia", 'assumption add ATLAS "Finance keeps the current BI licences until Q3" @sofia'),
    ("maria", 'decision add APOLLO "Beta goes to 5% of customers first"'),
]
DELIVERABLES = [
    ("APOLLO", "Beta release", "tom", -5, 9),
    ("APOLLO", "Production launch", "maria", 30, 30),
    ("HERMES", "Data migration dry run", "kemi", -2, -2),
    ("HERMES", "Go-live", "raj", 45, 52),
    ("ATLAS", "Warehouse MVP", "sofia", 12, 12),
    ("ZEUS", "Day-1 integration plan", "pat", 7, 7),
    ("IRIS", "Audit report", "sam", 20, 20),
]


def reset(session: Session) -> None:
    """Remove the console workspace and everything in it, whatever it holds by now (minutes,
    meetings, status rounds, calendar links…): every table with a workspace, children first;
    rows of tables without one go through the parent they belong to."""
    ws_id = session.scalar(
        select(Workspace.id).where(
            Workspace.platform == Platform.CONSOLE, Workspace.external_id == CONSOLE_WORKSPACE_ID
        )
    )
    if ws_id is None:
        return
    for table in reversed(Base.metadata.sorted_tables):
        if table.name == Workspace.__tablename__:
            continue
        if "workspace_id" in table.c:
            session.execute(delete(table).where(table.c.workspace_id == ws_id))
            continue
        for fk in table.foreign_keys:
            parent = fk.column.table
            if "workspace_id" in parent.c and fk.ondelete == "CASCADE":
                owned = select(fk.column).where(parent.c.workspace_id == ws_id)
                session.execute(delete(table).where(fk.parent.in_(owned)))
    session.execute(delete(Workspace).where(Workspace.id == ws_id))
    session.flush()


def seed(session: Session, *, now: datetime) -> str:
    """Create the sample portfolio; returns the handle of its PMO lead."""
    reset(session)
    ws = people.ensure_workspace(
        session,
        platform=Platform.CONSOLE,
        external_id=CONSOLE_WORKSPACE_ID,
        name="Local console",
        now=now,
    )
    folks: dict[str, Person] = {}
    for handle, name, tz, days, start in PEOPLE:
        defaults = people.PersonDefaults(timezone=tz, working_days=days, work_start=start)
        folks[handle] = people.upsert_person(
            session,
            workspace_id=ws.id,
            external_id=handle,
            handle=handle,
            display_name=name,
            timezone=tz,
            now=now,
            defaults=defaults,
        )
    lead = actor_for(session, folks[DEMO_LEAD])
    for key, name, pm, private, members in PROJECTS:
        projects.create(session, lead, key=key, name=name, pm=folks[pm], private=private, now=now)
        for m in members:
            project_members.add_member(
                session, lead, key=key, person=folks[m], role=ProjectRole.MEMBER, now=now
            )
        # The demo's rounds are due the same day, so `clock +1d` shows a whole round.
        cadence.set_cadence(session, lead, key=key, setting="deadline", value=DEADLINE, now=now)
    today = local_today(now, lead.timezone)
    for a_key, a_title, a_owner, offset in ACTIONS:
        creator = actor_for(session, folks[a_owner])
        action_items.add(
            session,
            creator if a_key != "ZEUS" else lead,
            title=a_title,
            owner=folks[a_owner],
            project_key=a_key,
            due_on=today + timedelta(days=offset),
            now=now,
        )
    made: dict[str, object] = {}
    for key, title, owner, base, forecast in DELIVERABLES:
        d = deliverables.add(
            session,
            lead,
            key=key,
            title=title,
            owner=folks[owner],
            due_on=today + timedelta(days=base),
            now=now,
        )
        made[{"Beta release": "beta", "Data migration dry run": "dry_run"}.get(title, title)] = d.id
        if forecast != base:
            deliverables.forecast(
                session, lead, deliverable_id=d.id, on=today + timedelta(days=forecast), now=now
            )
    made |= {
        "beta_on": (today + timedelta(days=9)).isoformat(),
        "start": (today - timedelta(days=60)).isoformat(),
        "end": (today + timedelta(days=120)).isoformat(),
    }
    for who, text in REGISTERS:
        result = execute(
            session, actor_for(session, folks[who]), parse(text.format(**made)), now=now
        )
        if isinstance(result, DependencyResult):
            made["dep"] = result.dependency.id
        elif isinstance(result, DocumentResult):
            made["doc"] = result.document.id
    return DEMO_LEAD
