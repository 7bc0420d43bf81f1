"""Delivery across OS processes on one PostgreSQL database: no duplicates, nothing missing,
and a worker killed with SIGKILL mid-batch loses nothing when another takes over."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_sessionmaker, session_scope, upgrade
from models import (
    ActionItem,
    ActionStatus,
    Notification,
    NotificationState,
    Person,
    Platform,
    SourceKind,
    Workspace,
)  # fmt: skip
from services.outbox import delivery
from services.outbox.delivery import LEASE
from tests.conftest import World, new_database_url
from tests.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[tuple[str, sessionmaker[Session]]]:
    url, drop = new_database_url("postgresql", tmp_path)
    engine = make_engine(url)
    upgrade(engine)
    yield url, make_sessionmaker(engine)
    engine.dispose()
    drop()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    f = FakeSlack().start()
    yield f
    f.stop()


def seed(sessions: sessionmaker[Session], people: int, per_person: int) -> int:
    """`people` recipients with `per_person` due notifications each; returns the total."""
    with sessions.begin() as s:
        ws = s.execute(insert(Workspace).returning(Workspace.id), dict(
            platform=Platform.SLACK, external_id="T1", name="T", settings={}, timezone="UTC",
            pmo_channel=None, created_at=NOW)).scalar_one()  # fmt: skip
        s.execute(insert(Person), [dict(
            id=i, workspace_id=ws, external_id=f"U{i:05d}", handle=f"u{i}", display_name=f"U{i}",
            email=None, timezone="UTC", working_days="12345", work_start=dtime(9),
            work_end=dtime(17), active=True, profile_refreshed_at=NOW, created_at=NOW)
            for i in range(1, people + 1)])  # fmt: skip
        n = people * per_person
        s.execute(insert(ActionItem), [dict(
            id=k, workspace_id=ws, project_id=None, title=f"Item {k}", notes="",
            owner_id=(k - 1) // per_person + 1, created_by_id=1, due_on=date(2026, 12, 1),
            status=ActionStatus.OPEN, source_kind=SourceKind.COMMAND, source_ref=None,
            snoozed_until=None, done_at=None, created_at=NOW, updated_at=NOW)
            for k in range(1, n + 1)])  # fmt: skip
        s.execute(insert(Notification), [dict(
            workspace_id=ws, rule="overdue", subject_type="action_item", subject_id=k,
            occurrence="2026-12-07", recipient_id=(k - 1) // per_person + 1,
            payload={"due_on": "2026-12-01", "owner_handle": "u", "owner_external_id": "U"},
            state=NotificationState.PENDING, attempts=0, next_attempt_at=NOW, created_at=NOW)
            for k in range(1, n + 1)])  # fmt: skip
    return n


def worker(url: str, api_url: str, now: datetime) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.delivery_worker", url, api_url, now.isoformat()],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def delivered_ids(fake: FakeSlack) -> Counter[int]:
    """Every item id in every DM Slack accepted (from the item:<id> button blocks)."""
    seen: Counter[int] = Counter()
    for call in fake.of("chat.postMessage"):
        blocks = call.args["blocks"]
        blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
        for b in blocks:
            if b.get("type") == "actions" and str(b.get("block_id", "")).startswith("item:"):
                seen[int(b["block_id"].split(":")[1])] += 1
    return seen


def test_two_delivery_processes_deliver_5000_with_no_duplicate_and_none_missing(pg, fake) -> None:  # type: ignore[no-untyped-def]
    url, sessions = pg
    total = seed(sessions, people=1000, per_person=5)
    procs = [worker(url, fake.api_url, NOW) for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outs]
    per_worker = [int(o[0].split()[-1]) for o in outs]
    seen = delivered_ids(fake)
    assert len(seen) == total  # none missing
    assert max(seen.values()) == 1  # no duplicate
    assert sum(per_worker) == total and min(per_worker) > 0  # both processes really worked
    with sessions() as s:
        assert (
            s.scalar(select(func.count()).where(Notification.state == NotificationState.SENT))
            == total
        )


def test_a_worker_killed_mid_batch_loses_nothing_and_only_its_in_flight_message_can_repeat(
    pg, fake
) -> None:  # type: ignore[no-untyped-def]
    url, sessions = pg
    total = seed(sessions, people=200, per_person=5)
    fake.hold_post_number = 31  # Slack accepts the 31st DM, then the worker dies before its commit
    victim = worker(url, fake.api_url, NOW)
    assert fake.holding.wait(timeout=120), "the worker never reached the 31st message"
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    for pipe in (victim.stdout, victim.stderr):
        assert pipe is not None
        pipe.close()
    fake.release.set()
    assert victim.returncode == -signal.SIGKILL
    posted_before = set(delivered_ids(fake))
    with sessions() as s:
        sending = set(s.scalars(select(Notification.subject_id)
                                .where(Notification.state == NotificationState.SENDING)).all())  # fmt: skip
    in_flight = sending & posted_before
    assert len(in_flight) == 5  # the held message's bundle: accepted by Slack, not committed
    # A new worker after the lease has passed takes over the abandoned rows.
    fake.hold_post_number = None
    survivor = worker(url, fake.api_url, NOW + LEASE + timedelta(seconds=1))
    _, err = survivor.communicate(timeout=600)
    assert survivor.returncode == 0, err[-2000:]
    seen = delivered_ids(fake)
    assert len(seen) == total  # 0 missing
    duplicates = {k for k, n in seen.items() if n > 1}
    # The only way to a duplicate: Slack accepted a message but the kill came before our commit.
    # Such rows were still `sending` and had already been posted when the worker died.
    assert duplicates == in_flight  # exactly the message in flight at the kill, nothing else
    print(
        f"\nkilled after {len(posted_before)} items posted; {len(sending)} rows left sending; "
        f"{len(duplicates)} duplicate(s), all in the message in flight at the kill"
    )
    with sessions() as s:
        assert (
            s.scalar(select(func.count()).where(Notification.state == NotificationState.SENT))
            == total
        )


def test_two_threads_claiming_at_once_never_take_the_same_row(pg) -> None:  # type: ignore[no-untyped-def]
    """SKIP LOCKED at work: a PostgreSQL property (SQLite has a single writer)."""
    _, sessions = pg
    with session_scope(sessions) as s:
        w = World(s, platform=Platform.SLACK, ext="T1", digests=False)
        w.person("U0LEAD")
        people = [w.person(f"U{i:04d}", tz="America/New_York") for i in range(100)]
        rows = [
            dict(workspace_id=w.ws.id, rule="overdue", subject_type="action_item", subject_id=0,
                 occurrence=f"o{j}", recipient_id=p.id, payload={}, state=NotificationState.PENDING,
                 attempts=0, next_attempt_at=NOW, created_at=NOW)
            for p in people for j in range(10)
        ]  # fmt: skip
        s.execute(insert(Notification), rows)
    claimed: list[list[int]] = [[], []]

    def worker(k: int) -> None:
        while True:
            with session_scope(sessions) as s:
                got = delivery.claim(s, now=NOW, limit=37)
            if not got:
                return
            claimed[k].extend(got)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(claimed[0]) + len(claimed[1]) == 1000
    assert not set(claimed[0]) & set(claimed[1])
    assert claimed[0] and claimed[1]  # both really worked
