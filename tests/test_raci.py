"""RACI charts that act: set and shown per deliverable and per project, exactly one Accountable,
chasers to the Responsible and escalation to the Accountable before the PM, sign-off by the
Accountable with the Consulted asked, news for the Informed, the XLSX export, permissions."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from models import (
    AuditEvent,
    Deliverable,
    DeliverableStatus,
    Notification,
    Person,
    RaciAssignment,
    SignoffRequest,
    SignoffState,
)
from services.commands.execute import run_text
from services.commands.results_registers import (
    FileResult,
    RaciMatrixResult,
    RaciResult,
    SignoffResult,
)
from services.core.errors import Conflict, InvalidInput, PermissionDenied
from services.raci import sweep as raci_sweep
from services.work import reminders
from tests.conftest import NOW, World


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def run(world: World, who: str, text: str, now: datetime = NOW):  # type: ignore[no-untyped-def]
    return run_text(world.session, world.actor(who), text, now=now)


def rows(world: World, *rules: str) -> list[tuple[str, str, str]]:
    """Outbox rows of these rules as (rule, recipient, occurrence)."""
    q = select(Notification.rule, Person.handle, Notification.occurrence).join(
        Person, Person.id == Notification.recipient_id
    )
    if rules:
        q = q.where(Notification.rule.in_(rules))
    return sorted(tuple(r) for r in world.session.execute(q))  # type: ignore[misc]


@pytest.fixture
def apollo(world: World) -> World:
    """APOLLO (PM @pm) with deliverable #1 "Design spec" owned by @ana, forecast Fri 4 Dec."""
    for h in ("pm", "ana", "ben", "cat", "dan", "eve", "max"):
        world.person(h)
    run(world, "lead", 'project new APOLLO "Apollo" @pm')
    run(world, "pm", "project add APOLLO @max member")
    run(world, "pm", 'deliverable add APOLLO "Design spec" @ana due:2026-12-04')
    return world


def d_id(world: World) -> int:
    return world.session.scalar(select(Deliverable.id).where(Deliverable.title == "Design spec"))  # type: ignore[return-value]


def test_raci_per_deliverable_and_per_project_with_exactly_one_accountable(apollo: World) -> None:
    w, d = apollo, d_id(apollo)
    res = run(w, "pm", f"raci set APOLLO {d} R @ana @ben A @cat C @dan I @eve")
    assert isinstance(res, RaciResult) and res.event == "set"
    got = {(e.letter.value, e.person.handle, e.source) for e in res.card.entries}
    assert got == {
        ("R", "ana", "own"), ("R", "ben", "own"), ("A", "cat", "own"),
        ("C", "dan", "own"), ("I", "eve", "own"),
    }  # fmt: skip
    # Two Accountables in one command are refused, naming both; nothing changes.
    with pytest.raises(InvalidInput, match="exactly one Accountable; you named @dan and @eve"):
        run(w, "pm", f"raci set APOLLO {d} A @dan @eve")
    # A second Accountable is refused, naming the one already there.
    with pytest.raises(Conflict, match="already has an Accountable: @cat") as err:
        run(w, "pm", f"raci set APOLLO {d} A @dan")
    assert "raci set APOLLO 1 A @dan I @cat" in str(err.value)
    n = w.session.scalar(select(func.count(RaciAssignment.id)))
    assert n == 5
    # Handing it over in one command works: @cat becomes Informed.
    res = run(w, "pm", f"raci set APOLLO {d} A @dan I @cat")
    assert [p.handle for p in res.card.people(res.card.entries[0].letter.ACCOUNTABLE)] == ["dan"]
    # The project's default: a deliverable inherits the letters it does not name.
    run(w, "pm", 'deliverable add APOLLO "Build" due:2026-12-18')
    res = run(w, "pm", "raci set APOLLO R @max A @pm I @lead")
    assert res.card.deliverable is None
    build = run(w, "pm", "raci APOLLO 2").card
    assert {(e.letter.value, e.person.handle, e.source) for e in build.entries} == {
        ("R", "max", "default"), ("A", "pm", "default"), ("I", "lead", "default"),
    }  # fmt: skip
    # Design spec keeps its own letters; the default's I only where it names no I.
    spec = run(w, "pm", f"raci APOLLO {d}").card
    assert sorted(p.handle for p in spec.people(spec.entries[0].letter.INFORMED)) == ["cat", "eve"]
    # The default too has exactly one Accountable.
    with pytest.raises(Conflict, match="already has an Accountable: @pm"):
        run(w, "pm", "raci set APOLLO A @cat")
    # The chart: people by deliverables.
    m = run(w, "max", "raci APOLLO")
    assert isinstance(m, RaciMatrixResult)
    assert m.matrix.cell(w.person("dan").id, d) == "A"  # named again: exactly what was named
    run(w, "pm", f"raci set APOLLO {d} A/R @dan")
    m = run(w, "max", "raci APOLLO")
    assert m.matrix.cell(w.person("dan").id, d) == "R/A"
    assert m.matrix.cell(w.person("max").id, None) == "R"
    assert m.matrix.cell(w.person("max").id, 2) == "R"
    # Every change is audited.
    audits = w.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.entity_type == "raci")
    )
    assert audits == 4


def test_removing_people_and_clearing_fall_back_to_the_default(apollo: World) -> None:
    w, d = apollo, d_id(apollo)
    run(w, "pm", "raci set APOLLO A @pm")
    run(w, "pm", f"raci set APOLLO {d} R @ben A @cat")
    res = run(w, "pm", f"raci set APOLLO {d} - @cat")
    assert res.card.accountable is not None and res.card.accountable.handle == "pm"
    res = run(w, "pm", f"raci clear APOLLO {d}")
    assert {(e.letter.value, e.person.handle, e.source) for e in res.card.entries} == {
        ("R", "ana", "owner"), ("A", "pm", "default"),
    }  # fmt: skip
    with pytest.raises(Conflict, match="names nobody"):
        run(w, "pm", f"raci clear APOLLO {d}")


def test_only_the_pm_or_a_pmo_lead_sets_the_raci(apollo: World) -> None:
    w, d = apollo, d_id(apollo)
    with pytest.raises(PermissionDenied, match="Only APOLLO's PM or a PMO lead can set its RACI"):
        run(w, "max", f"raci set APOLLO {d} R @max")
    assert w.session.scalar(select(func.count(RaciAssignment.id))) == 0
    run(w, "lead", f"raci set APOLLO {d} R @max")  # a PMO lead may
    assert (
        run(w, "max", f"raci APOLLO {d}")
        .card.people(run(w, "max", f"raci APOLLO {d}").card.entries[0].letter)[0]
        .handle
        == "max"
    )


def test_a_private_projects_raci_names_members_only(world: World) -> None:
    world.person("pm")
    world.person("out")
    run(world, "lead", 'project new SECRET "Secret" @pm private')
    run(world, "pm", 'deliverable add SECRET "Plan" due:2026-12-04')
    with pytest.raises(InvalidInput, match="not a member of SECRET, which is private"):
        run(world, "pm", "raci set SECRET 1 I @out")


def test_the_raci_exports_as_a_people_by_deliverables_grid(apollo: World) -> None:
    w, d = apollo, d_id(apollo)
    run(w, "pm", f"raci set APOLLO {d} R @ana A @cat I @eve")
    run(w, "pm", "raci set APOLLO A @pm")
    res = run(w, "max", "raci export APOLLO")
    assert isinstance(res, FileResult) and res.filename == "raci-APOLLO.xlsx"
    ws = load_workbook(io.BytesIO(res.content))["RACI APOLLO"]
    grid = [[c.value for c in row] for row in ws.iter_rows()]
    assert grid[0][:4] == ["Handle", "Name", "APOLLO default", "#1 Design spec"]
    assert grid[1][3] == "2026-12-04"  # the forecast under each deliverable
    by_person = {r[0]: r[2:] for r in grid[2:]}
    assert by_person == {
        "ana": [None, "R"],
        "cat": [None, "A"],
        "eve": [None, "I"],
        "pm": ["A", None],
    }


def test_a_late_deliverable_chases_its_responsible_and_escalates_to_its_accountable_first(
    apollo: World,
) -> None:
    w, d = apollo, d_id(apollo)
    run(w, "pm", f"raci set APOLLO {d} R @ana @ben A @cat")

    def sweep(when: datetime) -> list[tuple[str, str, str]]:
        before = set(rows(w))
        reminders.materialize(w.session, now=when)
        return sorted(set(rows(w)) - before)

    # Fri 4 Dec is the forecast: both Responsible are reminded, not the owner alone.
    assert sweep(at(2026, 12, 4, 9)) == [
        ("due_today", "ana", "2026-12-04"), ("due_today", "ben", "2026-12-04"),
    ]  # fmt: skip
    assert sweep(at(2026, 12, 7, 9)) == [
        ("overdue", "ana", "2026-12-07"), ("overdue", "ben", "2026-12-07"),
    ]  # fmt: skip
    # Two working days late: the Accountable hears, not the PM.
    assert sweep(at(2026, 12, 8, 9)) == [
        ("escalate_accountable", "cat", "once"),
        ("overdue", "ana", "2026-12-08"),
        ("overdue", "ben", "2026-12-08"),
    ]
    # A working day later the PM; after five the PMO lead; each once.
    assert ("escalate_pm", "pm", "once") in sweep(at(2026, 12, 9, 9))
    assert sweep(at(2026, 12, 9, 10)) == []
    assert sweep(at(2026, 12, 10, 9)) == [
        ("overdue", "ana", "2026-12-10"), ("overdue", "ben", "2026-12-10"),
    ]  # fmt: skip
    assert ("escalate_lead", "lead", "once") in sweep(at(2026, 12, 11, 9))


def test_without_a_raci_the_owner_is_chased_and_the_pm_escalated_as_before(apollo: World) -> None:
    w = apollo
    reminders.materialize(w.session, now=at(2026, 12, 8, 9))
    assert rows(w) == [("escalate_pm", "pm", "once"), ("overdue", "ana", "2026-12-08")]


def test_sign_off_by_the_accountable_with_the_consulted_asked_and_the_informed_told(
    apollo: World,
) -> None:
    w, d = apollo, d_id(apollo)
    run(w, "pm", f"raci set APOLLO {d} R @ana @ben A @cat C @dan I @eve")
    # A Responsible marks it done: it waits for the Accountable; the Consulted are asked.
    res = run(w, "ana", f"deliverable done {d}")
    assert isinstance(res, SignoffResult) and res.event == "requested"
    assert w.session.get(Deliverable, d).status == DeliverableStatus.PLANNED  # type: ignore[union-attr]
    assert rows(w) == [("raci_consult", "dan", "ask"), ("raci_signoff", "cat", "ask")]
    signoff = w.session.scalar(select(Notification).where(Notification.rule == "raci_signoff"))
    assert signoff is not None and signoff.payload["digest"]["ref"] == str(d)
    with pytest.raises(Conflict, match="already waits for @cat's sign-off"):
        run(w, "pm", f"deliverable done {d}")
    # Only the Accountable signs off: not the R, not the PM.
    for who in ("ana", "pm"):
        with pytest.raises(PermissionDenied, match="Only @cat can sign off"):
            run(w, who, f"deliverable signoff {d}")
    # Not yet: it stays open; whoever asked and the Responsible are told why.
    res = run(w, "cat", f'deliverable signoff {d} no "The appendix is missing"')
    assert res.event == "not_yet" and res.card.signoff.reason == "The appendix is missing"
    assert ("raci_decision", "ana", "not_yet") in rows(w)
    assert ("raci_decision", "ben", "not_yet") in rows(w)
    assert w.session.get(Deliverable, d).status == DeliverableStatus.PLANNED  # type: ignore[union-attr]
    assert rows(w, "raci_informed") == []
    # Asked again, then signed off: done, and the Informed are told (once).
    run(w, "ben", f"deliverable done {d}")
    res = run(w, "cat", f"deliverable signoff {d}")
    assert res.event == "signed_off"
    assert w.session.get(Deliverable, d).status == DeliverableStatus.DONE  # type: ignore[union-attr]
    assert rows(w, "raci_informed") == [("raci_informed", "eve", "done")]
    states = w.session.scalars(select(SignoffRequest.state).order_by(SignoffRequest.id)).all()
    assert states == [SignoffState.NOT_YET, SignoffState.SIGNED_OFF]
    with pytest.raises(Conflict, match="Nothing waits for sign-off"):
        run(w, "cat", f"deliverable signoff {d}")


def test_the_accountable_marking_done_with_nobody_to_consult_signs_it_off(apollo: World) -> None:
    w, d = apollo, d_id(apollo)
    run(w, "pm", f"raci set APOLLO {d} A @cat I @eve")
    res = run(w, "cat", f"deliverable done {d}")
    assert isinstance(res, SignoffResult) and res.event == "signed_off"
    assert rows(w, "raci_signoff") == []
    assert rows(w, "raci_informed") == [("raci_informed", "eve", "done")]
    # Someone with no letter and no PM role may not mark it done.
    run(w, "pm", 'deliverable add APOLLO "Other" due:2026-12-10')
    run(w, "pm", "raci set APOLLO 2 A @cat")
    with pytest.raises(PermissionDenied, match="Responsible, Accountable"):
        run(w, "max", "deliverable done 2")


def test_the_informed_hear_of_a_reforecast_and_of_a_slip_once(apollo: World) -> None:
    w, d = apollo, d_id(apollo)
    run(w, "pm", f"raci set APOLLO {d} I @eve @lead")
    run(w, "pm", f"deliverable forecast {d} 2026-12-07")
    assert rows(w, "raci_informed") == [
        ("raci_informed", "eve", "forecast:2026-12-07"),
        ("raci_informed", "lead", "forecast:2026-12-07"),
    ]
    # The forecast passes and it is not done: they are told once, on their working day.
    assert raci_sweep.materialize(w.session, now=at(2026, 12, 7, 20)) == 0
    assert raci_sweep.materialize(w.session, now=at(2026, 12, 8, 9)) == 2
    assert raci_sweep.materialize(w.session, now=at(2026, 12, 9, 9)) == 0
    slipped = rows(w, "raci_informed")
    assert ("raci_informed", "eve", "slipped:2026-12-07") in slipped
    note = w.session.scalar(
        select(Notification.payload).where(Notification.occurrence == "slipped:2026-12-07")
    )
    assert "forecast for Mon 7 Dec and is not done yet" in str(note)


def test_a_waiting_sign_off_is_chased_then_escalated_to_the_pm(apollo: World) -> None:
    w, d = apollo, d_id(apollo)
    run(w, "pm", f"raci set APOLLO {d} R @ana A @cat")
    run(w, "ana", f"deliverable done {d}")  # Mon 23 Nov: due Wed 25 Nov

    def sweep(when: datetime) -> list[tuple[str, str, str]]:
        before = set(rows(w))
        raci_sweep.materialize(w.session, now=when)
        return sorted(set(rows(w)) - before)

    assert sweep(at(2026, 11, 24, 10)) == []
    assert sweep(at(2026, 11, 25, 10)) == [("raci_signoff_chase", "cat", "2026-11-25")]
    assert sweep(at(2026, 11, 25, 11)) == []
    assert sweep(at(2026, 11, 26, 10)) == [("raci_signoff_chase", "cat", "2026-11-26")]
    assert sweep(at(2026, 11, 27, 10)) == [
        ("raci_signoff_chase", "cat", "2026-11-27"),
        ("raci_signoff_escalate", "pm", "once"),
    ]
    # While it waits for sign-off, its Responsible is not chased for it.
    reminders.materialize(w.session, now=at(2026, 12, 8, 9))
    assert [r for r in rows(w) if r[1] == "ana"] == []
    run(w, "cat", f"deliverable signoff {d}")
    assert sweep(at(2026, 11, 30, 10)) == []


def test_the_sign_off_form_reads_into_the_same_command(apollo: World) -> None:
    from services.raci import forms

    w, d = apollo, d_id(apollo)
    run(w, "pm", f"raci set APOLLO {d} A @cat")
    run(w, "pm", f"deliverable done {d}")
    with pytest.raises(PermissionDenied):
        run(w, "pm", f"deliverable signoff {d} no")
    form = run(w, "cat", f"deliverable signoff {d} no")
    assert form.request.form.id == "signoff_not_yet" and form.request.ref["deliverable"] == d
    with pytest.raises(InvalidInput) as err:
        forms.read_not_yet({"reason": ""}, form.request.ref)
    assert err.value.field == "reason"
    cmd = forms.read_not_yet({"reason": "Needs a review"}, form.request.ref)
    assert cmd.deliverable_id == d and not cmd.approve and cmd.reason == "Needs a review"


def test_a_deliverable_done_without_an_accountable_is_done_at_once(apollo: World) -> None:
    w, d = apollo, d_id(apollo)
    run(w, "pm", f"raci set APOLLO {d} I @eve")
    res = run(w, "pm", f"deliverable done {d}")
    assert res.deliverable.status == DeliverableStatus.DONE
    assert rows(w, "raci_informed") == [("raci_informed", "eve", "done")]
    assert date(2026, 12, 4) == res.deliverable.forecast_on
