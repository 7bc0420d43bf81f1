"""Benchmark: the RAID log of 1,000 projects x 20 entries (risks, issues, assumptions,
dependencies, decisions) with 5 score points per risk.

Prints, per engine: the time of `raid all` for a PMO lead (the whole command path: parse,
permission-scoped queries, views, Slack and console rendering), of `raid <KEY>`, of the
report's RAID part (top risks, new high-severity issues, the heat map counts) and of
`top_risk_by_project` over every project, and of one review sweep (who is reminded of what,
within each person's budget) — each with the SQL statements it ran (the test
tests/test_raid_reviews.py asserts the bounds on a smaller log).

    python bench/raid.py [--only sqlite|postgresql] [--projects 1000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, event, insert, select, text
from sqlalchemy.orm import Session

from bot.db import make_engine, make_sessionmaker, upgrade
from handlers.console.render import render
from handlers.slack.results import message
from models import (
    Level,
    Membership,
    Person,
    Platform,
    Project,
    ProjectRole,
    RaidEntry,
    RaidKind,
    RaidScore,
    RaidStatus,
    Workspace,
    WorkspaceRole,
    WorkspaceRoleName,
)
from services.commands.execute import run_text
from services.core.access import actor_for
from services.raid import reviews
from services.raid.portfolio import summary
from services.raid.queries import top_risk_by_project

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
RUNS = 7
KINDS = (
    [RaidKind.RISK] * 8
    + [RaidKind.ISSUE] * 5
    + [RaidKind.ASSUMPTION] * 3
    + [RaidKind.DEPENDENCY] * 2
    + [RaidKind.DECISION] * 2
)


def seed(
    session: Session,
    *,
    projects: int,
    per_project: int = 20,
    people: int = 200,
    seed_value: int = 7,
) -> int:
    """A workspace whose first person (@lead) is its PMO lead, `projects` projects with a PM
    and 5 members each, and `per_project` entries in each. Returns the workspace id."""
    rnd = random.Random(seed_value)
    ws = Workspace(
        platform=Platform.CONSOLE,
        external_id=f"bench-{uuid.uuid4().hex[:6]}",
        name="Bench",
        timezone="UTC",
        settings={},
        created_at=NOW,
    )
    session.add(ws)
    session.flush()
    session.execute(
        insert(Person),
        [
            dict(
                workspace_id=ws.id,
                external_id=f"p{i}",
                handle=f"p{i}",
                display_name=f"P {i}",
                timezone="UTC",
                working_days="12345",
                active=True,
                digest_enabled=False,
                created_at=NOW,
            )
            for i in range(people)
        ],
    )
    ids = list(session.scalars(select(Person.id).where(Person.workspace_id == ws.id)))
    session.add(
        WorkspaceRole(
            workspace_id=ws.id, person_id=ids[0], role=WorkspaceRoleName.PMO_LEAD, granted_at=NOW
        )
    )
    session.execute(
        insert(Project),
        [
            dict(
                workspace_id=ws.id,
                key=f"P{i:04d}",
                name=f"Project {i}",
                description="",
                private=i % 10 == 0,
                created_at=NOW,
            )
            for i in range(projects)
        ],
    )
    pids = list(session.scalars(select(Project.id).where(Project.workspace_id == ws.id)))
    session.execute(
        insert(Membership),
        [
            dict(
                workspace_id=ws.id,
                project_id=pid,
                person_id=ids[1 + (n * 5 + k) % (people - 1)],
                role=ProjectRole.PM if k == 0 else ProjectRole.MEMBER,
                created_at=NOW,
            )
            for n, pid in enumerate(pids)
            for k in range(5)
        ],
    )
    rows: list[dict[str, Any]] = []
    for n, pid in enumerate(pids):
        numbers: dict[RaidKind, int] = {}
        for k in range(per_project):
            kind = KINDS[k % len(KINDS)]
            numbers[kind] = numbers.get(kind, 0) + 1
            p, i = rnd.randint(1, 5), rnd.randint(1, 5)
            closed = rnd.random() < 0.2
            risk, issue = kind == RaidKind.RISK, kind == RaidKind.ISSUE
            severity = rnd.choice(list(Level)) if issue else None
            rank = (
                p * i
                if risk
                else (
                    {"low": 1, "medium": 2, "high": 3, "critical": 4}[severity.value]
                    if severity
                    else 0
                )
            )
            rows.append(
                dict(
                    workspace_id=ws.id,
                    project_id=pid,
                    kind=kind,
                    number=numbers[kind],
                    title=f"{kind.value} {k} of project {n}",
                    description="",
                    resolution="",
                    owner_id=None if kind == RaidKind.DECISION else ids[rnd.randrange(1, people)],
                    raised_by_id=ids[1 + n % (people - 1)],
                    status=RaidStatus.CLOSED if closed else RaidStatus.OPEN,
                    probability=p if risk else None,
                    impact=i if risk else None,
                    score=p * i if risk else None,
                    rank=rank,
                    opportunity=False,
                    red_since=NOW if risk and p * i >= 15 and not closed else None,
                    escalated_at=NOW,
                    severity=severity,
                    due_on=(NOW + timedelta(days=rnd.randint(-20, 40))).date(),
                    decided_on=NOW.date() if kind == RaidKind.DECISION else None,
                    attendees=[],
                    created_at=NOW - timedelta(days=rnd.randint(0, 60)),
                    updated_at=NOW,
                    closed_at=NOW if closed else None,
                )
            )
    for i in range(0, len(rows), 5000):
        session.execute(insert(RaidEntry), rows[i : i + 5000])
    risk_ids = list(
        session.scalars(
            select(RaidEntry.id).where(
                RaidEntry.workspace_id == ws.id, RaidEntry.kind == RaidKind.RISK
            )
        )
    )
    points = [
        dict(
            workspace_id=ws.id,
            entry_id=rid,
            probability=3,
            impact=3,
            score=9,
            note="",
            at=NOW - timedelta(days=7 * k),
        )
        for rid in risk_ids
        for k in range(5)
    ]
    for i in range(0, len(points), 5000):
        session.execute(insert(RaidScore), points[i : i + 5000])
    session.flush()
    return ws.id


@contextmanager
def counted(engine: Engine) -> Any:
    seen: list[str] = []

    def before(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def timed(engine: Engine, fn: Callable[[], object]) -> tuple[float, float, int]:
    fn()  # warm
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    with counted(engine) as seen:
        fn()
    return statistics.median(times), max(times), len(seen)


def run(kind: str, url: str, projects: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    t = time.perf_counter()
    with sessions.begin() as s:
        ws_id = seed(s, projects=projects)
    seeded = time.perf_counter() - t
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    with sessions() as s:
        lead = actor_for(
            s,
            s.scalars(
                select(Person).where(Person.workspace_id == ws_id).order_by(Person.id)
            ).first(),
        )  # type: ignore[arg-type]
        pids = list(s.scalars(select(Project.id).where(Project.workspace_id == ws_id)))
        n = s.scalar(select(text("count(*)")).select_from(RaidEntry)) or 0

        def raid_all() -> object:
            result = run_text(s, lead, "raid all", now=NOW)
            return message(result), render(result)

        def raid_project() -> object:
            result = run_text(s, lead, "raid P0042", now=NOW)
            return message(result), render(result)

        cases = {
            "raid all (PMO lead, command path)": raid_all,
            "raid P0042": raid_project,
            "report: RAID part": lambda: summary(s, ws_id, project_ids=pids, period="2026-W48"),
            "top_risk_by_project (all)": lambda: top_risk_by_project(s, ws_id, pids),
            "review sweep: plan + budget": lambda: reviews.within_budget(
                s, reviews.plan(s, now=NOW)
            ),
        }
        print(f"\n{kind}: {projects:,} projects, {n:,} entries (seeded in {seeded:.1f} s)")
        for name, fn in cases.items():
            med, worst, statements = timed(engine, fn)
            print(
                f"  {name:<36} {med:8.1f} ms median  {worst:8.1f} ms max  {statements} statements"
            )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--projects", type=int, default=1000)
    args = parser.parse_args()
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            run("SQLite", f"sqlite:///{tmp}/bench.sqlite3", args.projects)
    if args.only in (None, "postgresql"):
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            run("PostgreSQL", f"{PG_URL}?options=-csearch_path%3D{schema}", args.projects)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
