"""The registers read in a bounded number of statements, whatever the number of rows: the RACI
chart, the project register, document and dependency lists, and a reminder sweep that routes
every deliverable by its RACI."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, insert, select

from models import (
    Deliverable,
    DeliverableStatus,
    Dependency,
    DependencySide,
    DependencyState,
    Document,
    DocumentReview,
    DocumentVersion,
    Project,
    RaciAssignment,
    RaciLetter,
    ReviewDecision,
    VersionState,
)
from services.dependencies import agreements, watch
from services.documents import library
from services.projects import portfolio
from services.projects import register as projects
from services.raci import matrix
from services.work import reminders
from tests.conftest import NOW, World
from tests.test_query_counts import count_statements


def seed(world: World, per_project: int) -> None:
    lead = world.actor("lead")
    people = [world.person(f"p{i}") for i in range(12)]
    ids = [
        projects.create(world.session, lead, key=f"PRJ{i}", name=f"P{i}", now=NOW).id
        for i in range(10)
    ]
    s = world.session
    for n, pid in enumerate(ids):
        start = s.scalar(select(Deliverable.id).order_by(Deliverable.id.desc())) or 0
        s.execute(
            insert(Deliverable),
            [
                dict(workspace_id=world.ws.id, project_id=pid, title=f"D{j}",
                     owner_id=people[j % 12].id, baseline_on=date(2026, 11, 2) + timedelta(days=j % 30),
                     forecast_on=date(2026, 11, 2) + timedelta(days=j % 30),
                     status=DeliverableStatus.PLANNED, created_at=NOW)
                for j in range(per_project)
            ],
        )  # fmt: skip
        rows = [dict(workspace_id=world.ws.id, project_id=pid, deliverable_id=None,
                     person_id=people[0].id, letter=RaciLetter.ACCOUNTABLE, created_at=NOW)]  # fmt: skip
        for j in range(per_project):
            d_id = start + j + 1
            rows += [
                dict(workspace_id=world.ws.id, project_id=pid, deliverable_id=d_id,
                     person_id=people[(j + k) % 12].id, letter=letter, created_at=NOW)
                for k, letter in enumerate((RaciLetter.RESPONSIBLE, RaciLetter.CONSULTED, RaciLetter.INFORMED))
            ]  # fmt: skip
        s.execute(insert(RaciAssignment), rows)
        for j in range(per_project // 10):
            doc = Document(workspace_id=world.ws.id, project_id=pid, title=f"Doc {j}",
                           owner_id=people[1].id, created_at=NOW, updated_at=NOW)  # fmt: skip
            s.add(doc)
            s.flush()
            for v in range(2):
                ver = DocumentVersion(workspace_id=world.ws.id, document_id=doc.id, number=f"1.{v}",
                                      url="https://x.example/d", note="",
                                      state=VersionState.SUPERSEDED if v == 0 else VersionState.IN_REVIEW,
                                      created_at=NOW)  # fmt: skip
                s.add(ver)
                s.flush()
                s.add_all(
                    DocumentReview(workspace_id=world.ws.id, version_id=ver.id, approver_id=people[k].id,
                                   asked_at=NOW, due_on=date(2026, 11, 26), comment="",
                                   decision=ReviewDecision.PENDING)
                    for k in (2, 3)
                )  # fmt: skip
        if n:
            s.add_all(
                Dependency(workspace_id=world.ws.id, downstream_project_id=pid, upstream_project_id=ids[0],
                           upstream_deliverable_id=start + j + 1, what=f"thing {n}.{j}",
                           needed_by=date(2026, 12, 1), state=DependencyState.ACCEPTED,
                           awaiting=None if j % 2 else DependencySide.UPSTREAM, round=1, reason="",
                           risk_keys="slip:2026-12-02", risk="late", alerts=1, created_at=NOW,
                           updated_at=NOW)
                for j in range(per_project // 20)
            )  # fmt: skip
    s.flush()


def test_register_reads_do_not_grow_with_rows(world: World, engine: Engine) -> None:
    seed(world, 100)
    s, lead, ws_id = world.session, world.actor("lead"), world.ws.id
    today = NOW.date()
    calls = {
        "raci chart": (lambda: matrix.matrix(s, lead, key="PRJ3", today=today), 7),
        "raci card": (lambda: matrix.card(s, lead, key="PRJ3", deliverable_id=350, today=today), 6),
        "register": (lambda: portfolio.build(s, lead, now=NOW, today=today), 10),
        "register entry": (lambda: portfolio.entry(s, lead, key="PRJ3", now=NOW, today=today), 11),
        "documents": (lambda: library.list_for(s, lead, key="PRJ3"), 7),
        "dependencies": (lambda: agreements.listed(s, lead, key="PRJ0"), 5),
        "at risk": (lambda: watch.at_risk(s, ws_id), 4),
    }
    for name, (call, limit) in calls.items():
        s.expire_all()
        with count_statements(engine) as seen:
            result = call()
        assert len(seen) <= limit, f"{name}: {len(seen)} statements\n" + "\n".join(seen)
        assert result, f"{name} returned nothing; the seed is wrong"
    chart = matrix.matrix(s, lead, key="PRJ3", today=today)
    assert len(chart.deliverables) == 100 and len(chart.people) == 12
    assert len(library.list_for(s, lead, key="PRJ3")) == 10
    assert len(agreements.listed(s, lead, key="PRJ0")[1]) == 45


def test_a_reminder_sweep_routes_by_raci_in_bounded_statements(
    world: World, engine: Engine
) -> None:
    seed(world, 20)
    when = datetime(2026, 11, 24, 10, tzinfo=UTC)
    with count_statements(engine) as small:
        few = reminders.plan(world.session, now=when)
    seed_more = world.session.scalar(select(Project.id).where(Project.key == "PRJ9"))
    assert seed_more is not None
    world.session.execute(
        insert(Deliverable),
        [
            dict(workspace_id=world.ws.id, project_id=seed_more, title=f"More {j}",
                 owner_id=world.person("p5").id,
                 baseline_on=date(2026, 11, 3), forecast_on=date(2026, 11, 3),
                 status=DeliverableStatus.PLANNED, created_at=NOW)
            for j in range(300)
        ],
    )  # fmt: skip
    with count_statements(engine) as big:
        many = reminders.plan(world.session, now=when)
    assert len(big) == len(small), "\n".join(big)
    assert len(many) > len(few)
    # The new deliverables have no RACI of their own: their owner is chased, and they escalate
    # to PRJ9's default Accountable (@p0), not its PM (@lead).
    extra = {
        r.item_id: r
        for r in many
        if r.subject_type == "deliverable" and r.payload["title"].startswith("More")
    }
    assert len({i for i in extra}) == 300
    escalated = {(r.rule.value, r.recipient.handle) for r in many if r.item_id in extra}
    assert ("escalate_accountable", "p0") in escalated and ("overdue", "p5") in escalated
