"""Benchmark: the meeting sweep (agendas and no-minutes nudges) and calendar feeds.

Seeds 500 meeting series (weekly, bi-weekly and monthly, in 6 time zones, some with EXDATEs)
over 100 projects, with 5,000 dated action items, then times on SQLite (and PostgreSQL when
reachable at PMO_TEST_POSTGRES_URL):
- one scheduler tick of `agenda.materialize` when nothing is due, and when 100 agendas are;
- building a project feed and a busy person's feed (`feeds.render`), and its size.

    python bench/meetings.py [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import os
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
from models import (
    ActionItem,
    ActionStatus,
    MeetingSeries,
    Membership,
    Person,
    Platform,
    Project,
    ProjectRole,
    SourceKind,
    Workspace,
)
from services.core.access import actor_for
from services.meetings import agenda, feeds

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ZONES = ["UTC", "America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Sydney",
         "America/Los_Angeles"]  # fmt: skip
RULES = ["FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "FREQ=MONTHLY;BYDAY=1MO",
         "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"]  # fmt: skip


def seed(url: str) -> tuple[object, int]:
    engine = make_engine(url)
    upgrade(engine)
    rnd = random.Random(7)
    with make_sessionmaker(engine).begin() as s:
        ws = Workspace(platform=Platform.SLACK, external_id="TBENCH", name="Bench", created_at=NOW)
        s.add(ws)
        s.flush()
        people = [Person(workspace_id=ws.id, external_id=f"U{i}", handle=f"p{i}",
                         display_name=f"P {i}", timezone=ZONES[i % 6], created_at=NOW)
                  for i in range(500)]  # fmt: skip
        s.add_all(people)
        s.flush()
        projects = [Project(workspace_id=ws.id, key=f"P{i:03d}", name=f"Project {i}",
                            home_channel=f"C{i:05d}", created_at=NOW) for i in range(100)]  # fmt: skip
        s.add_all(projects)
        s.flush()
        s.execute(insert(Membership), [
            {"workspace_id": ws.id, "project_id": projects[i % 100].id,
             "person_id": people[i].id, "role": ProjectRole.PM if i < 100 else ProjectRole.MEMBER}
            for i in range(500)
        ])  # fmt: skip
        series = []
        for i in range(500):
            tz = ZONES[i % 6]
            start = NOW - timedelta(days=rnd.randint(0, 90), minutes=rnd.randint(0, 600))
            start = start.replace(minute=(start.minute // 15) * 15, second=0, microsecond=0)
            ex = [(start + timedelta(weeks=k)).isoformat() for k in (3, 5)] if i % 4 == 0 else []
            series.append({
                "workspace_id": ws.id, "project_id": projects[i % 100].id,
                "uid": f"bench-{i}@pmo-bot", "title": f"Meeting {i}", "timezone": tz,
                "starts_at": start, "duration_minutes": 30, "rrule": RULES[i % 5],
                "exdates": ex, "rdates": [], "moved": [], "channel": f"C{i % 100:05d}",
                "organizer_id": people[i % 100].id, "agenda_minutes": 15, "active": True,
                "sequence": 0, "created_at": NOW, "updated_at": NOW,
            })  # fmt: skip
        s.execute(insert(MeetingSeries), series)
        s.execute(insert(ActionItem), [
            {"workspace_id": ws.id, "project_id": projects[i % 100].id, "title": f"Item {i}",
             "notes": "", "owner_id": people[i % 500].id, "created_by_id": people[0].id,
             "due_on": date(2026, 11, 1) + timedelta(days=i % 90), "status": ActionStatus.OPEN,
             "source_kind": SourceKind.COMMAND, "created_at": NOW, "updated_at": NOW}
            for i in range(5000)
        ])  # fmt: skip
        return engine, people[0].id


def timed(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def run(label: str, url: str) -> None:
    engine, person_id = seed(url)
    sessions = make_sessionmaker(engine)  # type: ignore[arg-type]

    def tick(at: datetime) -> int:
        with sessions() as s:
            n = agenda.materialize(s, now=at)
            s.rollback()  # measure the decision, leave the data as it was
            return n

    quiet = NOW.replace(hour=3, minute=7)
    busy = max(((NOW + timedelta(minutes=m)), tick(NOW + timedelta(minutes=m)))
               for m in range(0, 24 * 60, 15))  # fmt: skip
    t_quiet = timed(lambda: tick(quiet))
    t_busy = timed(lambda: tick(busy[0]))
    with sessions.begin() as s:
        me = s.get(Person, person_id)
        assert me is not None
        actor = actor_for(s, me)
        mine = feeds.link(s, actor, now=NOW).token
        proj = feeds.link(s, actor, now=NOW, key="P000").token
    sizes: dict[str, int] = {}

    def feed(token: str, name: str) -> None:
        with sessions() as s:
            body = feeds.render(s, token, now=NOW)
            assert body is not None
            sizes[name] = len(body)

    t_person = timed(lambda: feed(mine, "person"))
    t_project = timed(lambda: feed(proj, "project"))
    print(
        f"{label}: meeting sweep over 500 series: {t_quiet:.1f} ms with nothing due, "
        f"{t_busy:.1f} ms with {busy[1]} agendas/nudges due"
    )
    print(
        f"{label}: feeds: a person's {t_person:.1f} ms ({sizes['person'] // 1024} KB), "
        f"a project's {t_project:.1f} ms ({sizes['project'] // 1024} KB)"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    args = ap.parse_args()
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as tmp:
            run("SQLite", f"sqlite:///{tmp}/bench.sqlite3")
    pg = os.environ.get("PMO_TEST_POSTGRES_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")  # fmt: skip
    if args.only != "sqlite":
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(pg)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            run("PostgreSQL", f"{pg}?options=-csearch_path%3D{schema}")
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
