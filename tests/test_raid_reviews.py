"""RAID reviews with time travel (owner's zone and working days, chasers, the PM, the PMO
lead, the daily budget), lingering blockers offered as issues across rounds, and bounded
statement counts for `raid all` and the report's RAID part."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, update

from bench.raid import seed
from models import (
    LeavePeriod,
    Notification,
    Person,
    Project,
    ProjectRole,
    ProposalState,
    Rag,
    RaidEntry,
    RaidKind,
    RaidProposal,
)
from services.commands.ast_raid import RaidRef
from services.commands.execute import run_text
from services.core.access import actor_for
from services.projects import members as project_members
from services.projects import register as projects
from services.raid import changes, queries, reviews
from services.raid.entries import NewEntry, add
from services.raid.policy import set_policy
from services.raid.portfolio import summary
from services.status import rounds
from services.status import update as status
from services.status.report import build
from tests.conftest import NOW, World
from tests.test_query_counts import count_statements


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


@pytest.fixture
def apollo(world: World) -> World:
    """APOLLO: PM @pm in London, member @nyc in New York; @lead is the PMO lead."""
    world.person("nyc", tz="America/New_York")
    world.person("pm", tz="Europe/London")
    lead = world.actor("lead")
    projects.create(
        world.session, lead, key="APOLLO", name="Apollo", pm=world.person("pm"), now=NOW
    )
    project_members.add_member(
        world.session,
        lead,
        key="APOLLO",
        person=world.person("nyc"),
        role=ProjectRole.MEMBER,
        now=NOW,
    )
    return world


def risk(world: World, title: str, p: int, i: int, owner: str = "nyc", **kw: object) -> RaidEntry:
    new = NewEntry(owner=world.person(owner), probability=p, impact=i, **kw)  # type: ignore[arg-type]
    return add(
        world.session,
        world.actor("nyc"),
        kind=RaidKind.RISK,
        key="APOLLO",
        title=title,
        new=new,
        now=NOW,
    )


def sweep(world: World, when: datetime) -> list[tuple[str, str, str]]:
    """Materialize RAID reminders at `when`; the new rows as (rule, recipient, occurrence)."""
    before = set(world.session.scalars(select(Notification.id)).all())
    reviews.materialize(world.session, now=when)
    rows = world.session.execute(
        select(Notification, Person.handle)
        .join(Person, Person.id == Notification.recipient_id)
        .where(Notification.rule.like("raid_%"), Notification.rule != "raid_escalation")
    ).all()
    return sorted((n.rule, h, n.occurrence) for n, h in rows if n.id not in before)


def test_a_review_falls_due_by_band_and_is_chased_like_an_action_item(apollo: World) -> None:
    world = apollo
    r = risk(world, "Supplier may go bust", 3, 3)  # amber: reviewed every 14 days
    assert r.due_on == date(2026, 12, 7)  # Mon 23 Nov + 14 days
    assert sweep(world, at(2026, 12, 7, 13, 59)) == []  # 08:59 in New York
    assert sweep(world, at(2026, 12, 7, 14)) == [("raid_due", "nyc", "2026-12-07")]
    assert sweep(world, at(2026, 12, 7, 18)) == []  # once
    assert sweep(world, at(2026, 12, 8, 14)) == [("raid_overdue", "nyc", "2026-12-08")]
    assert sweep(world, at(2026, 12, 9, 14)) == [
        ("raid_escalate_pm", "pm", "2026-12-07"),
        ("raid_overdue", "nyc", "2026-12-09"),
    ]
    assert sweep(world, at(2026, 12, 12, 15)) == []  # Saturday
    assert sweep(world, at(2026, 12, 14, 14)) == [
        ("raid_escalate_lead", "lead", "2026-12-07"),
        ("raid_overdue", "nyc", "2026-12-14"),
    ]
    # Still valid: the next review is two weeks from now, nothing more is chased.
    changes.review(
        world.session, world.actor("nyc"), ref=RaidRef(entry_id=r.id), now=at(2026, 12, 14, 15)
    )
    assert r.due_on == date(2026, 12, 28)
    assert sweep(world, at(2026, 12, 15, 14)) == []


def test_red_risks_are_reviewed_weekly_and_a_review_date_set_by_hand_wins(apollo: World) -> None:
    world = apollo
    red = risk(world, "Key engineer may leave", 5, 4)
    green = risk(world, "Rain on the launch", 1, 2)
    dated = risk(world, "Audit finds gaps", 1, 2, review_on=date(2026, 11, 25))
    assert (red.due_on, green.due_on, dated.due_on) == (
        date(2026, 11, 30),
        date(2026, 12, 23),
        date(2026, 11, 25),
    )
    assert sweep(world, at(2026, 11, 25, 15)) == [("raid_due", "nyc", "2026-11-25")]
    changes.review(
        world.session, world.actor("nyc"), ref=RaidRef(entry_id=dated.id), now=at(2026, 11, 25, 16)
    )
    assert dated.due_on == date(2026, 12, 25)  # green: monthly from the review
    # The owner on leave is not chased; their PM hears instead.
    world.session.add(
        LeavePeriod(
            workspace_id=world.ws.id,
            person_id=world.person("nyc").id,
            start_on=date(2026, 11, 30),
            end_on=date(2026, 12, 4),
        )
    )
    world.session.flush()
    assert sweep(world, at(2026, 11, 30, 15)) == [("raid_escalate_pm", "pm", "leave:2026-11-30")]


def test_at_most_the_budget_a_day_most_urgent_first_the_rest_wait(apollo: World) -> None:
    world = apollo
    set_policy(world.session, world.actor("lead"), words=("budget", "3"), now=NOW)
    made = [risk(world, f"Risk {n}", 2, n, review_on=date(2026, 11, 25)) for n in range(1, 6)]
    first = sweep(world, at(2026, 11, 25, 15))
    assert len(first) == 3
    sent = world.session.scalars(
        select(Notification.subject_id).where(Notification.rule == "raid_due")
    ).all()
    assert sorted(sent) == sorted(e.id for e in made[2:])  # the highest scores
    assert sweep(world, at(2026, 11, 25, 17)) == []  # the budget holds all day
    # A reminder gone moot (reviewed) frees nothing: the day's budget is spent.
    assert len(sweep(world, at(2026, 11, 26, 15))) == 3  # next day: three chasers


def test_a_blocker_reported_again_is_offered_once_as_an_issue_across_rounds(
    apollo: World,
) -> None:
    world = apollo
    pm = world.actor("pm")

    def report(when: datetime, blockers: str, *, close: bool = True) -> None:
        fields_ = status.UpdateFields(Rag.AMBER, blockers=blockers)
        status.submit(world.session, pm, key="APOLLO", now=when, fields_=fields_)
        if close:  # the round closes an hour after its deadline (Friday 12:00 in London)
            rounds.sweep(world.session, now=when + timedelta(days=1, hours=1, minutes=30))

    report(at(2026, 11, 26, 12), "Vendor contract unsigned\nTest rig booked by another team")
    assert world.session.scalars(select(RaidProposal)).all() == []  # the first round: nothing
    report(at(2026, 12, 3, 12), "- Vendor contract still unsigned\n- Hiring freeze", close=False)
    (offer,) = world.session.scalars(select(RaidProposal)).all()
    assert offer.title == "Vendor contract still unsigned"
    assert offer.rounds == ["2026-W48", "2026-W49"] and "2026-W48" in offer.detail
    # An edit in the same round, and a third round reworded again: no new offer.
    report(at(2026, 12, 3, 13), "Vendor contract still unsigned")
    report(at(2026, 12, 10, 12), "Still waiting for the vendor to sign the contract")
    assert world.session.scalars(select(RaidProposal)).all() == [offer]
    assert offer.rounds == ["2026-W48", "2026-W49", "2026-W50"]
    offers = world.session.scalars(
        select(Notification).where(Notification.rule == "raid_offer")
    ).all()
    assert len(offers) == 1 and offers[0].recipient_id == world.person("pm").id
    assert "2 rounds" in offers[0].payload["digest"]["title"]
    # One click (or `raid log 1`) logs it, prefilled.
    logged = run_text(world.session, pm, "raid log 1", now=at(2026, 12, 10, 13))
    assert logged.entry.kind == RaidKind.ISSUE  # type: ignore[union-attr]
    assert logged.entry.title == "Vendor contract still unsigned"  # type: ignore[union-attr]
    assert "2026-W48" in logged.entry.description  # type: ignore[union-attr]
    assert offer.state == ProposalState.LOGGED
    # A blocker already logged as an issue by hand is not offered.
    run_text(world.session, pm, 'issue add APOLLO "Hiring freeze"', now=at(2026, 12, 10, 13))
    report(at(2026, 12, 17, 12), "Hiring freeze\nHiring freeze still on")
    assert len(world.session.scalars(select(RaidProposal)).all()) == 1


def test_raid_all_and_the_reports_raid_part_take_a_bounded_number_of_statements(
    world: World, engine: Engine
) -> None:
    s = world.session
    ws_id = seed(s, projects=60)
    lead = actor_for(
        s, s.scalars(select(Person).where(Person.workspace_id == ws_id).order_by(Person.id)).first()
    )  # type: ignore[arg-type]
    member = actor_for(
        s,
        s.scalars(
            select(Person).where(Person.workspace_id == ws_id).order_by(Person.id).offset(3)
        ).first(),
    )  # type: ignore[arg-type]
    ids = list(s.scalars(select(Project.id).where(Project.workspace_id == ws_id)))
    s.expire_all()
    limits = {
        "raid all (lead)": (lambda: run_text(s, lead, "raid all", now=NOW), 3),
        "raid all (member)": (lambda: run_text(s, member, "raid all", now=NOW), 3),
        "raid mine": (lambda: run_text(s, member, "raid mine", now=NOW), 3),
        "raid KEY": (lambda: run_text(s, lead, "raid P0007 risks", now=NOW), 4),
        "report RAID part": (lambda: summary(s, ws_id, project_ids=ids, period="2026-W48"), 4),
        "top risk by project": (lambda: queries.top_risk_by_project(s, ws_id, ids), 1),
        # status 6, RAID 4, dependencies at risk 1
        "the whole report": (lambda: build(s, ws_id, "2026-W48", today=NOW.date()), 11),
    }
    for name, (call, limit) in limits.items():
        s.expire_all()
        with count_statements(engine) as seen:
            result = call()
        assert len(seen) <= limit, f"{name}: {len(seen)} statements\n" + "\n".join(seen)
        assert result, name
    page = run_text(s, lead, "raid all", now=NOW).page  # type: ignore[union-attr]
    assert page.total > 500 and len(page.items) == 20  # a page
    assert [v.kind for v in page.items] == [RaidKind.RISK] * 20
    assert [v.score for v in page.items] == sorted((v.score for v in page.items), reverse=True)
    top = queries.top_risk_by_project(s, ws_id, ids)
    assert len(top) == len(ids)
    best = s.execute(
        select(RaidEntry.project_id, RaidEntry.score).where(
            RaidEntry.kind == RaidKind.RISK, RaidEntry.closed_at.is_(None)
        )
    ).all()
    for pid, view in top.items():
        assert view.score == max(sc for p, sc in best if p == pid)


def test_an_owner_whose_stored_zone_is_unknown_holds_back_only_their_reviews(
    apollo: World, caplog: pytest.LogCaptureFixture
) -> None:
    """One owner's unreadable zone used to stop every RAID reminder in every workspace; now
    that owner's entry is skipped, named in the log, and the other owner is still chased."""
    world = apollo
    mine = risk(world, "Supplier may go bust", 3, 3)
    theirs = risk(world, "Audit finds gaps", 3, 3, owner="pm")
    world.session.execute(
        update(Person).where(Person.id == world.person("nyc").id).values(timezone="Mars/Olympus")
    )
    world.session.expire_all()
    with caplog.at_level(logging.WARNING):
        got = sweep(world, at(2026, 12, 7, 14))
    assert got == [("raid_due", "pm", "2026-12-07")]
    assert f"RAID entry {mine.id}" in caplog.text and f"RAID entry {theirs.id}" not in caplog.text
