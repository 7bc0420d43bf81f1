"""Benchmark: exactly once across timeouts.

200 reminder DMs (to 200 people) go out through the real sweep and SlackNotifier while the
fake Slack answers every fifth chat.postMessage only after the client's timeout (it has
accepted the message: it is in the conversation at once). The sweep runs again every
(simulated) ten minutes until nothing is left to send. Prints the duplicates (a person with
more than one message) and the losses (a person with none), target 0 and 0, and the time.

    python bench/timeouts.py [--count 200] [--timeout 0.3] [--db URL] [--tiny]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_sdk import WebClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_sessionmaker, upgrade
from handlers.chat.delivery import deliver_due
from handlers.slack.notifier import SlackNotifier
from models import Notification, NotificationState, Platform
from services.core import people
from services.outbox.kinds import DigestKind
from services.outbox.notices import notice_row
from services.outbox.port import Digest
from services.outbox.rows import insert_notifications
from tests.fake_slack import FakeSlack

NOW = datetime(2026, 12, 9, 14, 0, tzinfo=UTC)  # a Wednesday, 14:00 UTC: at work


@dataclass
class Outcome:
    reminders: int
    duplicates: int
    losses: int
    late: int
    sweeps: int
    seconds: float


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


def deliver_with_late_answers(
    sessions: sessionmaker[Session], fake: FakeSlack, *, timeout: float, late_every: int = 5
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
        wanted = set(s.scalars(select(Notification.recipient_id)).all())
        total = len(wanted)
    posts = Counter(c.args["channel"] for c in fake.of("chat.postMessage"))
    late = sum(1 for n in range(1, sum(posts.values()) + 1) if n % late_every == 0)
    return Outcome(
        reminders=total,
        duplicates=sum(n - 1 for n in posts.values() if n > 1),
        losses=total - len(posts),
        late=late,
        sweeps=sweeps,
        seconds=seconds,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=0.3, help="client timeout, seconds")
    parser.add_argument("--db", default=None, help="database URL (default: a SQLite file)")
    parser.add_argument("--tiny", action="store_true", help="20 reminders (for the tests)")
    args = parser.parse_args()
    count = 20 if args.tiny else args.count
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        seed(sessions, count)
        fake = FakeSlack().start()
        try:
            out = deliver_with_late_answers(sessions, fake, timeout=args.timeout)
        finally:
            fake.stop()
            engine.dispose()
    print(f"reminders: {out.reminders}, answered after the client timeout: {out.late}")
    print(f"duplicates: {out.duplicates}, losses: {out.losses} (target 0 and 0)")
    print(f"sweeps: {out.sweeps}, {out.seconds:.1f} s")


if __name__ == "__main__":
    main()
