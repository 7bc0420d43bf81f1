"""Status collection: cycles in each PM's zone, nudges and chasing, versions, escalation,
the portfolio report (bounded statements), exports and bad input."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert, select

from models import (
    CycleState,
    Deliverable,
    DeliverableStatus,
    Holiday,
    LeavePeriod,
    Notification,
    Person,
    Project,
    ProjectState,
    Rag,
    StatusCycle,
    StatusUpdate,
)
from services.commands.execute import run_text
from services.core.errors import InvalidInput, NotFound, PermissionDenied
from services.projects import register as projects
from services.status import exports as report_exports
from services.status import report as reports
from services.status import rounds
from services.status import update as status
from services.work import deliverables
from tests.conftest import NOW, World
from tests.test_query_counts import count_statements


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


@pytest.fixture
def two(world: World) -> World:
    """APOLLO, PM @la in Los Angeles (UTC-8); BETA, PM @ko in Kolkata (UTC+5:30)."""
    lead = world.actor("lead")
    for key, pm, tz in (("APOLLO", "la", "America/Los_Angeles"), ("BETA", "ko", "Asia/Kolkata")):
        projects.create(world.session, lead, key=key, name=key.title(),
                        pm=world.person(pm, tz=tz), now=NOW)  # fmt: skip
    return world


def queued(world: World, rule: str) -> list[tuple[str, str, datetime]]:
    rows = world.session.execute(
        select(Notification, Person.handle)
        .join(Person, Person.id == Notification.recipient_id)
        .where(Notification.rule == rule)
        .order_by(Notification.next_attempt_at, Person.handle)
    ).all()
    return [(h, n.occurrence, n.next_attempt_at) for n, h in rows]


def run_round(world: World, start: datetime, end: datetime, step: int = 30,
              hook=None) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    t = start
    while t < end:
        rounds.sweep(world.session, now=t)
        if hook:
            hook(t)
        t += timedelta(minutes=step)


def test_each_pm_is_nudged_at_their_own_10am_chased_until_they_report_then_the_lead_told(
    two: World,
) -> None:
    world = two

    def ko_reports_after_the_nudge(t: datetime) -> None:
        if t == at(2026, 11, 26, 6):  # 11:30 in Kolkata on Thursday
            run_text(world.session, world.actor("ko"), 'status BETA green "All good"', now=t)

    run_round(world, at(2026, 11, 26, 0), at(2026, 11, 28, 0), hook=ko_reports_after_the_nudge)
    assert queued(world, "status_nudge") == [
        ("ko", "open", at(2026, 11, 26, 4, 30)),  # Thu 10:00 IST
        ("la", "open", at(2026, 11, 26, 18)),  # Thu 10:00 PST
        ("la", "chase", at(2026, 11, 27, 18)),  # 2 h before Fri 12:00 PST
        ("la", "deadline", at(2026, 11, 27, 20)),  # Fri 12:00 PST
    ]
    # Both rounds closed an hour after their deadlines: one message to the lead names APOLLO.
    (missing,) = world.session.scalars(
        select(Notification).where(Notification.rule == "status_missing")
    ).all()
    lines = missing.payload["digest"]["sections"][0]["lines"]
    assert [ln["project_key"] for ln in lines] == ["APOLLO"]
    assert missing.next_attempt_at == at(2026, 11, 27, 21)
    assert [h for h, _, _ in queued(world, "status_report")] == ["lead"]  # no PMO channel: DM
    cycles = world.session.scalars(select(StatusCycle).order_by(StatusCycle.id)).all()
    assert {c.state for c in cycles} == {CycleState.CLOSED}
    assert all(c.period == "2026-W48" for c in cycles)


def test_a_holiday_moves_the_round_and_a_pm_on_leave_skips_it_saying_so(two: World) -> None:
    world = two
    world.session.add(Holiday(workspace_id=world.ws.id, on=date(2026, 11, 26), name="Thanksgiving"))
    world.session.add(LeavePeriod(workspace_id=world.ws.id, person_id=world.person("ko").id,
                                  start_on=date(2026, 11, 23), end_on=date(2026, 11, 30)))  # fmt: skip
    world.session.flush()
    run_round(world, at(2026, 11, 26, 0), at(2026, 12, 1, 0), step=60)
    cycles = {c.project_id: c for c in world.session.scalars(select(StatusCycle))}
    apollo = world.session.scalar(select(Project).where(Project.key == "APOLLO"))
    beta = world.session.scalar(select(Project).where(Project.key == "BETA"))
    assert apollo and beta
    # Thursday is a holiday: APOLLO opens Friday 10:00 PST, due Monday 12:00 PST.
    assert cycles[apollo.id].opens_at == at(2026, 11, 27, 18)
    assert cycles[apollo.id].deadline_at == at(2026, 11, 30, 20)
    assert cycles[beta.id].state == CycleState.SKIPPED
    assert "@ko on leave" in cycles[beta.id].note
    assert [h for h, _, _ in queued(world, "status_nudge")] == ["la", "la", "la"]
    report = reports.build(world.session, world.ws.id, "2026-W48", today=date(2026, 12, 1))
    assert [ln.key for ln in report.missing] == ["APOLLO"]  # skipped ones aren't "missing"


def test_quick_form_and_full_form_store_the_same_update_and_edits_keep_history(
    two: World,
) -> None:
    world = two
    la = world.actor("la")
    run_text(world.session, la, 'status APOLLO amber "Vendor late"', now=NOW)
    quick = world.session.scalar(select(StatusUpdate))
    assert quick is not None
    stored_quick = (quick.overall, quick.summary, quick.version, quick.latest)
    full, _ = status.submit(world.session, world.actor("ko"), key="BETA", now=NOW,
                            fields_=status.UpdateFields(Rag.AMBER, summary="Vendor late"))  # fmt: skip
    beta = world.session.get(StatusUpdate, full.id)
    assert beta is not None
    assert (beta.overall, beta.summary, beta.version, beta.latest) == stored_quick
    # Edits add versions; the last is the one shown, the first is kept.
    run_text(world.session, la, 'status APOLLO green "Vendor back on track"', now=NOW)
    versions = world.session.scalars(
        select(StatusUpdate).where(StatusUpdate.cycle_id == quick.cycle_id)
        .order_by(StatusUpdate.version)
    ).all()  # fmt: skip
    assert [(v.version, v.overall, v.latest) for v in versions] == [
        (1, Rag.AMBER, False), (2, Rag.GREEN, True),
    ]  # fmt: skip
    shown = run_text(world.session, la, "status show APOLLO", now=NOW)
    assert shown.update.fields.summary == "Vendor back on track"  # type: ignore[union-attr]
    assert shown.versions == 2  # type: ignore[union-attr]


def test_red_or_an_escalated_blocker_tells_the_pmo_lead_at_once_and_once(two: World) -> None:
    world = two
    la = world.actor("la")
    run_text(world.session, la, 'status APOLLO red "Supplier went bust"', now=NOW)
    run_text(world.session, la, 'status APOLLO red "Supplier went bust; looking"', now=NOW)
    status.submit(world.session, world.actor("ko"), key="BETA", now=NOW, fields_=status.UpdateFields(
        Rag.AMBER, blockers="Security review not booked", escalate=True))  # fmt: skip
    told = queued(world, "status_escalation")
    assert sorted((h, occ) for h, occ, _ in told) == [("lead", "blocker"), ("lead", "red")]
    assert all(when == NOW for _, _, when in told)
    payloads = world.session.scalars(
        select(Notification.payload).where(Notification.rule == "status_escalation")
    ).all()
    assert any("Security review not booked" in str(p) for p in payloads)


def test_bad_status_input_is_refused_with_a_helpful_message_and_saves_nothing(two: World) -> None:
    world = two
    la = world.actor("la")
    with pytest.raises(InvalidInput, match="not green, amber or red"):
        run_text(world.session, la, 'status APOLLO purple "x"', now=NOW)
    with pytest.raises(NotFound, match="APOLO"):
        run_text(world.session, la, 'status APOLO green "x"', now=NOW)
    with pytest.raises(PermissionDenied, match="PM"):
        run_text(world.session, world.actor("ko"), 'status APOLLO green "x"', now=NOW)
    with pytest.raises(InvalidInput, match="between 0 and 100"):
        status.submit(world.session, la, key="APOLLO", now=NOW,
                      fields_=status.UpdateFields(Rag.GREEN, percent_complete=150))  # fmt: skip
    with pytest.raises(InvalidInput, match="limit is 3,000"):
        run_text(world.session, la, f'status APOLLO green "{"x" * 3500}"', now=NOW)
    with pytest.raises(InvalidInput, match="Describe the blocker"):
        status.submit(world.session, la, key="APOLLO", now=NOW,
                      fields_=status.UpdateFields(Rag.GREEN, escalate=True))  # fmt: skip
    with pytest.raises(InvalidInput, match="not a week"):
        run_text(world.session, la, "report 2026-W99", now=NOW)
    assert world.session.scalar(select(StatusUpdate)) is None


def test_cadence_settings_change_when_who_and_where(two: World) -> None:
    world = two
    la = world.actor("la")
    res = run_text(world.session, la, "status settings APOLLO day mon", now=NOW)
    assert "BYDAY=MO" in res.cadence.rrule  # type: ignore[union-attr]
    res = run_text(world.session, la, "status settings APOLLO time 9:30", now=NOW)
    assert "BYHOUR=9;BYMINUTE=30" in res.cadence.rrule  # type: ignore[union-attr]
    res = run_text(world.session, la, "status settings APOLLO deadline 2d 17:00", now=NOW)
    assert (res.cadence.deadline_days, str(res.cadence.deadline_time)) == (2, "17:00:00")  # type: ignore[union-attr]
    res = run_text(world.session, la, "status settings APOLLO reporters @ko", now=NOW)
    assert [p.handle for p in res.cadence.reporters] == ["ko"]  # type: ignore[union-attr]
    with pytest.raises(InvalidInput, match="recurrence rule"):
        run_text(world.session, la, "status settings APOLLO rrule FREQ=SOMETIMES", now=NOW)
    with pytest.raises(PermissionDenied):
        run_text(world.session, world.actor("ko"), "status settings APOLLO day fri", now=NOW)
    # Monday 09:30 in Los Angeles is 17:30 UTC: the round opens then, and @ko is asked.
    run_round(world, at(2026, 11, 30, 17), at(2026, 11, 30, 18), step=30)
    assert queued(world, "status_nudge") == [("ko", "open", at(2026, 11, 30, 17, 30))]


def seed_history(world: World, n_projects: int, n_cycles: int) -> None:
    """Projects with closed weekly cycles and updates, inserted in bulk."""
    lead = world.person("lead")
    world.session.execute(insert(Project), [dict(
        workspace_id=world.ws.id, key=f"P{i:04d}", name=f"Project {i}", description="",
        state=ProjectState.ACTIVE, private=False, created_at=NOW - timedelta(days=400))
        for i in range(n_projects)])  # fmt: skip
    pids = world.session.scalars(select(Project.id).order_by(Project.id)).all()
    periods = reports.previous_periods("2026-W48", n_cycles)
    cycles = [dict(workspace_id=world.ws.id, project_id=pid, period=per, opens_at=NOW,
                   deadline_at=NOW, state=CycleState.CLOSED, note="", reporters=[],
                   created_at=NOW) for pid in pids for per in periods]  # fmt: skip
    world.session.execute(insert(StatusCycle), cycles)
    ids = world.session.execute(select(StatusCycle.id, StatusCycle.project_id,
                                       StatusCycle.period)).all()  # fmt: skip
    rags = [Rag.GREEN, Rag.GREEN, Rag.AMBER, Rag.RED]
    world.session.execute(insert(StatusUpdate), [dict(
        workspace_id=world.ws.id, project_id=pid, cycle_id=cid, author_id=lead.id, version=1,
        latest=True, overall=rags[(pid + int(per[6:])) % 4], summary=f"s{pid}", highlights="",
        blockers="b" if (pid % 4 == 3) else "", escalate=False, asks="", next_steps="",
        on_time=pid % 5 != 0, submitted_at=NOW, extra={})
        for cid, pid, per in ids if (pid * 7 + int(per[6:])) % 10])  # fmt: skip
    world.session.flush()


def test_the_report_for_1000_projects_takes_a_bounded_number_of_statements(
    world: World, engine: Engine
) -> None:
    seed_history(world, 1000, 9)
    with count_statements(engine) as seen:
        report = reports.build(world.session, world.ws.id, "2026-W48", today=date(2026, 11, 28))
    assert len(report.projects) == 1000
    # 6 for the status part, 4 for the RAID part, 1 for the dependencies at risk: the same for
    # 10 projects or 1,000.
    assert len(seen) <= 11, seen
    assert (
        report.count(Rag.GREEN)
        + report.count(Rag.AMBER)
        + report.count(Rag.RED)
        + len(report.missing)
        == 1000
    )


def test_a_past_week_for_1000_projects_takes_a_bounded_number_of_statements(
    world: World, engine: Engine
) -> None:
    seed_history(world, 1000, 9)
    with count_statements(engine) as seen:
        report = reports.build(world.session, world.ws.id, "2026-W46", today=date(2026, 11, 28))
    assert len(report.projects) == 1000
    assert len(seen) <= 14, seen  # + the zone, open work then, and the audit trail since


def test_the_report_shows_changes_slipping_greens_missing_and_participation(two: World) -> None:
    world = two
    la, ko = world.actor("la"), world.actor("ko")
    week47, week48 = at(2026, 11, 19, 20), at(2026, 11, 26, 20)
    run_text(world.session, la, 'status APOLLO green "Fine"', now=week47)
    run_text(world.session, ko, 'status BETA green "Fine"', now=week47)
    run_round(world, at(2026, 11, 26, 0), at(2026, 11, 26, 19), step=60)
    run_text(world.session, la, 'status APOLLO green "Still fine"', now=week48)
    deliverables.add(world.session, world.actor("lead"), key="APOLLO", title="Design pack", owner=None,
                     due_on=date(2026, 11, 20), now=NOW)  # fmt: skip
    run_round(world, at(2026, 11, 26, 19), at(2026, 11, 28, 0), step=60)
    report = reports.build(world.session, world.ws.id, "2026-W48", today=date(2026, 11, 28))
    apollo, beta = report.projects
    assert (apollo.key, apollo.previous, apollo.update.overall if apollo.update else None) == (
        "APOLLO", Rag.GREEN, Rag.GREEN,
    )  # fmt: skip
    assert (
        apollo.slipping and apollo.overdue_deliverables == 1
    )  # green, with an overdue deliverable
    assert beta.update is None and [ln.key for ln in report.missing] == ["BETA"]
    assert apollo.history[-2:] == [Rag.GREEN, Rag.GREEN] and beta.history[-1] is None
    md = report_exports.to_markdown(report)
    assert "## Green but slipping" in md and "APOLLO" in md and "## Missing updates" in md
    rows = list(csv.reader(io.StringIO(report_exports.to_csv(report))))
    assert rows[0][:4] == ["project", "name", "pm", "overall"]
    assert rows[2][:4] == ["BETA", "Beta", "ko", "missing"]
    # Participation: APOLLO reported both weeks on time, BETA one of two.
    stats = run_text(world.session, world.actor("lead"), "report stats", now=at(2026, 11, 28, 0))
    rates = {ln.key: ln.on_time_rate for ln in stats.report.projects}  # type: ignore[union-attr]
    assert rates == {"APOLLO": 1.0, "BETA": 0.5}


def test_csv_cells_that_look_like_formulas_are_defused(two: World) -> None:
    world = two
    run_text(world.session, world.actor("la"), 'status APOLLO green "=HYPERLINK(1)"', now=NOW)
    report = reports.build(world.session, world.ws.id, "2026-W48", today=date(2026, 11, 25))
    assert "'=HYPERLINK(1)" in report_exports.to_csv(report)


def test_closed_deliverables_and_private_projects_stay_out_of_a_members_report(
    two: World,
) -> None:
    world = two
    lead = world.actor("lead")
    projects.create(world.session, lead, key="SECRET", name="Secret", private=True, now=NOW)
    d = deliverables.add(world.session, lead, key="APOLLO", title="Done already", owner=None,
                         due_on=date(2026, 11, 1), now=NOW)  # fmt: skip
    world.session.get(Deliverable, d.id).status = DeliverableStatus.DONE  # type: ignore[union-attr]
    world.session.flush()
    mine = run_text(world.session, world.actor("la"), "report", now=NOW)
    assert [ln.key for ln in mine.report.projects] == ["APOLLO", "BETA"]  # type: ignore[union-attr]
    assert mine.report.projects[0].overdue_deliverables == 0  # type: ignore[union-attr]
    everything = run_text(world.session, lead, "report", now=NOW)
    assert "SECRET" in [ln.key for ln in everything.report.projects]  # type: ignore[union-attr]


def test_a_long_portfolio_report_splits_cleanly_within_block_kit_limits(
    world: World,
) -> None:
    from handlers.slack.status.render import report_parent, report_replies, stats_message
    from services.status.charts import rag_heatmap
    from tests.fake_slack import validate_blocks

    seed_history(world, 400, 9)
    world.session.execute(
        StatusUpdate.__table__.update().values(  # type: ignore[attr-defined]
            blockers="x" * 2900, asks="<!channel> " + "y" * 2900, summary="z" * 2900
        )
    )
    report = reports.build(world.session, world.ws.id, "2026-W48", today=date(2026, 11, 28))
    parent = report_parent(report)
    validate_blocks(parent.blocks, limit=50)
    assert "more part" in str(parent.blocks) and "<!channel>" not in str(parent.blocks)
    replies = report_replies(report)
    assert len(replies) == len([ln for ln in report.projects if ln.update])
    for reply in replies[:50]:
        validate_blocks(reply.blocks, limit=50)
    validate_blocks(stats_message(report).blocks, limit=50)
    assert rag_heatmap(report)[:4] == b"\x89PNG"
