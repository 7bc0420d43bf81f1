"""Cross-project dependencies agreed in chat: the handshake (ask, counter-proposal, accept or
decline), who may answer, and the watch: a slip upstream or a red upstream project alerts both
PMs exactly once, and the portfolio report lists the dependency as at risk."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot import jobs
from handlers.console.channel import ConsoleChannel
from models import AuditEvent, Dependency, DependencyState, Notification, Person
from services.commands.execute import run_text
from services.commands.results_registers import DependencyListResult, DependencyResult
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.dependencies import watch
from services.status import exports
from services.status import report as reports
from tests.conftest import NOW, World


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def run(world: World, who: str, text: str, now: datetime = NOW):  # type: ignore[no-untyped-def]
    return run_text(world.session, world.actor(who), text, now=now)


def told(world: World, rule: str) -> list[tuple[str, str]]:
    return sorted(
        (h, o)
        for h, o in world.session.execute(
            select(Person.handle, Notification.occurrence)
            .join(Person, Person.id == Notification.recipient_id)
            .where(Notification.rule == rule)
        )
    )


@pytest.fixture
def two(world: World) -> World:
    """APOLLO (PM @ann) and HERMES (PM @hal) with deliverable #1 "API v2", forecast 10 Dec."""
    for h in ("ann", "hal", "bob"):
        world.person(h)
    run(world, "lead", 'project new APOLLO "Apollo" @ann')
    run(world, "lead", 'project new HERMES "Hermes" @hal')
    run(world, "hal", 'deliverable add HERMES "API v2" due:2026-12-10')
    return world


def test_the_handshake_with_a_counter_proposal(two: World) -> None:
    w = two
    res = run(w, "ann", 'depend APOLLO on HERMES "API v2 in staging" by:2026-12-08 #1')
    assert isinstance(res, DependencyResult) and res.event == "requested"
    dep = res.dependency
    assert (dep.awaiting_key, dep.needed_by, dep.deliverable.id) == ("HERMES", date(2026, 12, 8), 1)  # type: ignore[union-attr]
    assert told(w, "dependency_request") == [("hal", "round1")]
    request = w.session.scalar(
        select(Notification).where(Notification.rule == "dependency_request")
    )
    assert request is not None and request.payload["digest"]["kind"] == "dependency_request"
    # Only the side that must answer answers.
    with pytest.raises(PermissionDenied, match="waits for HERMES's PM"):
        run(w, "ann", f"depend accept {dep.id}")
    # HERMES proposes another date: it goes back to APOLLO with the same choices.
    res = run(w, "hal", f"depend propose {dep.id} 2026-12-11")
    assert res.dependency.awaiting_key == "APOLLO" and res.dependency.proposed_on == date(
        2026, 12, 11
    )
    assert told(w, "dependency_request") == [("ann", "round2"), ("hal", "round1")]
    with pytest.raises(PermissionDenied):
        run(w, "hal", f"depend accept {dep.id}")
    with pytest.raises(InvalidInput, match="already on the table"):
        run(w, "ann", f"depend propose {dep.id} 2026-12-11")
    # APOLLO accepts the proposed date; HERMES is told.
    res = run(w, "ann", f"depend accept {dep.id}")
    assert res.dependency.state == DependencyState.ACCEPTED
    assert (res.dependency.needed_by, res.dependency.proposed_on) == (date(2026, 12, 11), None)
    assert told(w, "dependency_answer") == [("hal", "accepted2")]
    with pytest.raises(Conflict, match="already accepted"):
        run(w, "hal", f'depend decline {dep.id} "no"')
    # Both directions are listed.
    mine = run(w, "ann", "depend list APOLLO")
    theirs = run(w, "hal", "depend list HERMES")
    assert isinstance(mine, DependencyListResult)
    assert [v.id for v in mine.needs] == [dep.id] and mine.provides == []
    assert theirs.needs == [] and [v.id for v in theirs.provides] == [dep.id]
    assert [v.id for v in run(w, "hal", "depend list").provides] == [dep.id]
    assert (
        w.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.entity_type == "dependency")
        )
        == 3
    )


def test_declined_with_a_reason_and_bad_requests_are_refused(two: World) -> None:
    w = two
    with pytest.raises(PermissionDenied):
        run(w, "bob", 'depend APOLLO on HERMES "x" by:2026-12-08')
    with pytest.raises(InvalidInput, match="can't depend on itself"):
        run(w, "ann", 'depend APOLLO on APOLLO "x" by:2026-12-08')
    with pytest.raises(InvalidInput, match="in the past"):
        run(w, "ann", 'depend APOLLO on HERMES "x" by:2026-11-01')
    with pytest.raises(NotFound, match="HERMES has no deliverable #9"):
        run(w, "ann", 'depend APOLLO on HERMES "x" by:2026-12-08 #9')
    with pytest.raises(NotFound, match="no project HERMEZ"):
        run(w, "ann", 'depend APOLLO on HERMEZ "x" by:2026-12-08')
    assert w.session.scalar(select(func.count(Dependency.id))) == 0
    dep = run(w, "ann", 'depend APOLLO on HERMES "Test data" by:2026-12-08').dependency
    with pytest.raises(Conflict, match="already depends on HERMES"):
        run(w, "ann", 'depend APOLLO on HERMES "test data" by:2026-12-09')
    res = run(w, "hal", f'depend decline {dep.id} "No capacity before January"')
    assert res.dependency.state == DependencyState.DECLINED
    assert res.dependency.reason == "No capacity before January"
    assert told(w, "dependency_answer") == [("ann", "declined1")]
    form = run(w, "ann", 'depend APOLLO on HERMES "Other" by:2026-12-08')
    assert run(w, "hal", f"depend decline {form.dependency.id}").request.form.id == (
        "dependency_decline"
    )


def test_a_slip_upstream_alerts_both_pms_exactly_once_and_the_report_lists_it(
    two: World, sessions: sessionmaker[Session]
) -> None:
    w = two
    dep = run(w, "ann", 'depend APOLLO on HERMES "API v2 in staging" by:2026-12-08 #1').dependency
    run(w, "hal", f"depend propose {dep.id} 2026-12-11")
    run(w, "ann", f"depend accept {dep.id}")
    w.session.commit()

    def sweep(when: datetime) -> None:
        jobs.materialize(sessions, now=when)
        w.session.expire_all()

    sweep(at(2026, 11, 24, 9))
    assert told(w, "dependency_risk") == []  # forecast 10 Dec, needed by 11 Dec: on track
    # HERMES re-forecasts its deliverable past the agreed date.
    run(w, "hal", "deliverable forecast 1 2026-12-15", now=at(2026, 11, 24, 10))
    w.session.commit()
    for minute in range(3):
        sweep(at(2026, 11, 24, 10, minute + 1))
    assert told(w, "dependency_risk") == [("ann", "risk1"), ("hal", "risk1")]
    alert = w.session.scalar(select(Notification).where(Notification.rule == "dependency_risk"))
    assert alert is not None and "forecast for Tue 15 Dec" in str(alert.payload)
    stored = w.session.get(Dependency, dep.id)
    assert stored is not None and stored.risk_keys == "slip:2026-12-15"
    # The portfolio report lists it as at risk.
    rep = reports.build(w.session, w.ws.id, "2026-W48", today=date(2026, 11, 24))
    assert [v.id for v in rep.at_risk] == [dep.id]
    assert "## Dependencies at risk" in exports.to_markdown(rep)
    assert "APOLLO needs “API v2 in staging” from HERMES" in exports.to_markdown(rep)
    # Back on track: no alert; it leaves the report.
    run(w, "hal", "deliverable forecast 1 2026-12-10", now=at(2026, 11, 25, 9))
    w.session.commit()
    sweep(at(2026, 11, 25, 9, 1))
    assert told(w, "dependency_risk") == [("ann", "risk1"), ("hal", "risk1")]
    rep = reports.build(w.session, w.ws.id, "2026-W48", today=date(2026, 11, 25))
    assert rep.at_risk == []


def test_a_red_upstream_project_puts_the_dependency_at_risk_once(two: World) -> None:
    w = two
    dep = run(w, "ann", 'depend APOLLO on HERMES "Sandbox" by:2026-12-08').dependency
    run(w, "hal", f"depend accept {dep.id}")
    run(w, "hal", 'status HERMES red "Vendor gone"')
    assert watch.materialize(w.session, now=at(2026, 11, 23, 13)) == 2
    assert watch.materialize(w.session, now=at(2026, 11, 23, 14)) == 0
    assert told(w, "dependency_risk") == [("ann", "risk1"), ("hal", "risk1")]
    v = watch.at_risk(w.session, w.ws.id)[0]
    assert v.risk is not None and "reported red" in v.risk
    assert w.session.get(Dependency, dep.id).awaiting is None  # type: ignore[union-attr]


def test_the_console_shows_the_request_with_its_command_forms(
    sessions: sessionmaker[Session],
) -> None:
    out: list[str] = []
    console = ConsoleChannel(sessions, clock=lambda: NOW, echo=out.append)
    assert console.run("pat", 'project new APOLLO "Apollo"').ok
    console.run("hal", "help")
    assert console.run("pat", 'project new HERMES "Hermes" @hal').ok
    reply = console.run("pat", 'depend APOLLO on HERMES "API v2" by:2026-12-08')
    assert reply.ok and "Asked HERMES's PM to commit (dependency #1)" in reply.text
    sent = "\n".join(out)
    assert "To @hal:" in sent and "Dependency #1: APOLLO asks HERMES" in sent
    assert "`depend accept 1`" in sent and "`depend propose 1 <date>`" in sent
    reply = console.run("hal", "depend propose 1 dec 10")
    assert reply.ok and "APOLLO's PM is asked" in reply.text
    assert "To @pat:" in out[-1] and "HERMES proposes Thu 10 Dec" in out[-1]
    reply = console.run("pat", "depend accept 1")
    assert "I watch it from now on" in reply.text
    listed = console.run("hal", "depend list")
    assert "Provides:" in listed.text and "#1 APOLLO needs “API v2” from HERMES" in listed.text
    with sessions() as s:
        stored = s.get(Dependency, 1)
        assert stored is not None and stored.awaiting is None
        assert (stored.state, stored.needed_by) == (DependencyState.ACCEPTED, date(2026, 12, 10))


def test_a_private_projects_dependency_is_seen_and_answered_by_the_other_side(
    world: World,
) -> None:
    for h in ("ann", "hal", "out"):
        world.person(h)
    run(world, "lead", 'project new SECRET "Secret" @ann private')
    run(world, "lead", 'project new HERMES "Hermes" @hal')
    dep = run(world, "ann", 'depend SECRET on HERMES "Sandbox" by:2026-12-08').dependency
    # HERMES's PM is party to it, though SECRET is private to them.
    assert [v.id for v in run(world, "hal", "depend list HERMES").provides] == [dep.id]
    assert run(world, "hal", f"depend accept {dep.id}").dependency.state == DependencyState.ACCEPTED
    # Someone in neither project does not see it.
    with pytest.raises(NotFound):
        run(world, "out", f"depend accept {dep.id}")
    listed = run(world, "out", "depend list HERMES")
    assert listed.needs == [] and listed.provides == []
