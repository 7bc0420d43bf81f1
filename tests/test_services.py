"""Projects, action items, deliverables, roles and permissions, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from models import (
    ActionItem,
    ActionStatus,
    AuditEvent,
    Deliverable,
    Membership,
    Project,
    ProjectRole,
    WorkspaceRoleName,
)
from services.commands.execute import run_text
from services.commands.results import (
    ActionListResult,
    ActionResult,
    DeliverableListResult,
    ProjectListResult,
    ProjectResult,
)
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.projects import register as projects
from services.work import action_items
from tests.conftest import NOW, World


def run(world: World, who: str, text: str, now: datetime = NOW):  # type: ignore[no-untyped-def]
    return run_text(world.session, world.actor(who), text, now=now)


EARLIER = NOW - timedelta(days=30)  # when work now overdue was planned (a due date can't be past)


def audit_count(world: World, entity_type: str | None = None) -> int:
    q = select(func.count(AuditEvent.id)).where(AuditEvent.workspace_id == world.ws.id)
    if entity_type:
        q = q.where(AuditEvent.entity_type == entity_type)
    return world.session.scalar(q) or 0


def test_first_person_is_admin_and_pmo_lead_others_are_not(world: World) -> None:
    lead, bob = world.actor("lead"), world.actor("bob")
    assert lead.is_admin and lead.is_pmo_lead
    assert not bob.is_admin and not bob.is_pmo_lead


def test_admin_grants_and_revokes_roles_and_non_admins_cannot(world: World) -> None:
    world.person("bob")
    world.person("carol")
    with pytest.raises(PermissionDenied):
        run(world, "bob", "admin grant @carol pmo_lead")
    run(world, "lead", "admin grant @bob pmo_lead")
    assert world.actor("bob").is_pmo_lead
    run(world, "lead", "admin revoke @bob pmo_lead")
    assert not world.actor("bob").is_pmo_lead
    with pytest.raises(Conflict, match="no admin"):
        run(world, "lead", "admin revoke @lead admin")
    assert audit_count(world, "workspace_role") == 4  # 2 bootstrap grants + grant + revoke


def test_creator_is_pm_unless_another_is_named(world: World) -> None:
    world.person("bob")
    world.person("maria")
    res = run(world, "bob", 'project new APOLLO "Moon portal"')
    assert isinstance(res, ProjectResult) and res.project.pm is not None
    assert res.project.pm.handle == "bob"
    res = run(world, "lead", 'project new HERMES "CRM" @maria')
    assert res.project.pm.handle == "maria"
    roles = {m.person.handle: m.role for m in res.project.members}
    assert roles == {"maria": ProjectRole.PM, "lead": ProjectRole.PMO_LEAD}
    entry = world.session.scalar(
        select(AuditEvent).where(AuditEvent.entity_type == "project", AuditEvent.action == "create")
    )
    assert entry is not None and entry.after is not None and entry.after["key"] == "APOLLO"


def test_duplicate_key_and_bad_key_are_refused_without_writes(world: World) -> None:
    run(world, "lead", 'project new APOLLO "One"')
    with pytest.raises(Conflict, match="already exists"):
        run(world, "lead", 'project new apollo "Two"')
    with pytest.raises(InvalidInput):
        run(world, "lead", 'project new X "Too short"')
    assert world.session.scalar(select(func.count(Project.id))) == 1


def test_unknown_project_suggests_the_close_key(world: World) -> None:
    run(world, "lead", 'project new APOLLO "One"')
    with pytest.raises(NotFound) as err:
        run(world, "lead", "project show APOLO")
    assert err.value.hint == "Did you mean APOLLO?"


def test_private_project_is_invisible_to_non_members(world: World) -> None:
    world.person("outsider")
    world.person("insider")
    run(world, "lead", 'project new ZEUS "Secret" private')
    run(world, "lead", "project add ZEUS @insider member")
    run(world, "lead", 'action add ZEUS "Map contracts" @insider due:friday')
    listed = run(world, "outsider", "project list")
    assert isinstance(listed, ProjectListResult) and listed.projects == []
    with pytest.raises(NotFound) as err:
        run(world, "outsider", "project show ZEUS")
    assert "ZEUS" not in (err.value.hint or "")  # no did-you-mean leak either
    with pytest.raises(NotFound):
        run(world, "outsider", "action show 1")
    assert [p.key for p in run(world, "insider", "project list").projects] == ["ZEUS"]


def test_private_project_items_only_for_its_members(world: World) -> None:
    world.person("insider")
    world.person("outsider")
    run(world, "lead", 'project new ZEUS "Secret" private')
    with pytest.raises(InvalidInput, match="not a member"):
        run(world, "lead", 'action add ZEUS "Leak" @outsider')
    assert world.session.scalar(select(func.count(ActionItem.id))) == 0


def test_only_pm_or_pmo_lead_changes_members_and_deliverables(world: World) -> None:
    for h in ("pm", "member", "viewer"):
        world.person(h)
    run(world, "lead", 'project new APOLLO "Portal" @pm')
    run(world, "pm", "project add APOLLO @member member")
    run(world, "pm", "project add APOLLO @viewer viewer")
    with pytest.raises(PermissionDenied):
        run(world, "member", "project add APOLLO @viewer member")
    with pytest.raises(PermissionDenied):
        run(world, "member", 'deliverable add APOLLO "Beta" due:2026-12-10')
    d = run(world, "pm", 'deliverable add APOLLO "Beta" @member due:2026-12-10')
    assert d.deliverable.baseline_on == d.deliverable.forecast_on == date(2026, 12, 10)
    with pytest.raises(PermissionDenied):
        run(world, "member", f"deliverable forecast {d.deliverable.id} 2026-12-20")
    moved = run(world, "lead", f"deliverable forecast {d.deliverable.id} 2026-12-20")
    assert moved.deliverable.slip_days == 10
    assert moved.deliverable.baseline_on == date(2026, 12, 10)


def test_viewers_read_but_cannot_add_items(world: World) -> None:
    world.person("viewer")
    run(world, "lead", 'project new APOLLO "Portal"')
    run(world, "lead", "project add APOLLO @viewer viewer")
    assert isinstance(run(world, "viewer", "action list APOLLO"), ActionListResult)
    with pytest.raises(PermissionDenied, match="Only members"):
        run(world, "viewer", 'action add APOLLO "Something"')


def test_project_always_keeps_a_pm(world: World) -> None:
    world.person("pm")
    world.person("pm2")
    run(world, "lead", 'project new APOLLO "Portal" @pm')
    with pytest.raises(Conflict, match="no PM"):
        run(world, "lead", "project remove APOLLO @pm")
    with pytest.raises(Conflict, match="no PM"):
        run(world, "lead", "project add APOLLO @pm member")
    run(world, "lead", "project add APOLLO @pm2 pm")
    res = run(world, "lead", "project remove APOLLO @pm")
    assert [m.person.handle for m in res.project.members if m.role == ProjectRole.PM] == ["pm2"]


def test_project_set_and_close(world: World) -> None:
    run(world, "lead", 'project new APOLLO "Portal"')
    res = run(world, "lead", "project set APOLLO target 2027-03-31")
    assert res.project.target_on == date(2027, 3, 31)
    res = run(world, "lead", "project set APOLLO phase executing")  # no gate: at once
    assert res.card.line.project.phase == "Executing"
    with pytest.raises(InvalidInput, match="not one of this workspace's phases"):
        run(world, "lead", "project set APOLLO phase Delivery")
    with pytest.raises(InvalidInput, match="not a project field"):
        run(world, "lead", "project set APOLLO colour blue")
    res = run(world, "lead", "project close APOLLO")
    assert res.project.state.value == "closed"
    with pytest.raises(Conflict, match="closed"):
        run(world, "lead", 'action add APOLLO "Late idea"')
    assert run(world, "lead", "project list").projects == []
    assert len(run(world, "lead", "project list all").projects) == 1


def test_action_item_lifecycle_with_audit(world: World) -> None:
    world.person("bob")
    world.person("carol")
    run(world, "lead", 'project new APOLLO "Portal"')
    run(world, "lead", "project add APOLLO @bob member")
    run(world, "lead", "project add APOLLO @carol member")
    res = run(world, "bob", 'action add APOLLO "Send the plan" @carol due:friday')
    assert isinstance(res, ActionResult)
    item = res.item
    assert (item.owner.handle, item.project_key, item.due_on) == (
        "carol",
        "APOLLO",
        date(2026, 11, 27),
    )
    assert run(world, "carol", f"action snooze {item.id} next mon").item.snoozed_until == date(
        2026, 11, 30
    )
    assert run(world, "carol", f"action assign {item.id} @bob").item.owner.handle == "bob"
    assert run(world, "bob", f"action done {item.id}").item.status == ActionStatus.DONE
    with pytest.raises(Conflict, match="already done"):
        run(world, "bob", f"action done {item.id}")
    assert run(world, "bob", f"action reopen {item.id}").item.status == ActionStatus.OPEN
    assert run(world, "bob", f"action cancel {item.id}").item.status == ActionStatus.CANCELLED
    actions = world.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity_type == "action_item")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["create", "snooze", "assign", "complete", "reopen", "cancel"]
    assign = world.session.scalar(select(AuditEvent).where(AuditEvent.action == "assign"))
    assert assign is not None and assign.before is not None and assign.after is not None
    assert assign.before["owner_id"] == world.person("carol").id
    assert assign.after["owner_id"] == world.person("bob").id


def test_who_may_change_an_action_item(world: World) -> None:
    for h in ("pm", "owner", "creator", "other"):
        world.person(h)
    run(world, "lead", 'project new APOLLO "Portal" @pm')
    for h in ("owner", "creator", "other"):
        run(world, "pm", f"project add APOLLO @{h} member")
    ids = [run(world, "creator", f'action add APOLLO "Item {i}" @owner').item.id for i in range(5)]
    with pytest.raises(PermissionDenied):
        run(world, "other", f"action done {ids[0]}")
    for who_, item_id in zip(("owner", "creator", "pm", "lead"), ids, strict=False):
        assert run(world, who_, f"action done {item_id}").item.status == ActionStatus.DONE


def test_lists_mine_project_and_overdue_respect_visibility(world: World) -> None:
    for h in ("bob", "carol", "dan"):
        world.person(h)
    run(world, "lead", 'project new APOLLO "Portal"')
    run(world, "lead", 'project new ZEUS "Secret" private')
    for h in ("bob", "carol"):
        run(world, "lead", f"project add APOLLO @{h} member")
    run(world, "lead", "project add ZEUS @bob member")
    run(world, "lead", 'action add APOLLO "Late one" @bob due:2026-11-20', EARLIER)
    run(world, "lead", 'action add APOLLO "Later one" @carol due:2026-11-30')
    run(world, "lead", 'action add ZEUS "Secret late" @bob due:2026-11-19', EARLIER)
    run(world, "dan", 'action add "Dan private todo" due:2026-11-01', EARLIER)

    mine = run(world, "bob", "action list mine")
    assert [i.title for i in mine.page.items] == ["Secret late", "Late one"]
    overdue_lead = run(world, "lead", "action list overdue")
    # The PMO lead sees the whole visible portfolio (ZEUS: they are its PM), and items with
    # no project.
    assert [i.title for i in overdue_lead.page.items] == [
        "Dan private todo",
        "Secret late",
        "Late one",
    ]
    overdue_carol = run(world, "carol", "overdue")
    assert [i.title for i in overdue_carol.page.items] == ["Late one"]
    overdue_bob = run(world, "bob", "overdue")
    assert [i.title for i in overdue_bob.page.items] == ["Secret late", "Late one"]
    assert run(world, "dan", "overdue").page.total == 1
    assert [i.title for i in run(world, "carol", "action list APOLLO").page.items] == [
        "Late one",
        "Later one",
    ]


def test_list_pages_report_the_total(world: World) -> None:
    for i in range(7):
        action_items.add(
            world.session,
            world.actor("lead"),
            title=f"Item {i}",
            owner=world.person("lead"),
            due_on=date(2026, 11, 1) + timedelta(days=i),
            now=NOW,
        )
    page = action_items.list_mine(world.session, world.actor("lead"), limit=5)
    assert len(page.items) == 5 and page.total == 7 and page.more == 2


def test_overdue_uses_the_actors_own_today(world: World) -> None:
    # At 12:00 UTC on Mon 23 Nov it is already Tue 24 Nov in Kiritimati (UTC+14).
    world.person("kiri", tz="Pacific/Kiritimati")
    run(world, "kiri", 'action add "Due Monday" due:2026-11-23', EARLIER)
    assert run(world, "kiri", "overdue").page.total == 1
    assert run(world, "lead", "overdue").page.total == 0


def test_deliverable_list_and_done(world: World) -> None:
    run(world, "lead", 'project new APOLLO "Portal"')
    a = run(world, "lead", 'deliverable add APOLLO "Beta" due:2026-11-20', EARLIER).deliverable
    run(world, "lead", 'deliverable add APOLLO "Launch" due:2027-01-15')
    listed = run(world, "lead", "deliverable list APOLLO")
    assert isinstance(listed, DeliverableListResult)
    assert [d.title for d in listed.deliverables] == ["Beta", "Launch"]
    assert listed.deliverables[0].is_late(listed.today)
    done = run(world, "lead", f"deliverable done {a.id}")
    assert done.deliverable.status.value == "done" and done.deliverable.done_at == NOW
    shown = run(world, "lead", "project show APOLLO")
    assert (shown.project.open_deliverables, shown.project.late_deliverables) == (1, 0)


def test_workspaces_are_isolated(session) -> None:  # type: ignore[no-untyped-def]
    a, b = World(session, ext="A"), World(session, ext="B")
    a.person("alice")
    b.person("bob")
    run(a, "alice", 'project new APOLLO "A portal"')
    run(a, "alice", 'action add APOLLO "A item"')
    run(b, "bob", 'project new APOLLO "B portal"')  # same key, other workspace: fine
    assert [p.name for p in run(b, "bob", "project list").projects] == ["B portal"]
    with pytest.raises(NotFound):
        run(b, "bob", "action done 1")
    with pytest.raises(NotFound, match="no one called @alice"):
        run(b, "bob", "admin grant @alice pmo_lead")
    assert run(b, "bob", "overdue").page.total == 0


def test_membership_rows_are_scoped_to_the_workspace(world: World) -> None:
    world.person("bob")
    view = projects.create(world.session, world.actor("lead"), key="APOLLO", name="P", now=NOW)
    rows = world.session.scalars(select(Membership).where(Membership.project_id == view.id)).all()
    assert {r.workspace_id for r in rows} == {world.ws.id}


def test_workspace_roles_listed(world: World) -> None:
    res = run(world, "bob", "admin roles")
    assert {(p.handle, r) for p, r in res.roles} == {
        ("lead", WorkspaceRoleName.ADMIN),
        ("lead", WorkspaceRoleName.PMO_LEAD),
    }


def test_failed_command_writes_nothing(sessions) -> None:  # type: ignore[no-untyped-def]
    """The edge owns the transaction: a command that fails midway leaves no trace."""
    from bot.db import session_scope

    with session_scope(sessions) as s:
        w = World(s)
        w.person("lead")
        run(w, "lead", 'project new APOLLO "Portal"')
    before = {}
    with session_scope(sessions) as s:
        for model in (ActionItem, Deliverable, AuditEvent, Project):
            before[model] = s.scalar(select(func.count()).select_from(model))
    for bad in (
        'action add APOLLO "Valid title" @lead due:frobday',
        'deliverable add APOLLO "Beta" @nobody due:friday',
        'project new HERMES "CRM" @ghost',
    ):
        with pytest.raises((InvalidInput, NotFound)), session_scope(sessions) as s:
            w = World(s)
            run(w, "lead", bad)
    with session_scope(sessions) as s:
        after = {m: s.scalar(select(func.count()).select_from(m)) for m in before}
    assert after == before


def test_teams_style_mentions_resolve_by_display_name(world: World) -> None:
    from services.core.people import Mention, resolve_mention

    maria = world.person("maria")  # display name "Maria"
    found = resolve_mention(
        world.session, workspace_id=world.ws.id, mention=Mention(display_name="maria")
    )
    assert found.id == maria.id
    res = run(world, "lead", 'action add "Book the room" <at>Maria</at>')
    assert res.item.owner.handle == "maria"


def test_someone_removed_from_a_private_project_stops_seeing_its_items(world: World) -> None:
    world.person("bob")
    run(world, "lead", 'project new ZEUS "Secret" private')
    run(world, "lead", "project add ZEUS @bob member")
    item = run(world, "lead", 'action add ZEUS "Call lawyers" @bob').item
    assert run(world, "bob", "action list mine").page.total == 1
    run(world, "lead", "project remove ZEUS @bob")
    with pytest.raises(NotFound):
        run(world, "bob", f"action show {item.id}")
    with pytest.raises(NotFound):
        run(world, "bob", f"action done {item.id}")
    assert run(world, "bob", "action list mine").page.total == 0


def test_leave_is_recorded_merged_shown_and_cancelled(world: World) -> None:
    from services.commands.results import LeaveResult

    res = run(world, "lead", "leave 2026-12-21 to 2027-01-02")
    assert isinstance(res, LeaveResult) and res.periods == [(date(2026, 12, 21), date(2027, 1, 2))]
    res = run(world, "lead", "leave 2027-01-02 - 2027-01-05")  # overlapping: merged
    assert res.periods == [(date(2026, 12, 21), date(2027, 1, 5))]
    assert run(world, "lead", "leave").periods == res.periods
    with pytest.raises(InvalidInput, match="ends before it starts"):
        run(world, "lead", "leave 2026-12-10 to 2026-12-01")
    with pytest.raises(InvalidInput, match="already over"):
        run(world, "lead", "leave 2026-11-01 to 2026-11-05")
    assert run(world, "lead", "leave cancel").periods == []
    with pytest.raises(NotFound):
        run(world, "lead", "leave cancel")
    assert audit_count(world, "leave") == 4  # two records (one merged away) + cancel


def test_cancelling_leave_in_progress_ends_it_yesterday(world: World) -> None:
    from models import LeavePeriod

    run(world, "lead", "leave 2026-11-20 to 2026-11-30")
    run(world, "lead", "leave cancel")
    lp = world.session.scalar(select(LeavePeriod))
    assert lp is not None and (lp.start_on, lp.end_on) == (date(2026, 11, 20), date(2026, 11, 22))
