"""One bad row never stops a sweep: an action item with an extreme due date (inserted behind
validation's back, as an old row or another writer might) is logged with its id, counted,
skipped and retried later; every other reminder still goes out."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import jobs
from models import ActionItem, Notification
from services.meetings import feeds
from services.outbox.port import Bundle
from services.work import action_items
from tests.conftest import World

MORNING = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # Monday 09:00 UTC


class Inbox:
    """A Notifier that keeps what it was given."""

    def __init__(self) -> None:
        self.sent: list[Bundle] = []

    def send(self, bundle: Bundle) -> dict[str, Any] | None:
        self.sent.append(bundle)
        return None


@pytest.mark.parametrize("extreme", [date(9999, 12, 31), date(1, 1, 1)])
def test_an_extreme_due_date_never_stops_the_reminder_sweep(
    world: World, sessions: sessionmaker[Session], extreme: date, caplog: pytest.LogCaptureFixture
) -> None:
    lead = world.actor("lead")
    world.person("ana")
    good = action_items.add(world.session, lead, title="Send the plan", owner=world.person("ana"),
                            due_on=date(2026, 12, 4), now=MORNING)  # fmt: skip
    bad = action_items.add(world.session, lead, title="Far away", owner=world.person("ana"),
                           due_on=date(2026, 12, 4), now=MORNING)  # fmt: skip
    world.session.execute(update(ActionItem).where(ActionItem.id == bad.id).values(due_on=extreme))
    world.session.commit()
    inbox = Inbox()
    with caplog.at_level(logging.WARNING):
        report = jobs.sweep(sessions, inbox, now=MORNING)
    titles = [r.title for b in inbox.sent for r in b.reminders]
    assert "Send the plan" in titles and "Far away" not in titles
    if extreme.year == 9999:  # never due: simply not reminded, nothing to report
        return
    assert any(f"action item {bad.id}" in e for e in report.errors), report  # counted
    assert f"action item {bad.id}" in caplog.text  # logged with its id
    # The next sweep tries it again (and still sends nothing twice).
    again = jobs.sweep(sessions, inbox, now=MORNING)
    assert again.errors and [r.title for b in inbox.sent for r in b.reminders] == titles
    with sessions() as s:
        assert s.scalar(select(Notification.id).where(Notification.subject_id == good.id))


@pytest.mark.parametrize("extreme", [date(9999, 12, 31), date(1, 1, 1)])
def test_a_calendar_feed_with_an_extreme_date_is_still_a_valid_feed(
    world: World, extreme: date
) -> None:
    lead = world.actor("lead")
    action_items.add(world.session, lead, title="Send the plan", owner=world.person("lead"),
                     due_on=date(2026, 12, 4), now=MORNING)  # fmt: skip
    bad = action_items.add(world.session, lead, title="Far away", owner=world.person("lead"),
                           due_on=date(2026, 12, 4), now=MORNING)  # fmt: skip
    world.session.execute(update(ActionItem).where(ActionItem.id == bad.id).values(due_on=extreme))
    token = feeds.link(world.session, lead, now=MORNING).token
    body = feeds.render(world.session, token, now=MORNING)
    assert body is not None
    summaries = [str(c.get("SUMMARY")) for c in Calendar.from_ical(body).walk("VEVENT")]
    assert any("Send the plan" in t for t in summaries)
    assert not any("Far away" in t for t in summaries)
