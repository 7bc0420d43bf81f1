"""Inbound event ids are recorded once per (platform, team, event)."""

from __future__ import annotations

from datetime import timedelta

from services.outbox.inbound import first_sight, forget_older_than
from tests.conftest import NOW


def test_first_sight_is_true_once_per_team_and_event(session) -> None:  # type: ignore[no-untyped-def]
    seen = [
        first_sight(session, platform="slack", team_id=t, event_id=e, now=NOW)
        for t, e in [("T1", "E1"), ("T1", "E1"), ("T2", "E1"), ("T1", "E2"), ("T1", "E1")]
    ]
    assert seen == [True, False, True, True, False]


def test_old_event_ids_are_forgotten(session) -> None:  # type: ignore[no-untyped-def]
    first_sight(
        session, platform="slack", team_id="T1", event_id="old", now=NOW - timedelta(days=8)
    )
    first_sight(session, platform="slack", team_id="T1", event_id="new", now=NOW)
    assert forget_older_than(session, now=NOW) == 1
    assert first_sight(session, platform="slack", team_id="T1", event_id="new", now=NOW) is False
