"""Local mode: the console runs the same sweeps as `pmo-bot serve`, on its own clock.

While the console is open a sweep runs every minute (and after each command); what falls due
is printed, addressed to whom it is for. `clock` moves the local clock forward, running the
sweeps on the way (every half hour in the move's last day, every one or two hours before), so
a week of reminders, nudges, digests, escalations and
reports plays out in seconds. The clock's lead is kept in the local workspace, so the next
console (or `console -c`) carries on at the same time; `pmo-bot demo` starts over from today.

Sweeps and the clock run only when the database holds nothing but the local workspace: a
database that also serves Slack or Teams is swept by `pmo-bot serve`, on the real clock.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot import jobs
from handlers.console.channel import CONSOLE_WORKSPACE_ID
from handlers.console.clock import LocalClock
from handlers.console.feed import LocalFeed
from models import Platform, Workspace

log = logging.getLogger(__name__)
STEP = timedelta(minutes=30)  # in the last day of a move; 1 h the day before; 2 h earlier
FINE = timedelta(days=1)
EVERY_SECONDS = 60.0
SHARED = (
    "This database also serves a chat platform, so `pmo-bot serve` sends its reminders on the "
    "real clock; the console's clock stays put."
)


def _local_workspace(s: Session) -> Workspace | None:
    return s.scalar(
        select(Workspace).where(
            Workspace.platform == Platform.CONSOLE, Workspace.external_id == CONSOLE_WORKSPACE_ID
        )
    )


def shared_reason(sessions: sessionmaker[Session]) -> str | None:
    """Why local sweeps must not run on this database (None when they may)."""
    with sessions() as s:
        others = s.scalar(
            select(func.count(Workspace.id)).where(Workspace.platform != Platform.CONSOLE)
        )
    return SHARED if others else None


def saved_lead(sessions: sessionmaker[Session]) -> timedelta:
    """How far ahead of the real time the local clock was left."""
    with sessions() as s:
        ws = _local_workspace(s)
        seconds = ((ws.settings or {}).get("clock") or {}).get("ahead_seconds", 0) if ws else 0
    return timedelta(seconds=max(0, int(seconds)))


def local_clock(sessions: sessionmaker[Session]) -> LocalClock:
    """The local clock, as far ahead as it was left (never ahead on a shared database)."""
    clock = LocalClock()
    if shared_reason(sessions) is None:
        lead = saved_lead(sessions)
        if lead:
            clock.move_to(clock() + lead)
    return clock


class LocalMode:
    """Runs the sweeps for the console: now, every minute, and along a clock move."""

    def __init__(self, sessions: sessionmaker[Session], clock: LocalClock, feed: LocalFeed):
        self.sessions = sessions
        self.clock = clock
        self.feed = feed
        self.lock = threading.RLock()  # one sweep or command at a time; output never interleaves
        self.blocked = shared_reason(sessions)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sweep(self, now: datetime | None = None) -> None:
        """One sweep at `now` (the local clock's time by default); errors are logged."""
        if self.blocked:
            return
        at = now or self.clock()
        with self.lock:
            self.feed.at(at)
            try:
                jobs.sweep(self.sessions, self.feed, now=at)
            except Exception:
                log.exception("local sweep failed; the next one picks up where it left off")

    def advance(self, to: datetime) -> int:
        """Run the sweeps at every half hour up to `to`, then keep the clock there. Returns
        how many sweeps ran."""
        if self.blocked:
            return 0
        with self.lock:
            t, steps = self.clock(), 0
            while t < to:
                step = STEP if to - t <= FINE else STEP * (2 if to - t <= FINE * 2 else 4)
                size = step.total_seconds()
                boundary = datetime.fromtimestamp((t.timestamp() // size + 1) * size, UTC)
                t = min(boundary, to)
                self.sweep(t)
                steps += 1
            self.clock.move_to(to)
            self._save()
        return steps

    def _save(self) -> None:
        with self.sessions.begin() as s:
            ws = _local_workspace(s)
            if ws is not None:
                ahead = int(self.clock.moved.total_seconds())
                ws.settings = {**(ws.settings or {}), "clock": {"ahead_seconds": ahead}}

    def start(self) -> None:
        """Sweep now, then every minute in a background thread until `stop`."""
        if self.blocked:
            return
        self.sweep()

        def loop() -> None:
            while not self._stop.wait(EVERY_SECONDS):
                self.sweep()

        self._thread = threading.Thread(target=loop, name="local-sweeps", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
