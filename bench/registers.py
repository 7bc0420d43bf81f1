"""Benchmark: the registers at portfolio scale.

Seeds 1,000 projects, 5,000 people, 10,000 deliverables each with its own RACI (plus a default
per project), 2,000 accepted cross-project dependencies and 1,000 documents with two versions
and two approvers each, into a fresh SQLite file and a fresh PostgreSQL schema. Then times:

- the full command path (parse, queries, views, console rendering) of `project register`
  (the PMO lead, all 1,000 projects) and `raci P0001` (one chart, 10 deliverables);
- what the scheduler adds to every one-minute tick: the dependency watch over every accepted
  dependency, the RACI sweep (slips for the Informed, sign-off chasers) and the approval
  chasers — the first tick, which queues all that is due, and the ticks after it, where
  nothing new is (the common case);
- routing all 10,000 deliverables by their RACI, and a reminder plan with and without the
  RACI rows (more people are reminded with them: the cost per planned row is what compares).

Prints the median of `--runs` runs per engine. Targets: each command under 300 ms, each sweep
part under 250 ms once its first tick is done, routing under 100 µs a deliverable (about what
planning one reminder costs), planning under 400 µs a row.

    python bench/registers.py [--runs 7] [--only sqlite|postgresql]
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
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.db import make_engine, make_sessionmaker, upgrade
from handlers.console.render import render
from models import (
    Deliverable,
    DeliverableStatus,
    Dependency,
    DependencyState,
    Document,
    DocumentReview,
    DocumentVersion,
    Membership,
    Person,
    Platform,
    Project,
    ProjectRole,
    ProjectState,
    RaciAssignment,
    RaciLetter,
    ReviewDecision,
    VersionState,
    Workspace,
    WorkspaceRole,
    WorkspaceRoleName,
)
from services.commands.execute import run_text
from services.core.access import actor_for
from services.dependencies import watch
from services.documents import sweep as documents
from services.raci import sweep as raci
from services.raci.routing import routes
from services.work import reminders

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TICK = datetime(2026, 11, 24, 3, 7, tzinfo=UTC)  # a quiet minute: nobody's working window
N_PROJECTS, N_PEOPLE, PER_PROJECT, N_DEPS, N_DOCS = 1_000, 5_000, 10, 2_000, 1_000
ZONES = ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]


def seed(engine: Engine) -> None:
    rnd = random.Random(11)
    with engine.begin() as c:
        ws = c.execute(
            insert(Workspace).returning(Workspace.id),
            dict(platform=Platform.SLACK, external_id="TBENCH", name="Bench", settings={},
                 timezone="UTC", pmo_channel=None, created_at=NOW),
        ).scalar_one()  # fmt: skip
        c.execute(
            insert(Person),
            [
                dict(workspace_id=ws, external_id=f"U{i:06d}", handle=f"user{i}",
                     display_name=f"User {i}", email=None, timezone=ZONES[i % len(ZONES)],
                     working_days="12345", work_start=clock(9), work_end=clock(17), active=True,
                     profile_refreshed_at=NOW, created_at=NOW)
                for i in range(1, N_PEOPLE + 1)
            ],
        )  # fmt: skip
        c.execute(
            insert(WorkspaceRole),
            [dict(workspace_id=ws, person_id=1, role=r, granted_at=NOW)
             for r in (WorkspaceRoleName.ADMIN, WorkspaceRoleName.PMO_LEAD)],
        )  # fmt: skip
        c.execute(
            insert(Project),
            [
                dict(workspace_id=ws, key=f"P{i:04d}", name=f"Project {i}", description="",
                     phase="Executing", state=ProjectState.ACTIVE, start_on=date(2026, 1, 5),
                     target_on=date(2027, 6, 30), home_channel=None, private=i % 10 == 0,
                     created_at=NOW, closed_at=None, budget_planned=rnd.randint(1, 900) * 10**7,
                     budget_actual=rnd.randint(1, 900) * 10**6, currency="EUR")
                for i in range(1, N_PROJECTS + 1)
            ],
        )  # fmt: skip
        members = []
        for p in range(1, N_PROJECTS + 1):
            for j, person in enumerate(rnd.sample(range(2, N_PEOPLE + 1), 6)):
                role = (ProjectRole.PM, ProjectRole.SPONSOR)[j] if j < 2 else ProjectRole.MEMBER
                members.append(dict(workspace_id=ws, project_id=p, person_id=person, role=role,
                                    created_at=NOW))  # fmt: skip
        c.execute(insert(Membership), members)
        c.execute(
            insert(Deliverable),
            [
                dict(workspace_id=ws, project_id=p, title=f"Deliverable {p}.{k}",
                     owner_id=rnd.randint(2, N_PEOPLE), baseline_on=date(2026, 12, 1),
                     forecast_on=date(2026, 11, 1) + timedelta(days=rnd.randint(0, 60)),
                     status=DeliverableStatus.PLANNED, created_at=NOW, done_at=None)
                for p in range(1, N_PROJECTS + 1) for k in range(PER_PROJECT)
            ],
        )  # fmt: skip
        raci_rows = []
        for p in range(1, N_PROJECTS + 1):
            raci_rows.append(dict(workspace_id=ws, project_id=p, deliverable_id=None,
                                  person_id=rnd.randint(2, N_PEOPLE),
                                  letter=RaciLetter.ACCOUNTABLE, created_at=NOW))  # fmt: skip
            for k in range(PER_PROJECT):
                d = (p - 1) * PER_PROJECT + k + 1
                for letter in RaciLetter:
                    raci_rows.append(dict(workspace_id=ws, project_id=p, deliverable_id=d,
                                          person_id=rnd.randint(2, N_PEOPLE), letter=letter,
                                          created_at=NOW))  # fmt: skip
        c.execute(insert(RaciAssignment), raci_rows)
        c.execute(
            insert(Dependency),
            [
                dict(workspace_id=ws, downstream_project_id=(i % N_PROJECTS) + 1,
                     upstream_project_id=((i * 7 + 3) % N_PROJECTS) + 1,  # never the same
                     upstream_deliverable_id=rnd.randint(1, N_PROJECTS * PER_PROJECT),
                     what=f"Thing {i}", needed_by=date(2026, 11, 1) + timedelta(days=rnd.randint(0, 90)),
                     state=DependencyState.ACCEPTED, awaiting=None, round=1, reason="",
                     risk_keys=None, risk=None, alerts=0, created_at=NOW, updated_at=NOW)
                for i in range(N_DEPS)
            ],
        )  # fmt: skip
        c.execute(
            insert(Document),
            [dict(workspace_id=ws, project_id=(i % N_PROJECTS) + 1, title=f"Doc {i}", owner_id=2,
                  created_at=NOW, updated_at=NOW) for i in range(N_DOCS)],
        )  # fmt: skip
        c.execute(
            insert(DocumentVersion),
            [dict(workspace_id=ws, document_id=d, number=f"1.{v}", url="https://x.example/d",
                  note="", state=VersionState.SUPERSEDED if v == 0 else VersionState.IN_REVIEW,
                  created_by_id=2, created_at=NOW)
             for d in range(1, N_DOCS + 1) for v in range(2)],
        )  # fmt: skip
        c.execute(
            insert(DocumentReview),
            [dict(workspace_id=ws, version_id=v, approver_id=rnd.randint(2, N_PEOPLE),
                  asked_at=NOW, due_on=date(2026, 11, 20) + timedelta(days=rnd.randint(0, 14)),
                  decision=ReviewDecision.PENDING, comment="")
             for v in range(1, 2 * N_DOCS + 1) for _ in range(2)],
        )  # fmt: skip
        c.execute(text("ANALYZE"))


def median_ms(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    samples, out = [], None
    for i in range(runs + 2):
        start = time.perf_counter()
        out = fn()
        if i >= 2:  # warm-up excluded
            samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), out


def bench(engine: Engine, runs: int) -> list[tuple[str, float, float]]:
    sessions = make_sessionmaker(engine)
    rows: list[tuple[str, float, float]] = []

    def command(text_: str) -> Callable[[], object]:
        def go() -> object:
            with sessions() as s:
                actor = actor_for(s, s.get(Person, 1))  # type: ignore[arg-type]
                out = render(run_text(s, actor, text_, now=NOW))
                s.rollback()
                return out

        return go

    ms, out = median_ms(command("project register"), runs)
    rows.append(("project register (900 visible projects)", ms, 300))
    assert "Project register (900 projects)" in str(out), str(out)[:300]  # 100 are private
    ms, out = median_ms(command("raci P0001"), runs)
    rows.append(("raci P0001 (10 deliverables)", ms, 300))

    def sweep_part(fn: Callable[..., int]) -> Callable[[], object]:
        def go() -> object:
            with sessions() as s:
                n = fn(s, now=TICK)
                s.rollback()
                return n

        return go

    for name, fn in (
        ("dependency watch (2,000 accepted)", watch.materialize),
        ("RACI sweep (slips, sign-off chasers)", raci.materialize),
        ("approval chasers (2,000 reviews)", documents.materialize),
    ):
        start = time.perf_counter()
        with sessions.begin() as s:  # the first tick queues what is due (committed)
            n = fn(s, now=TICK)
        first = (time.perf_counter() - start) * 1000
        rows.append((f"first tick: {name} ({n:,} queued)", first, 10_000))
        ms, _ = median_ms(sweep_part(fn), runs)
        rows.append((f"next ticks: {name}", ms, 250))

    def plan() -> object:
        with sessions() as s:
            return len(reminders.plan(s, now=datetime(2026, 12, 1, 14, tzinfo=UTC)))

    def route_all() -> object:
        with sessions() as s:
            found = s.execute(select(Deliverable.id, Deliverable.project_id)).all()
            return len(routes(s, [(i, p, None) for i, p in found], among=select(Deliverable.id)))

    ms, n = median_ms(route_all, runs)
    rows.append((f"route {n:,} deliverables by their RACI (µs each)", ms * 1000 / n, 100))
    with_raci, n_with = median_ms(plan, runs)
    with engine.begin() as c:
        c.execute(delete(RaciAssignment))
    without, n_without = median_ms(plan, runs)
    rows.append((f"reminder plan, RACI routed ({n_with} rows)", with_raci, 10_000))
    rows.append((f"reminder plan, owners only ({n_without} rows)", without, 10_000))
    per_with, per_without = with_raci / n_with * 1000, without / n_without * 1000  # type: ignore[operator]
    rows.append(("  per planned row, RACI routed (µs)", per_with, 400))
    rows.append(("  per planned row, owners only (µs)", per_without, 400))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    args = ap.parse_args()
    print(
        f"Seed: {N_PROJECTS:,} projects, {N_PEOPLE:,} people, {N_PROJECTS * PER_PROJECT:,} "
        f"deliverables with a RACI each, {N_DEPS:,} dependencies, {N_DOCS:,} documents"
    )
    failed = False
    for kind in ("sqlite", "postgresql"):
        if args.only and kind != args.only:
            continue
        schema = None
        if kind == "sqlite":
            url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
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
            seed(engine)
            print(f"{kind} (seeded in {time.perf_counter() - t0:.1f} s)")
            for name, value, target in bench(engine, args.runs):
                ok = value < target
                failed |= not ok
                print(f"  {name:<46} {value:>9.1f}  (target < {target})  {'OK' if ok else 'MISS'}")
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
