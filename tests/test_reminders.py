"""Who is reminded of what, when: working days, own time zone, DST, leave, snooze, escalation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from models import LeavePeriod, Notification, Person, ProjectRole
from services.projects import members as project_members
from services.projects import register as projects
from services.work import action_items, reminders
from tests.conftest import NOW, World


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


@pytest.fixture
def setup(world: World):  # type: ignore[no-untyped-def]
    """@nyc (New York) owns an item in APOLLO, due Fri 4 Dec; @pm (London) is its PM."""
    world.person("nyc", tz="America/New_York")
    world.person("pm", tz="Europe/London")
    lead = world.actor("lead")
    projects.create(
        world.session, lead, key="APOLLO", name="Portal", pm=world.person("pm"), now=NOW
    )
    project_members.add_member(world.session, lead, key="APOLLO", person=world.person("nyc"),
                        role=ProjectRole.MEMBER, now=NOW)  # fmt: skip
    item = action_items.add(world.session, lead, title="Send the plan", owner=world.person("nyc"),
                            project_key="APOLLO", due_on=date(2026, 12, 4), now=NOW)  # fmt: skip
    return world, item


def sweep(world: World, when: datetime) -> list[tuple[str, str, str]]:
    """Materialize at `when`; the new rows as (rule, recipient handle, occurrence)."""
    before = set(world.session.scalars(select(Notification.id)).all())
    reminders.materialize(world.session, now=when)
    rows = world.session.execute(
        select(Notification, Person.handle).join(Person, Person.id == Notification.recipient_id)
    ).all()
    return sorted((n.rule, h, n.occurrence) for n, h in rows if n.id not in before)


def test_heads_up_and_due_day_at_the_owners_morning(setup) -> None:  # type: ignore[no-untyped-def]
    world, _ = setup
    assert sweep(world, at(2026, 12, 3, 13, 59)) == []  # 08:59 in New York
    assert sweep(world, at(2026, 12, 3, 14, 0)) == [("heads_up", "nyc", "2026-12-04")]
    assert sweep(world, at(2026, 12, 3, 16, 0)) == []  # once
    assert sweep(world, at(2026, 12, 4, 14, 0)) == [("due_today", "nyc", "2026-12-04")]


def test_weekends_and_quiet_hours_are_left_alone_then_chasers_and_escalations(setup) -> None:  # type: ignore[no-untyped-def]
    world, _ = setup
    assert sweep(world, at(2026, 12, 5, 15)) == []  # Saturday
    assert sweep(world, at(2026, 12, 6, 15)) == []  # Sunday
    assert sweep(world, at(2026, 12, 7, 4)) == []  # Monday 23:00 Sunday in New York
    assert sweep(world, at(2026, 12, 7, 14)) == [("overdue", "nyc", "2026-12-07")]
    assert sweep(world, at(2026, 12, 8, 14)) == [
        ("escalate_pm", "pm", "once"),
        ("overdue", "nyc", "2026-12-08"),
    ]
    assert sweep(world, at(2026, 12, 9, 14)) == [("overdue", "nyc", "2026-12-09")]
    assert sweep(world, at(2026, 12, 10, 14)) == [("overdue", "nyc", "2026-12-10")]
    assert sweep(world, at(2026, 12, 11, 14)) == [
        ("escalate_lead", "lead", "once"),
        ("overdue", "nyc", "2026-12-11"),
    ]
    assert sweep(world, at(2026, 12, 11, 15)) == []


def test_a_dst_change_in_the_owners_zone_moves_the_utc_time(world: World) -> None:
    world.person("nyc", tz="America/New_York")
    action_items.add(world.session, world.actor("lead"), title="Before the clocks change",
                     owner=world.person("nyc"), due_on=date(2026, 10, 30), now=NOW)  # fmt: skip
    # Fri 30 Oct, still EDT (UTC-4): 09:00 is 13:00 UTC.
    assert sweep(world, at(2026, 10, 30, 13)) == [("due_today", "nyc", "2026-10-30")]
    # Clocks went back on Sun 1 Nov: Monday 09:00 EST is 14:00 UTC.
    assert sweep(world, at(2026, 11, 2, 13, 30)) == []
    assert sweep(world, at(2026, 11, 2, 14)) == [("overdue", "nyc", "2026-11-02")]


def test_an_owner_on_leave_is_not_chased_their_pm_is(setup) -> None:  # type: ignore[no-untyped-def]
    world, _ = setup
    nyc = world.person("nyc")
    world.session.add(LeavePeriod(workspace_id=world.ws.id, person_id=nyc.id,
                                  start_on=date(2026, 12, 7), end_on=date(2026, 12, 11)))  # fmt: skip
    world.session.flush()
    assert sweep(world, at(2026, 12, 7, 14)) == [("overdue_on_leave", "pm", "2026-12-07")]


def test_snoozed_items_wait_until_the_snooze_date(setup) -> None:  # type: ignore[no-untyped-def]
    world, item = setup
    action_items.snooze(world.session, world.actor("lead"), item_id=item.id,
                        until=date(2026, 12, 9), now=at(2026, 12, 4, 20))  # fmt: skip
    assert sweep(world, at(2026, 12, 7, 14)) == []
    assert sweep(world, at(2026, 12, 8, 14)) == []
    assert ("overdue", "nyc", "2026-12-09") in sweep(world, at(2026, 12, 9, 14))


def test_after_three_days_of_downtime_one_chaser_not_a_flood(setup) -> None:  # type: ignore[no-untyped-def]
    world, _ = setup
    assert sweep(world, at(2026, 12, 10, 14)) == [
        ("escalate_pm", "pm", "once"),
        ("overdue", "nyc", "2026-12-10"),
    ]


def test_done_and_cancelled_items_are_not_reminded(setup) -> None:  # type: ignore[no-untyped-def]
    world, item = setup
    action_items.complete(world.session, world.actor("lead"), item_id=item.id, now=NOW)
    assert sweep(world, at(2026, 12, 4, 14)) == []


def test_escalations_wait_for_the_recipients_own_morning(setup) -> None:  # type: ignore[no-untyped-def]
    world, _ = setup
    # 14:00 UTC on Tue 8 Dec is 14:00 in London: the PM is at work, so it is due now.
    reminders.materialize(world.session, now=at(2026, 12, 8, 14))
    pm_row = world.session.scalar(select(Notification).where(Notification.rule == "escalate_pm"))
    assert pm_row is not None and pm_row.next_attempt_at == at(2026, 12, 8, 14)
    # A sweep at 22:00 UTC (17:00 New York, 22:00 London) queues the London PM's row for 09:00.
    world2_item = action_items.add(world.session, world.actor("lead"), title="Other",
                                   owner=world.person("nyc"), project_key="APOLLO",
                                   due_on=date(2026, 12, 3), now=NOW)  # fmt: skip
    reminders.materialize(world.session, now=at(2026, 12, 8, 21, 59))
    later = world.session.scalar(
        select(Notification).where(
            Notification.rule == "escalate_pm", Notification.subject_id == world2_item.id
        )
    )
    assert later is not None and later.next_attempt_at == at(2026, 12, 9, 9)


def test_deliverables_are_reminded_and_escalated_like_items(world: World) -> None:
    from services.work import deliverables

    world.person("nyc", tz="America/New_York")
    world.person("pm", tz="Europe/London")
    lead = world.actor("lead")
    projects.create(world.session, lead, key="ATLAS", name="DW", pm=world.person("pm"), now=NOW)
    d = deliverables.add(world.session, lead, key="ATLAS", title="Warehouse MVP",
                         owner=world.person("nyc"), due_on=date(2026, 12, 4), now=NOW)  # fmt: skip
    assert sweep(world, at(2026, 12, 4, 14)) == [("due_today", "nyc", "2026-12-04")]
    assert sweep(world, at(2026, 12, 8, 14)) == [
        ("escalate_pm", "pm", "once"),
        ("overdue", "nyc", "2026-12-08"),
    ]
    kinds = set(world.session.scalars(select(Notification.subject_type)).all())
    assert kinds == {"deliverable"}
    # Re-forecast to next week: no more chasing this week.
    deliverables.forecast(world.session, lead, deliverable_id=d.id, on=date(2026, 12, 18), now=NOW)
    assert sweep(world, at(2026, 12, 9, 14)) == []


def test_each_workspace_sets_its_own_escalation_policy(setup) -> None:  # type: ignore[no-untyped-def]
    from services.commands.execute import run_text
    from services.core.errors import InvalidInput, PermissionDenied

    world, _ = setup
    with pytest.raises(PermissionDenied):
        run_text(
            world.session, world.actor("nyc"), "settings reminders escalate_pm_after 1", now=NOW
        )
    with pytest.raises(InvalidInput, match="before the PM"):
        run_text(
            world.session, world.actor("lead"), "settings reminders escalate_lead_after 1", now=NOW
        )
    res = run_text(
        world.session, world.actor("lead"), "settings reminders escalate_pm_after 1", now=NOW
    )
    assert res.settings.reminders.escalate_pm_after == 1
    run_text(world.session, world.actor("lead"), "settings reminders heads_up off", now=NOW)
    assert sweep(world, at(2026, 12, 3, 14)) == []  # no heads-up any more
    assert sweep(world, at(2026, 12, 7, 14)) == [  # the PM hears after 1 working day now
        ("escalate_pm", "pm", "once"),
        ("overdue", "nyc", "2026-12-07"),
    ]
