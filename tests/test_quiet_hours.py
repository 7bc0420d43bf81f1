"""Your own working week and quiet hours decide when you are reminded: `me days` and `me
hours` move the chasers; nothing reaches you in your quiet hours (it waits for their end)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import select

from models import Notification, Person
from services.commands.execute import run_text
from services.core.worktime import WorkWeek, after_quiet, in_quiet
from services.status import rounds
from services.work import action_items, reminders
from tests.conftest import NOW, World


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def new_rows(world: World, when: datetime) -> list[tuple[str, str, datetime]]:
    before = set(world.session.scalars(select(Notification.id)))
    reminders.materialize(world.session, now=when)
    rows = world.session.execute(
        select(Notification, Person.handle).join(Person, Person.id == Notification.recipient_id)
    ).all()
    return sorted(
        (n.rule, h, n.next_attempt_at.astimezone(UTC)) for n, h in rows if n.id not in before
    )


def test_quiet_hours_span_midnight_and_defer_to_their_end() -> None:
    assert in_quiet(time(23), time(18), time(8)) and in_quiet(time(7, 59), time(18), time(8))
    assert not in_quiet(time(8), time(18), time(8)) and not in_quiet(time(12), None, None)
    ww = WorkWeek("UTC", quiet=(time(0), time(10)))  # work 09:00-17:30, quiet until 10:00
    assert not ww.in_window(at(2026, 12, 7, 9, 30))
    assert ww.next_window_start(at(2026, 12, 7, 8)) == at(2026, 12, 7, 10)
    assert ww.next_window_start(at(2026, 12, 7, 18)) == at(2026, 12, 8, 10)
    assert after_quiet(at(2026, 12, 7, 20), "UTC", time(18), time(8)) == at(2026, 12, 8, 8)
    assert after_quiet(at(2026, 12, 7, 12), "UTC", time(18), time(8)) == at(2026, 12, 7, 12)


def test_me_settings_move_the_owners_chasers(world: World) -> None:
    ana = world.person("ana")
    lead = world.actor("lead")
    action_items.add(world.session, lead, title="Send the plan", owner=ana,
                     due_on=date(2026, 12, 1), now=NOW)  # fmt: skip
    run_text(world.session, world.actor("ana"), "me quiet 17:00-10:30", now=NOW)
    run_text(world.session, world.actor("ana"), "me days tue-fri", now=NOW)
    # Monday 7 Dec is no longer a working day of hers: no chaser at all.
    assert [r for r in new_rows(world, at(2026, 12, 7, 11)) if r[1] == "ana"] == []
    # Tuesday: not at 09:00 (her quiet hours run until 10:30) …
    assert [r for r in new_rows(world, at(2026, 12, 8, 9)) if r[1] == "ana"] == []
    # … but once they end.
    rows = [r for r in new_rows(world, at(2026, 12, 8, 10, 30)) if r[1] == "ana"]
    assert [(rule, who) for rule, who, _ in rows] == [("overdue", "ana")]


def test_a_status_nudge_waits_for_the_end_of_the_reporters_quiet_hours(world: World) -> None:
    pm = world.person("pm")
    lead = world.actor("lead")
    run_text(world.session, lead, 'project new APOLLO "Portal" @pm', now=NOW)
    run_text(world.session, world.actor("pm"), "status settings APOLLO time 8:00", now=NOW)
    run_text(world.session, world.actor("pm"), "me quiet 18:00-09:30", now=NOW)
    rounds.sweep(world.session, now=at(2026, 11, 26, 8, 15))  # Thu 08:15, the round opens
    nudge = world.session.scalar(
        select(Notification).where(
            Notification.rule == "status_nudge", Notification.recipient_id == pm.id
        )
    )
    assert nudge is not None and nudge.next_attempt_at.astimezone(UTC) == at(2026, 11, 26, 9, 30)
