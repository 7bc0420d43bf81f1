"""Benchmark: exactly once across timeouts.

200 reminder DMs (to 200 people), 20 portfolio reports (each in its own channel: a parent,
a thread reply per project, the chart) and 20 final minutes (three parts each: the first in
the channel, two in its thread) go out through the real sweep and SlackNotifier while the
fake Slack answers every fifth post or file share only after the client's timeout (it has
accepted it: it is in the conversation at once). The sweep runs again every (simulated) ten
minutes until nothing is left to send. Prints, per kind, the duplicates (a message or part
posted more than once) and the losses (one never posted), target 0 and 0, and the time.

    python bench/timeouts.py [--count 200] [--threads 20] [--timeout 0.3] [--db URL] [--tiny]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_sdk import WebClient
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_sessionmaker, upgrade
from handlers.chat.delivery import deliver_due
from handlers.slack.notifier import SlackNotifier
from models import (
    CycleState,
    EntryKind,
    MinutesEntry,
    Notification,
    NotificationState,
    Platform,
    Project,
    ProjectState,
    Rag,
    StatusCycle,
    StatusUpdate,
)
from services.core import people
from services.core.access import actor_for
from services.meetings import closing, minutes
from services.outbox.kinds import DigestKind
from services.outbox.notices import notice_row
from services.outbox.port import Digest
from services.outbox.rows import insert_notifications, outbox_row
from tests.fake_slack import LATE, FakeSlack

NOW = datetime(2026, 12, 9, 14, 0, tzinfo=UTC)  # a Wednesday, 14:00 UTC: at work
PERIOD = "2026-W49"  # the reports' week
PROJECTS = 5


@dataclass
class Outcome:
    reminders: int
    duplicates: int
    losses: int
    late: int
    sweeps: int
    seconds: float
    # per kind of multi-part message: (messages, duplicated parts, lost parts)
    parts: dict[str, tuple[int, int, int]] = field(default_factory=dict)


def seed(sessions: sessionmaker[Session], count: int, team: str = "T1") -> None:
    """A Slack workspace with `count` people, a reminder notice due for each."""
    with sessions.begin() as s:
        ws = people.ensure_workspace(
            s, platform=Platform.SLACK, external_id=team, name="Bench", now=NOW
        )
        rows = []
        for n in range(count):
            p = people.upsert_person(
                s, workspace_id=ws.id, external_id=f"U{n:05d}", handle=f"p{n}",
                display_name=f"P{n}", timezone="UTC", now=NOW,
            )  # fmt: skip
            notice = Digest(DigestKind.NOTICE, "Reminder", NOW.date(), [], note=f"Item {n}")
            rows.append(notice_row(ws.id, "bench", ("person", p.id), "d", notice, to=p, now=NOW))
        insert_notifications(s, rows)


def seed_threads(
    sessions: sessionmaker[Session], count: int, *, projects: int = PROJECTS, team: str = "T1"
) -> None:
    """`count` portfolio reports of `projects` projects (each to its own channel, CREP…) and
    `count` minutes of 110 notes, three parts each (each in its own channel, CMIN…), due."""
    with sessions.begin() as s:
        ws = people.ensure_workspace(
            s, platform=Platform.SLACK, external_id=team, name="Bench", now=NOW
        )
        lead = people.upsert_person(
            s, workspace_id=ws.id, external_id="ULEAD", handle="lead", display_name="Lead",
            timezone="UTC", now=NOW,
        )  # fmt: skip
        s.execute(insert(Project), [dict(
            workspace_id=ws.id, key=f"P{i}", name=f"Project {i}", description="",
            state=ProjectState.ACTIVE, private=False, created_at=NOW - timedelta(days=40))
            for i in range(projects)])  # fmt: skip
        for pid in s.scalars(select(Project.id).where(Project.workspace_id == ws.id)):
            cycle = StatusCycle(workspace_id=ws.id, project_id=pid, period=PERIOD,
                                opens_at=NOW, deadline_at=NOW, state=CycleState.CLOSED,
                                note="", reporters=[], created_at=NOW)  # fmt: skip
            s.add(cycle)
            s.flush()
            s.add(StatusUpdate(workspace_id=ws.id, project_id=pid, cycle_id=cycle.id,
                               author_id=lead.id, version=1, latest=True, overall=Rag.AMBER,
                               summary=f"Summary of {pid}", highlights="", blockers="",
                               escalate=False, asks="", next_steps="", on_time=True,
                               submitted_at=NOW, extra={}))  # fmt: skip
        insert_notifications(s, [outbox_row(
            ws.id, "status_report", ("workspace", ws.id), PERIOD,
            payload={"report": {"period": PERIOD}}, at=NOW, now=NOW, channel=f"CREP{n:03d}")
            for n in range(count)])  # fmt: skip
        actor = actor_for(s, lead)
        for n in range(count):
            v = minutes.start(s, actor, channel=f"CMIN{n:03d}", now=NOW, title=f"Meeting {n}")
            s.add_all(MinutesEntry(minutes_id=v.id, kind=EntryKind.NOTE, author_id=lead.id,
                                   text=f"Note {k:03d}: " + "detail " * 30, created_at=NOW)
                      for k in range(110))  # fmt: skip
            s.flush()
            closing.end(s, actor, channel=f"CMIN{n:03d}", now=NOW, minutes_id=v.id)


def deliver_with_late_answers(
    sessions: sessionmaker[Session],
    fake: FakeSlack,
    *,
    timeout: float,
    late_every: int = 5,
    threads: int = 0,
) -> Outcome:
    """Sweep until the outbox is empty while every `late_every`-th post answers late."""
    fake.late_answer = lambda n: timeout + 0.3 if n % late_every == 0 else 0.0
    client = WebClient(token="xoxb-bench", base_url=fake.api_url, timeout=timeout)  # type: ignore[arg-type]
    notifier = SlackNotifier(lambda _team: client, pace=0)
    started = time.perf_counter()
    now, sweeps = NOW, 0
    while sweeps < 30:
        sweeps += 1
        deliver_due(sessions, notifier, now=now)
        with sessions() as s:
            left = s.scalar(
                select(func.count()).where(
                    Notification.state.in_([NotificationState.PENDING, NotificationState.SENDING])
                )
            )
        if not left:
            break
        now += timedelta(minutes=10)
    seconds = time.perf_counter() - started
    with sessions() as s:
        wanted = set(
            s.scalars(
                select(Notification.recipient_id).where(Notification.recipient_id.is_not(None))
            ).all()
        )
        total = len(wanted)
    posts = Counter(
        c.args["channel"] for c in fake.of("chat.postMessage") if c.args["channel"][0] == "U"
    )
    calls = sum(len(fake.of(m)) for m in LATE)
    return Outcome(
        reminders=total,
        duplicates=sum(n - 1 for n in posts.values() if n > 1),
        losses=total - len(posts),
        late=calls // late_every,
        sweeps=sweeps,
        seconds=seconds,
        parts={
            "reports": _parts(fake, "CREP", threads, PROJECTS + 2),  # parent, replies, chart
            "minutes": _parts(fake, "CMIN", threads, 3),
        },
    )


def _parts(fake: FakeSlack, prefix: str, count: int, parts: int) -> tuple[int, int, int]:
    """(messages, duplicated parts, lost parts) over `count` channels named `prefix`…, each
    to hold one message of `parts` distinct parts (top level and thread; a file by name)."""
    seen: dict[str, Counter[str]] = {}
    for channel, messages in fake.history.items():
        if channel.startswith(prefix):
            got = seen.setdefault(channel, Counter())
            for top in messages:
                got.update(_part(m) for m in [top, *fake.thread(channel, top["ts"])])
    duplicates = sum(n - 1 for got in seen.values() for n in got.values() if n > 1)
    losses = sum(max(0, parts - len(got)) for got in seen.values())
    return len(seen), duplicates, losses + (count - len(seen)) * parts


def _part(message: dict[str, Any]) -> str:
    if message.get("files"):
        return "file:" + str(message["files"][0]["name"])
    return str(message.get("text", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200, help="reminders")
    parser.add_argument("--threads", type=int, default=20, help="reports, and minutes")
    parser.add_argument("--timeout", type=float, default=0.3, help="client timeout, seconds")
    parser.add_argument("--db", default=None, help="database URL (default: a SQLite file)")
    parser.add_argument(
        "--tiny", action="store_true", help="20 reminders, 2 reports, 2 minutes (for the tests)"
    )
    args = parser.parse_args()
    count, threads = (20, 2) if args.tiny else (args.count, args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        seed(sessions, count)
        seed_threads(sessions, threads)
        fake = FakeSlack().start()
        try:
            out = deliver_with_late_answers(sessions, fake, timeout=args.timeout, threads=threads)
        finally:
            fake.stop()
            engine.dispose()
    print(f"posts and file shares answered after the client timeout: {out.late}")
    print(f"reminders: {out.reminders}, duplicates: {out.duplicates}, losses: {out.losses}")
    for kind, (messages, duplicates, losses) in out.parts.items():
        print(f"{kind}: {messages}, duplicated parts: {duplicates}, lost parts: {losses}")
    total = out.duplicates + sum(d for _, d, _ in out.parts.values())
    lost = out.losses + sum(lo for _, _, lo in out.parts.values())
    print(f"duplicates: {total}, losses: {lost} (target 0 and 0)")
    print(f"sweeps: {out.sweeps}, {out.seconds:.1f} s")


if __name__ == "__main__":
    main()
