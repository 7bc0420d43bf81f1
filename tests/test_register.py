"""The project register: sponsor, phase, dates, budget, latest RAG, top risk (when a RAID log
feeds it) and open items, for PMO leads, exported as CSV and XLSX; the workspace's phases; and
stage gates: a phase change waits for the gate's approver, and is audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent, GateState, Notification, Person, Project, StageGate
from services.commands.execute import run_text
from services.commands.results_registers import (
    FileResult,
    PhasesResult,
    RegisterCardResult,
    RegisterResult,
)
from services.core.errors import Conflict, InvalidInput, PermissionDenied
from services.projects import budget, portfolio, risks
from services.raid.queries import top_risk_by_project
from tests.conftest import NOW, World


def run(world: World, who: str, text: str, *, now: datetime = NOW):  # type: ignore[no-untyped-def]
    return run_text(world.session, world.actor(who), text, now=now)


@pytest.fixture
def portfolio_world(world: World) -> World:
    for h in ("ann", "spo", "max"):
        world.person(h)
    run(world, "lead", 'project new APOLLO "Apollo" @ann')
    run(world, "lead", 'project new BETA "Beta"')
    run(world, "ann", "project add APOLLO @spo sponsor")
    run(world, "ann", "project add APOLLO @max member")
    run(world, "ann", "project set APOLLO start 2026-11-02")
    run(world, "ann", "project set APOLLO end 2027-03-31")
    run(world, "ann", "project set APOLLO budget 120k EUR")
    run(world, "ann", "project set APOLLO actual 45,500.50")
    run(world, "ann", 'status APOLLO amber "Vendor late"')
    # added the week before, due last Friday: overdue now
    run(
        world,
        "ann",
        'action add APOLLO "Call the vendor" due:2026-11-20',
        now=NOW - timedelta(days=7),
    )
    return world


def test_the_register_shows_every_project_to_pmo_leads(portfolio_world: World) -> None:
    w = portfolio_world
    res = run(w, "lead", "project register")
    assert isinstance(res, RegisterResult) and res.register.has_risk_log
    apollo = next(ln for ln in res.register.lines if ln.project.key == "APOLLO")
    p = apollo.project
    assert (p.pm.handle if p.pm else None, [s.handle for s in apollo.sponsors]) == ("ann", ["spo"])
    assert (str(p.start_on), str(p.target_on)) == ("2026-11-02", "2027-03-31")
    assert (apollo.budget_planned, apollo.budget_actual, apollo.currency) == (
        12_000_000, 4_550_050, "EUR",
    )  # fmt: skip
    assert (p.rag, p.rag_period) == ("amber", "2026-W48")
    assert (apollo.open_items, p.overdue_actions) == (1, 1)
    assert budget.money(apollo.budget_actual, apollo.currency) == "EUR 45,500.50"
    with pytest.raises(PermissionDenied, match="for PMO leads"):
        run(w, "ann", "project register")
    card = run(w, "max", "project register APOLLO")  # one project's entry: anyone who sees it
    assert isinstance(card, RegisterCardResult) and card.card.line.project.key == "APOLLO"
    assert [g.phase for g in card.card.gates] == ["Initiating", "Planning", "Executing", "Closing"]
    with pytest.raises(PermissionDenied):
        run(w, "max", "project set APOLLO budget 1")
    with pytest.raises(InvalidInput, match="not an amount"):
        run(w, "ann", "project set APOLLO budget lots")


def test_the_register_exports_as_csv_and_xlsx(portfolio_world: World) -> None:
    w = portfolio_world
    res = run(w, "lead", "project register csv")
    assert isinstance(res, FileResult) and res.filename.endswith(".csv")
    table = list(csv.DictReader(io.StringIO(res.content.decode())))
    apollo = next(r for r in table if r["Key"] == "APOLLO")
    assert (apollo["PM"], apollo["Sponsor"], apollo["Budget planned"], apollo["Latest RAG"]) == (
        "ann", "spo", "120000.0", "amber",
    )  # fmt: skip
    assert apollo["Top risk"] == ""  # no open risk in the RAID log
    res = run(w, "lead", "project register xlsx")
    sheet = load_workbook(io.BytesIO(res.content))["Project register"]
    head = [c.value for c in sheet[1]]
    row = {head[i]: c.value for i, c in enumerate(sheet[2])}
    assert (row["Key"], row["Budget actual"], row["Currency"], row["Open action items"]) == (
        "APOLLO", 45500.5, "EUR", 1,
    )  # fmt: skip


@dataclass(frozen=True)
class Risk:
    title: str


def test_the_top_risk_column_is_fed_by_the_raid_log_when_there_is_one(
    portfolio_world: World,
) -> None:
    w = portfolio_world
    asked: list[Sequence[int]] = []

    def source(_s: Session, workspace_id: int, ids: Sequence[int]) -> Mapping[int, object]:
        asked.append(ids)
        apollo = w.session.scalar(select(Project.id).where(Project.key == "APOLLO"))
        assert workspace_id == w.ws.id
        return {apollo: Risk("Vendor may fold")} if apollo else {}

    reg = portfolio.build(w.session, w.actor("lead"), now=NOW, today=NOW.date(), source=source)
    assert reg.has_risk_log and len(asked) == 1 and len(asked[0]) == 2
    assert {ln.project.key: ln.top_risk for ln in reg.lines} == {
        "APOLLO": "Vendor may fold", "BETA": None,
    }  # fmt: skip
    assert risks.SOURCE is top_risk_by_project  # the RAID log feeds it


def test_the_register_names_each_projects_top_risk_from_the_raid_log(
    portfolio_world: World,
) -> None:
    w = portfolio_world
    run(w, "ann", 'risk add APOLLO "Vendor may fold" p:4 i:4')
    run(w, "ann", 'risk add APOLLO "Key engineer leaves" p:2 i:3')
    res = run(w, "lead", "project register")
    assert isinstance(res, RegisterResult)
    tops = {ln.project.key: ln.top_risk for ln in res.register.lines}
    assert tops == {"APOLLO": "R-1 Vendor may fold (16)", "BETA": None}


def test_phases_are_the_workspaces_own(portfolio_world: World) -> None:
    w = portfolio_world
    assert run(w, "max", "project phases").phases == (
        "Initiating", "Planning", "Executing", "Closing",
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        run(w, "ann", "project phases Idea Build")
    res = run(w, "lead", 'project phases Discovery Design "Build & test" Launch')
    assert isinstance(res, PhasesResult) and res.phases[2] == "Build & test"
    run(w, "ann", "project set APOLLO phase build")
    assert w.session.scalar(select(Project.phase).where(Project.key == "APOLLO")) == "Build & test"
    with pytest.raises(InvalidInput, match="Phases: Discovery, Design, Build & test, Launch"):
        run(w, "ann", "project set APOLLO phase Executing")


def test_a_phase_change_waits_for_the_gates_approver_and_is_audited(
    portfolio_world: World,
) -> None:
    w = portfolio_world
    with pytest.raises(PermissionDenied):
        run(w, "max", "project gate APOLLO Executing @spo")
    res = run(w, "ann", "project gate APOLLO executing @spo")
    assert res.event == "set" and res.phase == "Executing"
    # The PM asks; the sponsor gets Approve / Reject.
    res = run(w, "ann", "project set APOLLO phase Executing")
    assert res.event == "requested" and res.card.line.pending_gate is not None
    assert w.session.scalar(select(Project.phase).where(Project.key == "APOLLO")) is None
    ask = w.session.scalar(select(Notification).where(Notification.rule == "gate_request"))
    assert ask is not None and ask.payload["digest"]["kind"] == "gate_request"
    assert ask.payload["digest"]["ref"] == "APOLLO:Executing"
    assert w.session.get(Person, ask.recipient_id).handle == "spo"  # type: ignore[union-attr]
    with pytest.raises(Conflict, match="already waits for @spo"):
        run(w, "ann", "project set APOLLO phase Closing")
    # Only the approver decides.
    with pytest.raises(PermissionDenied, match="Only @spo approves"):
        run(w, "lead", "project gate APOLLO approve")
    res = run(w, "spo", "project gate APOLLO approve")
    assert res.event == "approved"
    assert w.session.scalar(select(Project.phase).where(Project.key == "APOLLO")) == "Executing"
    gate = w.session.scalar(select(StageGate).where(StageGate.phase == "Executing"))
    assert gate is not None and gate.state == GateState.APPROVED and gate.decided_at == NOW
    told = w.session.scalar(select(Notification).where(Notification.rule == "gate_decision"))
    assert told is not None and w.session.get(Person, told.recipient_id).handle == "ann"  # type: ignore[union-attr]
    moves = w.session.execute(
        select(AuditEvent.actor_id, AuditEvent.before, AuditEvent.after).where(
            AuditEvent.entity_type == "project", AuditEvent.action == "phase"
        )
    ).all()
    assert [(b, a) for _, b, a in moves] == [({"phase": None}, {"phase": "Executing"})]
    assert moves[0][0] == w.person("spo").id
    # A rejection needs a reason and leaves the phase alone.
    run(w, "ann", "project gate APOLLO Closing @spo")
    run(w, "ann", "project set APOLLO phase Closing")
    assert run(w, "spo", "project gate APOLLO reject").request.form.id == "gate_reject"
    res = run(w, "spo", 'project gate APOLLO reject "Acceptance tests first"')
    assert res.event == "rejected"
    assert w.session.scalar(select(Project.phase).where(Project.key == "APOLLO")) == "Executing"
    # A phase without an approver: the PM moves it at once.
    assert run(w, "ann", "project set APOLLO phase Planning").event == "changed"
