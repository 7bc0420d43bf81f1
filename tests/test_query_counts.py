"""List queries use a bounded number of SQL statements, whatever the number of rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from sqlalchemy import Engine, event, insert

from models import (
    ActionItem,
    ActionStatus,
    Deliverable,
    DeliverableStatus,
    ProjectRole,
    SourceKind,
)
from services.projects import members as project_members
from services.projects import register as projects
from services.work import action_items, deliverables
from tests.conftest import NOW, World


@contextmanager
def count_statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def before(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def seed(world: World, n_items: int) -> None:
    lead = world.actor("lead")
    owners = [world.person(f"p{i}") for i in range(20)]
    keys = [f"PRJ{i}" for i in range(10)]
    for k in keys:
        view = projects.create(world.session, lead, key=k, name=f"Project {k}", now=NOW)
        for o in owners[:5]:
            project_members.add_member(
                world.session, lead, key=k, person=o, role=ProjectRole.MEMBER, now=NOW
            )
        world.session.execute(
            insert(Deliverable),
            [
                dict(
                    workspace_id=world.ws.id,
                    project_id=view.id,
                    title=f"D{j}",
                    owner_id=owners[j % 20].id,
                    baseline_on=date(2026, 11, 1) + timedelta(days=j),
                    forecast_on=date(2026, 11, 1) + timedelta(days=j),
                    status=DeliverableStatus.PLANNED,
                    created_at=NOW,
                )
                for j in range(n_items // 10)
            ],
        )
    world.session.execute(
        insert(ActionItem),
        [
            dict(
                workspace_id=world.ws.id,
                project_id=None if i % 11 == 0 else i % 10 + 1,
                title=f"Item {i}",
                notes="",
                owner_id=owners[i % 20].id if i % 3 else world.person("lead").id,
                created_by_id=world.person("lead").id,
                due_on=date(2026, 10, 1) + timedelta(days=i % 90),
                status=ActionStatus.OPEN,
                source_kind=SourceKind.COMMAND,
                created_at=NOW,
                updated_at=NOW,
            )
            for i in range(n_items)
        ],
    )
    world.session.flush()


def test_list_statement_counts_do_not_grow_with_rows(world: World, engine: Engine) -> None:
    seed(world, 1000)
    s, lead, member = world.session, world.actor("lead"), world.actor("p1")
    calls = {
        "overdue (lead)": lambda: action_items.list_overdue(s, lead, now=NOW),
        "overdue (member)": lambda: action_items.list_overdue(s, member, now=NOW),
        "mine": lambda: action_items.list_mine(s, member),
        "project": lambda: action_items.list_project(s, lead, key="PRJ3"),
        "projects": lambda: projects.list_projects(s, lead, now=NOW),
        "project show": lambda: projects.show(s, lead, key="PRJ3", now=NOW),
        "deliverables": lambda: deliverables.list_for_project(s, lead, key="PRJ3"),
    }
    limits = {"overdue (lead)": 2, "overdue (member)": 2, "mine": 2, "project": 3,
              "projects": 4, "project show": 4, "deliverables": 2}  # fmt: skip
    for name, call in calls.items():
        with count_statements(engine) as seen:
            result = call()
        assert len(seen) <= limits[name], f"{name}: {len(seen)} statements\n" + "\n".join(seen)
        assert result, f"{name} returned nothing; the seed is wrong"
    overdue = action_items.list_overdue(s, lead, now=NOW)
    assert overdue.total > 500 and len(overdue.items) == 50
