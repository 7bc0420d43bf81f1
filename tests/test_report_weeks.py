"""A report week far from today is a clear refusal, not an internal error (issue 15, part 1:
`report 9999-W52` overflowed the calendar and `report 0001-W01` broke the week's own name)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from handlers.console.channel import ConsoleChannel
from tests.conftest import NOW
from tests.test_everyday import bad, ok


@pytest.fixture
def console(sessions: sessionmaker[Session]) -> ConsoleChannel:
    c = ConsoleChannel(sessions, clock=lambda: NOW, echo=lambda _t: None)
    ok(c, "pat", 'project new APOLLO "Portal"')
    return c


@pytest.mark.parametrize("week", ["9999-W52", "0001-W01", "2099-W10", "1999-W05"])
def test_a_week_beyond_the_horizon_is_refused_in_words(console: ConsoleChannel, week: str) -> None:
    text = bad(console, "pat", f"report {week}")  # `bad`: no internal error, nothing saved
    assert "more than 5 years from today" in text and "check the year" in text


def test_weeks_within_the_horizon_still_report(console: ConsoleChannel) -> None:
    assert "2026-W47" in ok(console, "pat", "report 2026-W47")
    assert "2022-W50" in ok(console, "pat", "report 2022-W50")  # four years back: history
