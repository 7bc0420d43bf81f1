"""Benchmark: `action list overdue` (PMO lead) and `action list mine` at portfolio scale.

Seeds 1,000 projects, 5,000 people and 20,000 action items (plus memberships and
deliverables) into a fresh SQLite file and a fresh PostgreSQL schema, then times the full
command path — parse, permission-scoped queries, view building and text rendering — and
prints median and p95 per engine. Target: each under 50 ms.

    python bench/list_queries.py [--runs 50] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.db import make_engine, make_sessionmaker, upgrade
from handlers.console.render import render
from models import (
    ActionItem,
    ActionStatus,
    Deliverable,
    DeliverableStatus,
    Membership,
    Person,
    Platform,
    Project,
    ProjectRole,
    ProjectState,
    SourceKind,
    Workspace,
    WorkspaceRole,
    WorkspaceRoleName,
)
from services.commands.execute import run_text
from services.core.access import actor_for

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
N_PROJECTS, N_PEOPLE, N_ITEMS = 1_000, 5_000, 20_000
ZONES = ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]


def seed(engine: Engine) -> tuple[int, int]:
    """Bulk-load the portfolio; returns (pmo lead id, typical person id)."""
    rnd = random.Random(7)
    with engine.begin() as c:
        ws_id = c.execute(
            insert(Workspace).returning(Workspace.id),
            dict(platform=Platform.SLACK, external_id="TBENCH", name="Bench", settings={},
                 timezone="UTC", pmo_channel=None, created_at=NOW),
        ).scalar_one()  # fmt: skip
        c.execute(
            insert(Person),
            [
                dict(workspace_id=ws_id, external_id=f"U{i:06d}", handle=f"user{i}",
                     display_name=f"User {i}", email=None, timezone=ZONES[i % len(ZONES)],
                     working_days="12345", work_start=datetime.min.time().replace(hour=9),
                     work_end=datetime.min.time().replace(hour=17), active=True,
                     profile_refreshed_at=NOW, created_at=NOW)
                for i in range(1, N_PEOPLE + 1)
            ],
        )  # fmt: skip
        c.execute(
            insert(WorkspaceRole),
            [dict(workspace_id=ws_id, person_id=1, role=r, granted_at=NOW)
             for r in (WorkspaceRoleName.ADMIN, WorkspaceRoleName.PMO_LEAD)],
        )  # fmt: skip
        c.execute(
            insert(Project),
            [
                dict(workspace_id=ws_id, key=f"P{i:04d}", name=f"Project {i}", description="",
                     phase=None, state=ProjectState.ACTIVE, start_on=None, target_on=None,
                     home_channel=None, private=i % 10 == 0, created_at=NOW, closed_at=None)
                for i in range(1, N_PROJECTS + 1)
            ],
        )  # fmt: skip
        memberships = []
        for p in range(1, N_PROJECTS + 1):
            for j, person in enumerate(rnd.sample(range(2, N_PEOPLE + 1), 5)):
                role = ProjectRole.PM if j == 0 else ProjectRole.MEMBER
                memberships.append(dict(workspace_id=ws_id, project_id=p, person_id=person,
                                        role=role, created_at=NOW))  # fmt: skip
        c.execute(insert(Membership), memberships)
        c.execute(
            insert(Deliverable),
            [
                dict(workspace_id=ws_id, project_id=p, title=f"Deliverable {p}.{k}",
                     owner_id=rnd.randint(2, N_PEOPLE), baseline_on=date(2026, 12, 1),
                     forecast_on=date(2026, 10, 1) + timedelta(days=rnd.randint(0, 120)),
                     status=DeliverableStatus.PLANNED, created_at=NOW, done_at=None)
                for p in range(1, N_PROJECTS + 1) for k in range(3)
            ],
        )  # fmt: skip
        items = []
        for i in range(N_ITEMS):
            status = ActionStatus.OPEN if i % 4 else ActionStatus.DONE
            items.append(dict(
                workspace_id=ws_id, project_id=None if i % 20 == 0 else rnd.randint(1, N_PROJECTS),
                title=f"Action item {i}", notes="", owner_id=rnd.randint(2, N_PEOPLE),
                created_by_id=rnd.randint(2, N_PEOPLE),
                due_on=date(2026, 9, 1) + timedelta(days=rnd.randint(0, 180)), status=status,
                source_kind=SourceKind.COMMAND, source_ref=None, snoozed_until=None,
                done_at=None, created_at=NOW, updated_at=NOW))  # fmt: skip
        c.execute(insert(ActionItem), items)
        if engine.dialect.name == "postgresql":
            c.execute(text("ANALYZE"))
        else:
            c.execute(text("ANALYZE"))
    return 1, 1234


def time_command(
    engine: Engine, person_id: int, command: str, runs: int
) -> tuple[float, float, str]:
    sessions = make_sessionmaker(engine)
    samples = []
    first = ""
    for i in range(runs + 3):
        with sessions() as s:
            start = time.perf_counter()
            actor = actor_for(s, s.get(Person, person_id))  # type: ignore[arg-type]
            out = render(run_text(s, actor, command, now=NOW))
            elapsed = (time.perf_counter() - start) * 1000
            s.rollback()
        if i >= 3:  # warm-up excluded
            samples.append(elapsed)
        first = first or out.splitlines()[0]
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], first


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    args = ap.parse_args()
    print(f"Seed: {N_PROJECTS:,} projects, {N_PEOPLE:,} people, {N_ITEMS:,} action items")
    print(
        f"{'engine':<11} {'command':<28} {'median ms':>10} {'p95 ms':>8}  target <50 ms  first line"
    )
    failed = False
    for kind in ("sqlite", "postgresql"):
        if args.only and kind != args.only:
            continue
        schema = None
        if kind == "sqlite":
            tmp = tempfile.mkdtemp()
            url = f"sqlite:///{tmp}/bench.sqlite3"
        else:
            schema = f"pmo_bench_{uuid.uuid4().hex[:8]}"
            admin = make_engine(PG_URL)
            with admin.begin() as c:
                c.execute(text(f'CREATE SCHEMA "{schema}"'))
            admin.dispose()
            url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        engine = make_engine(url)
        try:
            upgrade(engine)
            t0 = time.perf_counter()
            lead, typical = seed(engine)
            print(f"{kind:<11} (seeded in {time.perf_counter() - t0:.1f} s)")
            for who, cmd in ((lead, "action list overdue"), (typical, "action list mine")):
                med, p95, first = time_command(engine, who, cmd, args.runs)
                ok = med < 50 and p95 < 50
                failed |= not ok
                label = f"{cmd} ({'PMO lead' if who == lead else 'person'})"
                verdict = "OK" if ok else "MISS"
                print(f"{kind:<11} {label:<28} {med:>10.1f} {p95:>8.1f}  {verdict:<13}  {first}")
        finally:
            engine.dispose()
            if schema:
                admin = make_engine(PG_URL)
                with admin.begin() as c:
                    c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
