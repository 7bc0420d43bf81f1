"""Benchmark: one reminder sweep over 10,000 action items owned by 2,000 people in 12 zones.

Prints the time to materialize the sweep, our own cost per notification (materialize plus
delivery bookkeeping, with Slack's latency excluded: the fake Slack answers at once, from its
own process as Slack would), and delivery throughput against the fake Slack with per-channel
pacing on. The sweep includes the daily personal digests due at that moment. Target: < 1 ms
of our own cost per notification.

    python bench/reminders.py [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_sdk import WebClient
from sqlalchemy import func, insert, select, text

from bot import jobs
from bot.db import make_engine, make_sessionmaker, upgrade
from handlers.chat import delivery
from handlers.slack.notifier import SlackNotifier
from models import (
    ActionItem,
    ActionStatus,
    Membership,
    Notification,
    Person,
    Platform,
    Project,
    ProjectRole,
    ProjectState,
    SourceKind,
    Workspace,
    WorkspaceRole,
    WorkspaceRoleName,
)  # fmt: skip

ROOT = Path(__file__).resolve().parents[1]
FAKE_SERVER = (
    "import sys; from tests.fake_slack import FakeSlack; f = FakeSlack().start(); "
    "print(f.api_url, flush=True); sys.stdin.read()"
)

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ZONES = ["Pacific/Honolulu", "America/Los_Angeles", "America/Denver", "America/Chicago",
         "America/New_York", "America/Sao_Paulo", "Europe/London", "Europe/Berlin",
         "Africa/Lagos", "Asia/Kolkata", "Asia/Singapore", "Australia/Sydney"]  # fmt: skip
NOW = datetime(2026, 12, 9, 14, 0, tzinfo=UTC)  # a Wednesday: most zones are at work


def seed(engine) -> None:  # type: ignore[no-untyped-def]
    rnd = random.Random(11)
    with engine.begin() as c:
        ws = c.execute(insert(Workspace).returning(Workspace.id), dict(
            platform=Platform.SLACK, external_id="TB", name="Bench", settings={}, timezone="UTC",
            pmo_channel=None, created_at=NOW)).scalar_one()  # fmt: skip
        c.execute(insert(Person), [dict(
            workspace_id=ws, external_id=f"U{i:05d}", handle=f"u{i}", display_name=f"U {i}",
            email=None, timezone=ZONES[i % 12], working_days="12345", work_start=dtime(0, 0),
            work_end=dtime(23, 59), active=True, profile_refreshed_at=NOW, created_at=NOW)
            for i in range(1, 2001)])  # fmt: skip
        c.execute(
            insert(WorkspaceRole),
            [dict(workspace_id=ws, person_id=1, role=WorkspaceRoleName.PMO_LEAD, granted_at=NOW)],
        )
        c.execute(insert(Project), [dict(
            workspace_id=ws, key=f"P{i:03d}", name=f"P{i}", description="", phase=None,
            state=ProjectState.ACTIVE, start_on=None, target_on=None, home_channel=None,
            private=False, created_at=NOW, closed_at=None) for i in range(1, 201)])  # fmt: skip
        c.execute(insert(Membership), [dict(
            workspace_id=ws, project_id=p, person_id=rnd.randint(2, 2000), role=ProjectRole.PM,
            created_at=NOW) for p in range(1, 201)])  # fmt: skip
        today = NOW.date()
        c.execute(insert(ActionItem), [dict(
            workspace_id=ws, project_id=rnd.randint(1, 200), title=f"Item {i}", notes="",
            owner_id=rnd.randint(2, 2000), created_by_id=1,
            due_on=today + timedelta(days=rnd.randint(-10, 3)), status=ActionStatus.OPEN,
            source_kind=SourceKind.COMMAND, source_ref=None, snoozed_until=None, done_at=None,
            created_at=NOW, updated_at=NOW) for i in range(10_000)])  # fmt: skip
        c.execute(text("ANALYZE"))


def run(kind: str) -> None:
    schema = None
    if kind == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/rem.sqlite3"
    else:
        schema = f"pmo_rem_{uuid.uuid4().hex[:8]}"
        admin = make_engine(PG_URL)
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    fake = subprocess.Popen(
        [sys.executable, "-c", FAKE_SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True, cwd=ROOT,
    )  # fmt: skip
    assert fake.stdout is not None
    api_url = fake.stdout.readline().strip()
    try:
        upgrade(engine)
        seed(engine)
        sessions = make_sessionmaker(engine)
        t0 = time.perf_counter()
        n = jobs.materialize(sessions, now=NOW)
        t_mat = time.perf_counter() - t0
        client = WebClient(token="xoxb-bench", base_url=api_url)
        # Slack's share: every Web API round trip, timed where it happens (the request out,
        # the fake's work, the answer back); everything else in the sweep is ours.
        in_slack = [0.0]
        real_api_call = client.api_call

        def timed_api_call(*args, **kwargs):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            try:
                return real_api_call(*args, **kwargs)
            finally:
                in_slack[0] += time.perf_counter() - t

        client.api_call = timed_api_call  # type: ignore[method-assign]
        notifier = SlackNotifier(lambda team: client)
        t0 = time.perf_counter()
        report = delivery.deliver_due(sessions, notifier, now=NOW, limit=100_000)
        t_del = time.perf_counter() - t0
        with sessions() as s:
            sent = s.scalar(select(func.count()).where(Notification.state == "sent"))
        own = t_mat + t_del - in_slack[0]
        print(f"{kind:<11} materialized {n:,} notifications in {t_mat * 1000:.0f} ms "
              f"({t_mat / max(n, 1) * 1000:.3f} ms each)")  # fmt: skip
        print(f"{kind:<11} delivered {sent:,} in {report.messages:,} bundled DMs in {t_del:.2f} s "
              f"({sent / t_del:,.0f} notifications/s, {report.messages / t_del:,.0f} messages/s, "
              f"pacing 1/s per channel)")  # fmt: skip
        print(f"{kind:<11} our own cost per notification (Slack round trips excluded): "
              f"{own / max(n, 1) * 1000:.3f} ms (target < 1 ms)")  # fmt: skip
    finally:
        fake.kill()
        fake.wait()
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
    print("10,000 open action items, 2,000 owners in 12 time zones, 200 projects with PMs")
    for kind in ("sqlite", "postgresql"):
        if not args.only or args.only == kind:
            run(kind)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
