"""Minutes and feeds at the service level: a start race has one winner and a helpful
refusal; reading minutes and building a feed take a bounded number of SQL statements."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select

from models import ActionItem, ActionStatus, EntryKind, Minutes, MinutesEntry, SourceKind
from services.core.access import actor_for
from services.core.errors import Conflict
from services.meetings import feeds, minutes
from services.meetings import views as minutes_views
from services.projects import register as projects
from tests.conftest import NOW, World
from tests.test_query_counts import count_statements


def test_two_starts_at_once_in_one_channel_have_one_winner(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as s:
        world = World(s)
        world.person("ana")
        world.person("ben")
        ws_id = world.ws.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def start(handle: str) -> None:
        with sessions() as s:
            from models import Person

            person = s.scalar(select(Person).where(Person.workspace_id == ws_id,
                                                   Person.handle == handle))  # fmt: skip
            assert person is not None
            actor = actor_for(s, person)
            barrier.wait()
            try:
                minutes.start(s, actor, channel="C9", now=NOW, title=f"by {handle}")
                s.commit()
                outcomes.append("started")
            except Conflict as err:
                s.rollback()
                outcomes.append("refused: " + err.message)

    threads = [threading.Thread(target=start, args=(h,)) for h in ("ana", "ben")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(o.split(":")[0] for o in outcomes) == ["refused", "started"], outcomes
    refusal = next(o for o in outcomes if o.startswith("refused"))
    assert "already open in this channel" in refusal
    with sessions() as s:
        assert len(s.scalars(select(Minutes)).all()) == 1


@pytest.mark.parametrize("n", [5, 200])
def test_reading_minutes_and_building_a_feed_take_bounded_statements(
    world: World, engine, n: int
) -> None:  # type: ignore[no-untyped-def]
    s = world.session
    lead = world.actor("lead")
    projects.create(s, lead, key="APOLLO", name="Apollo", now=NOW)
    v = minutes.start(s, lead, channel="C1", key="APOLLO", now=NOW)
    owners = [world.person(f"p{i}") for i in range(10)]
    s.execute(insert(MinutesEntry), [
        {"minutes_id": v.id, "kind": EntryKind.NOTE if i % 2 else EntryKind.DECISION,
         "text": f"entry {i}", "author_id": owners[i % 10].id, "created_at": NOW}
        for i in range(n)
    ])  # fmt: skip
    pid = s.scalar(select(Minutes.project_id))
    s.execute(insert(ActionItem), [
        {"workspace_id": world.ws.id, "project_id": pid,
         "title": f"item {i}", "notes": "", "owner_id": owners[i % 10].id,
         "created_by_id": lead.person_id, "due_on": date(2026, 12, 1) + timedelta(days=i % 30),
         "status": ActionStatus.OPEN, "source_kind": SourceKind.MINUTES, "minutes_id": v.id,
         "created_at": NOW, "updated_at": NOW}
        for i in range(n)
    ])  # fmt: skip
    link = feeds.link(s, lead, now=NOW, key="APOLLO")
    s.flush()
    with count_statements(engine) as seen:
        full = minutes_views.view(s, v.id)
    assert len(full.notes) + len(full.decisions) == n and len(full.actions) == n
    assert len(seen) <= 5, seen
    with count_statements(engine) as seen:
        body = feeds.render(s, link.token, now=NOW)
    assert body is not None and body.count(b"BEGIN:VEVENT") == n
    assert len(seen) <= 7, seen
