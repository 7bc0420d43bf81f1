"""One bad row never stops a sweep: an action item with an extreme due date (inserted behind
validation's back, as an old row or another writer might) is logged with its id, counted,
skipped and retried later; every other reminder still goes out."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

import pytest
from icalendar import Calendar
from prometheus_client import REGISTRY
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import jobs, scheduler
from models import (
    ActionItem,
    MeetingSeries,
    Notification,
    NotificationState,
    Person,
    Workspace,
)
from services.commands.execute import run_text
from services.core.tenancy import only_workspace
from services.meetings import feeds
from services.outbox.port import Bundle
from services.projects import register as projects
from services.work import action_items
from tests.conftest import NOW, World

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


def _digest_titles(inbox: Inbox) -> list[tuple[str, str]]:
    """(recipient, digest title) of every digest delivered."""
    return [(b.recipient_external_id, d.title) for b in inbox.sent for d in b.digests]


def test_a_person_whose_stored_zone_is_unknown_holds_back_only_their_own_digest(
    sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    """A time zone tzdata no longer knows (an old row, another writer) used to stop every
    person's daily digest in every workspace; now only that person's is left out."""
    ids: dict[str, int] = {}
    with sessions.begin() as s:
        for ext, who in (("W1", ("ana", "bob")), ("W2", ("cat",))):
            w = World(s, ext=ext, rounds=False)
            lead = w.actor("lead")
            w.people["lead"].digest_enabled = False
            for handle in who:
                person = w.person(handle)
                action_items.add(s, lead, title=f"Plan of {handle}", owner=person,
                                 due_on=date(2026, 12, 7), now=MORNING)  # fmt: skip
                ids[handle] = person.id
        s.flush()
        s.execute(update(Person).where(Person.id == ids["ana"]).values(timezone="Mars/Olympus"))
    inbox = Inbox()
    with caplog.at_level(logging.WARNING):
        report = jobs.sweep(sessions, inbox, now=MORNING)
    got = {who for who, title in _digest_titles(inbox) if title == "Your day"}
    assert got == {"bob", "cat"}, _digest_titles(inbox)
    assert any(f"person {ids['ana']}" in e for e in report.errors), report.errors
    assert f"person {ids['ana']}" in caplog.text and "Mars/Olympus" in caplog.text
    # Put right, the person gets their digest on the next sweep; nobody gets one twice.
    with sessions.begin() as s:
        s.execute(update(Person).where(Person.id == ids["ana"]).values(timezone="UTC"))
    again = jobs.sweep(sessions, inbox, now=MORNING)
    assert not [e for e in again.errors if "digest" in e]
    mornings = sorted(who for who, title in _digest_titles(inbox) if title == "Your day")
    assert mornings == ["ana", "bob", "cat"]


def test_a_workspace_with_corrupt_settings_holds_back_only_itself(
    sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    """Weekly digests are planned for all workspaces at once; a workspace whose stored digest
    time can't be read used to stop every workspace's weekly digest. The step is now run again
    workspace by workspace: the others go out, the broken one is logged and counted."""
    ws: dict[str, int] = {}
    with sessions.begin() as s:
        for ext in ("W1", "W2", "W3"):
            w = World(s, ext=ext, rounds=False)
            lead = w.actor("lead")
            w.people["lead"].digest_enabled = False
            projects.create(s, lead, key="APOLLO", name=f"Apollo {ext}", pm=w.person("lead"),
                            now=NOW)  # fmt: skip
            projects.update(
                s, lead, key="APOLLO", field="channel", value=f"#apollo-{ext.lower()}", now=NOW
            )
            action_items.add(s, lead, title=f"Late in {ext}", owner=w.person("lead"),
                             project_key="APOLLO", due_on=date(2026, 12, 1), now=NOW)  # fmt: skip
            ws[ext] = w.ws.id
        s.flush()
        s.execute(
            update(Workspace)
            .where(Workspace.id == ws["W2"])
            .values(settings={"digests": {"project_time": "nine o'clock"}})
        )
    inbox = Inbox()
    with caplog.at_level(logging.WARNING):
        report = jobs.sweep(sessions, inbox, now=MORNING)
    channels = sorted(b.recipient_external_id for b in inbox.sent if b.to_channel)
    assert "#apollo-w1" in channels and "#apollo-w3" in channels and "#apollo-w2" not in channels, (
        channels
    )
    assert any(f"digests (workspace {ws['W2']})" in e for e in report.errors), report.errors
    assert f"digests failed in workspace {ws['W2']}" in caplog.text
    # The other steps of the sweep ran for W2 as for everyone (its reminders went out).
    assert any("Late in W2" in r.title for b in inbox.sent for r in b.reminders)
    # Retried next sweep; what went out doesn't go again.
    again = jobs.sweep(sessions, inbox, now=MORNING)
    assert any(f"workspace {ws['W2']}" in e for e in again.errors)
    assert sorted(b.recipient_external_id for b in inbox.sent if b.to_channel) == channels


def test_a_meeting_series_that_cannot_be_expanded_holds_back_only_its_own_agenda(
    world: World, sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    """Two weekly meetings at the same hour; one's stored rule was damaged behind validation's
    back. The other's agenda still goes to its channel; the damaged one is named in the log."""
    lead = world.actor("lead")
    run_text(world.session, lead, 'project new APOLLO "Apollo"', now=NOW)
    run_text(world.session, lead, "project set APOLLO channel #apollo", now=NOW)
    for title in ("Sync", "Review"):
        run_text(world.session, lead, f'meeting new APOLLO "{title}" weekly on tue 10:00', now=NOW)
    world.session.flush()
    bad = world.session.scalar(select(MeetingSeries).where(MeetingSeries.title == "Review"))
    assert bad is not None
    world.session.execute(
        update(MeetingSeries).where(MeetingSeries.id == bad.id).values(rrule="FREQ=SOMETIMES")
    )
    world.session.commit()
    inbox = Inbox()
    tuesday = datetime(2026, 12, 1, 9, 50, tzinfo=UTC)
    with caplog.at_level(logging.WARNING):
        report = jobs.sweep(sessions, inbox, now=tuesday)
    agendas = [
        d.title for b in inbox.sent for d in b.digests if b.recipient_external_id == "#apollo"
    ]
    assert any(t.startswith("Sync") for t in agendas), agendas
    assert not any(t.startswith("Review") for t in agendas)
    assert any(f"meeting series {bad.id}" in e for e in report.errors), report.errors
    assert f"meeting series {bad.id}" in caplog.text


def test_only_workspace_scopes_every_orm_query_to_one_workspace(
    sessions: sessionmaker[Session],
) -> None:
    """The scope the sweep's per-workspace retry runs in: selects, joins, lazy loads and
    updates see one workspace's rows, and nothing else."""
    with sessions.begin() as s:
        for ext in ("W1", "W2"):
            w = World(s, ext=ext)
            lead = w.actor("lead")
            action_items.add(s, lead, title=f"Item {ext}", owner=w.person("ana"),
                             due_on=date(2026, 12, 4), now=NOW)  # fmt: skip
    with sessions() as s:
        w2 = s.scalar(select(Workspace.id).where(Workspace.external_id == "W2"))
        assert w2 is not None
        with only_workspace(s, w2):
            assert s.scalars(select(Workspace.external_id)).all() == ["W2"]
            assert s.scalars(select(ActionItem.title)).all() == ["Item W2"]
            joined = s.scalars(
                select(Person.handle).join(ActionItem, ActionItem.owner_id == Person.id)
            ).all()
            assert joined == ["ana"]
            assert {p.workspace_id for p in s.scalars(select(Person))} == {w2}
            s.execute(update(ActionItem).values(title="Renamed"))
        assert sorted(s.scalars(select(ActionItem.title))) == ["Item W1", "Renamed"]
        s.rollback()


def test_what_a_scheduled_sweep_leaves_out_is_counted_by_step(
    world: World, sessions: sessionmaker[Session]
) -> None:
    """`/metrics` shows what sweeps skip (`pmo_sweep_skipped_total` by step), so an operator
    sees a broken row without reading logs."""
    ana = world.person("ana")
    world.session.flush()
    world.session.execute(update(Person).where(Person.id == ana.id).values(timezone="Mars/Olympus"))
    world.session.commit()
    sample = lambda: REGISTRY.get_sample_value("pmo_sweep_skipped_total", {"step": "digests"}) or 0  # noqa: E731
    before = sample()
    scheduler.run_sweep(sessions, Inbox())  # the scheduled job, at the real time
    assert sample() == before + 1
    assert scheduler.step_of("digests (workspace 3): ValueError: x") == "digests"
    assert scheduler.step_of("RAID reviews: RAID entry 4 skipped") == "RAID reviews"
    assert scheduler.step_of("row 17: refused") == "other"


def _two_due_reminders(world: World) -> tuple[Person, Person]:
    lead = world.actor("lead")
    ana, bob = world.person("ana"), world.person("bob")
    for who in (ana, bob):
        action_items.add(world.session, lead, title=f"Plan of {who.handle}", owner=who,
                         due_on=date(2026, 12, 7), now=MORNING)  # fmt: skip
    world.session.commit()
    return ana, bob


def test_a_row_that_cannot_be_prepared_holds_back_only_its_own_message(
    world: World, sessions: sessionmaker[Session]
) -> None:
    """Queued for ana, then her stored zone became unreadable: building the sweep's messages
    all at once fails, so they are built row by row; bob's goes, ana's is retried later."""
    ana, _ = _two_due_reminders(world)
    jobs.materialize(sessions, now=MORNING)
    with sessions.begin() as s:
        s.execute(update(Person).where(Person.id == ana.id).values(timezone="Mars/Olympus"))
    inbox = Inbox()
    report = jobs.sweep(sessions, inbox, now=MORNING)
    assert [b.recipient_external_id for b in inbox.sent if b.reminders] == ["bob"]
    assert any("could not be prepared" in e for e in report.errors), report.errors
    with sessions() as s:
        held = s.scalars(select(Notification).where(Notification.recipient_id == ana.id)).all()
        assert held and all(n.state == NotificationState.PENDING for n in held)
        assert all("Mars/Olympus" in (n.last_error or "") for n in held)


class Broken(Inbox):
    """A notifier with a bug for one person's message."""

    def send(self, bundle: Bundle) -> dict[str, Any] | None:
        if bundle.recipient_external_id == "ana":
            raise KeyError("a renderer's bug")
        return super().send(bundle)


def test_a_bug_sending_one_message_never_stops_the_others(
    world: World, sessions: sessionmaker[Session]
) -> None:
    ana, _ = _two_due_reminders(world)
    inbox = Broken()
    report = jobs.sweep(sessions, inbox, now=MORNING)
    assert [b.recipient_external_id for b in inbox.sent if b.reminders] == ["bob"]
    assert any("internal error: KeyError" in e for e in report.errors), report.errors
    with sessions() as s:
        held = s.scalars(select(Notification).where(Notification.recipient_id == ana.id)).all()
        assert held and all(n.state == NotificationState.PENDING for n in held)  # retried later
