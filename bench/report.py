"""Benchmark: the weekly portfolio report over 1,000 projects x 50 past cycles of updates and
20,000 action items.

Prints, in the same run: the time to build the report data (services.status.report.build), the time
to render it (Slack parent + thread replies, Markdown, CSV), and the time of one hand-written
SQL aggregate that returns the same per-project data (this week's update, the RAG of each of
the last 9 weeks, rounds due and answered on time, the PM, overdue action items and
deliverables). Target: build / raw SQL <= 2.

    python bench/report.py [--only sqlite|postgresql]
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text

from bot.db import make_engine, make_sessionmaker, upgrade
from handlers.slack.status.render import report_parent, report_replies
from models import (
    ActionItem,
    ActionStatus,
    CycleState,
    Deliverable,
    DeliverableStatus,
    Membership,
    Person,
    Platform,
    Project,
    ProjectRole,
    ProjectState,
    Rag,
    SourceKind,
    StatusCycle,
    StatusUpdate,
    Workspace,
)
from services.status import exports as report_exports
from services.status import report as reports

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
PERIOD = "2026-W48"
N_PROJECTS, N_CYCLES, N_ITEMS = 1000, 50, 20_000
RUNS = 7

RAW = """
WITH weeks AS (SELECT c.project_id, c.period, c.state, c.note, u.overall, u.on_time
               FROM status_cycle c
               LEFT JOIN status_update u ON u.cycle_id = c.id AND u.latest = :yes
               WHERE c.workspace_id = :ws AND c.period IN ({periods})),
     per_project AS (
        SELECT project_id, {week_columns},
               SUM(CASE WHEN period <> :oldest AND state <> 'skipped' THEN 1 ELSE 0 END) AS due,
               SUM(CASE WHEN period <> :oldest AND on_time = :yes THEN 1 ELSE 0 END) AS on_time,
               MAX(CASE WHEN period = :period THEN state END) AS this_state,
               MAX(CASE WHEN period = :period THEN note END) AS this_note
        FROM weeks GROUP BY project_id),
     this_week AS (SELECT u.* FROM status_update u JOIN status_cycle c ON c.id = u.cycle_id
                   WHERE c.workspace_id = :ws AND c.period = :period AND u.latest = :yes),
     items AS (SELECT project_id, COUNT(*) AS n FROM action_item
               WHERE workspace_id = :ws AND status = 'open' AND due_on < :today
               GROUP BY project_id),
     dels AS (SELECT project_id, COUNT(*) AS n FROM deliverable
              WHERE workspace_id = :ws AND status IN ('planned', 'in_progress')
                AND forecast_on < :today GROUP BY project_id)
SELECT p.id, p.key, p.name, tw.overall, pm.handle, i.n, d.n, pp.*, tw.schedule, tw.scope,
       tw.budget, tw.resources, tw.percent_complete, tw.summary, tw.highlights, tw.blockers,
       tw.escalate, tw.asks, tw.next_steps, tw.version, tw.on_time, author.handle
FROM project p
LEFT JOIN per_project pp ON pp.project_id = p.id
LEFT JOIN this_week tw ON tw.project_id = p.id
LEFT JOIN person author ON author.id = tw.author_id
LEFT JOIN membership m ON m.project_id = p.id AND m.role = 'pm'
LEFT JOIN person pm ON pm.id = m.person_id
LEFT JOIN items i ON i.project_id = p.id
LEFT JOIN dels d ON d.project_id = p.id
WHERE p.workspace_id = :ws AND p.state <> 'closed'
ORDER BY p.key
"""


def seed(engine) -> int:  # type: ignore[no-untyped-def]
    rnd = random.Random(7)
    periods = reports.previous_periods(PERIOD, N_CYCLES)
    with engine.begin() as c:
        ws = c.execute(insert(Workspace).returning(Workspace.id), dict(
            platform=Platform.SLACK, external_id="TB", name="Bench", settings={},
            timezone="UTC", pmo_channel=None, created_at=NOW)).scalar_one()  # fmt: skip
        c.execute(insert(Person), [dict(
            workspace_id=ws, external_id=f"U{i}", handle=f"u{i}", display_name=f"U {i}",
            timezone="UTC", working_days="12345", active=True, created_at=NOW)
            for i in range(1, 501)])  # fmt: skip
        c.execute(insert(Project), [dict(
            workspace_id=ws, key=f"P{i:04d}", name=f"Project {i}", description="",
            state=ProjectState.ACTIVE, private=False, created_at=NOW - timedelta(days=400))
            for i in range(1, N_PROJECTS + 1)])  # fmt: skip
        c.execute(insert(Membership), [dict(
            workspace_id=ws, project_id=p, person_id=1 + p % 500, role=ProjectRole.PM,
            created_at=NOW) for p in range(1, N_PROJECTS + 1)])  # fmt: skip
        c.execute(insert(StatusCycle), [dict(
            workspace_id=ws, project_id=p, period=per, opens_at=NOW, deadline_at=NOW,
            state=CycleState.CLOSED, note="", reporters=[], created_at=NOW)
            for p in range(1, N_PROJECTS + 1) for per in periods])  # fmt: skip
        rags = [Rag.GREEN, Rag.GREEN, Rag.GREEN, Rag.AMBER, Rag.RED]
        cid = 0
        rows = []
        for p in range(1, N_PROJECTS + 1):
            for _per in periods:
                cid += 1
                if rnd.random() < 0.9:
                    rows.append(dict(
                        workspace_id=ws, project_id=p, cycle_id=cid, author_id=1 + p % 500,
                        version=1, latest=True, overall=rnd.choice(rags),
                        summary="Progressing as planned; vendor onboarding this week.",
                        highlights="Milestone reached", blockers="", escalate=False,
                        asks="", next_steps="Next sprint", on_time=rnd.random() < 0.8,
                        submitted_at=NOW, extra={}))  # fmt: skip
        for i in range(0, len(rows), 10_000):
            c.execute(insert(StatusUpdate), rows[i : i + 10_000])
        c.execute(insert(ActionItem), [dict(
            workspace_id=ws, project_id=rnd.randint(1, N_PROJECTS), title=f"Item {i}", notes="",
            owner_id=rnd.randint(1, 500), created_by_id=1,
            due_on=TODAY + timedelta(days=rnd.randint(-30, 30)), status=ActionStatus.OPEN,
            source_kind=SourceKind.COMMAND, created_at=NOW, updated_at=NOW)
            for i in range(N_ITEMS)])  # fmt: skip
        c.execute(insert(Deliverable), [dict(
            workspace_id=ws, project_id=rnd.randint(1, N_PROJECTS), title=f"D{i}",
            owner_id=None, baseline_on=TODAY, forecast_on=TODAY + timedelta(days=rnd.randint(-20, 40)),
            status=DeliverableStatus.PLANNED, created_at=NOW) for i in range(3000)])  # fmt: skip
        c.execute(text("ANALYZE"))
    return int(ws)


def median_ms(fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def run(kind: str) -> None:
    schema = None
    if kind == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/report.sqlite3"
    else:
        schema = f"pmo_rep_{uuid.uuid4().hex[:8]}"
        admin = make_engine(PG_URL)
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        ws = seed(engine)
        sessions = make_sessionmaker(engine)
        periods = reports.previous_periods(PERIOD, 9)
        week_columns = ", ".join(
            f"MAX(CASE WHEN period = '{p}' THEN overall END) AS w{i}" for i, p in enumerate(periods)
        )
        raw = text(RAW.format(periods=", ".join(f"'{p}'" for p in periods),
                              week_columns=week_columns))  # fmt: skip
        params = {"ws": ws, "period": PERIOD, "oldest": periods[0], "today": TODAY, "yes": True}

        def build() -> reports.Report:
            with sessions() as s:
                return reports.build(s, ws, PERIOD, today=TODAY)

        def raw_sql() -> list:  # type: ignore[type-arg]
            with sessions() as s:
                return list(s.execute(raw, params))

        report = build()
        got = {r[1]: r for r in raw_sql()}
        for ln in report.projects:  # the same numbers both ways
            r = got[ln.key]
            assert (r[3] or None) == (ln.update.overall.value if ln.update else None), ln.key
            assert (r[5] or 0, r[6] or 0) == (ln.overdue_items, ln.overdue_deliverables)
        t_build = median_ms(build)
        t_raw = median_ms(raw_sql)
        t_render = median_ms(lambda: (report_parent(report), report_replies(report),
                                      report_exports.to_markdown(report), report_exports.to_csv(report)))  # fmt: skip
        print(f"{kind:<11} build {t_build:7.1f} ms · render {t_render:7.1f} ms · raw SQL "
              f"aggregate {t_raw:7.1f} ms · build/raw {t_build / t_raw:4.2f} (target <= 2)")  # fmt: skip
    finally:
        engine.dispose()
        if schema:
            admin = make_engine(PG_URL)
            with admin.begin() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    args = ap.parse_args()
    print(f"{N_PROJECTS:,} projects x {N_CYCLES} cycles of updates, {N_ITEMS:,} action items; "
          f"median of {RUNS} runs")  # fmt: skip
    for kind in ["sqlite", "postgresql"]:
        if args.only in (None, kind):
            run(kind)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
