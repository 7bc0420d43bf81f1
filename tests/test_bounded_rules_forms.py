"""(The hardening branch's half of the bounded-rules tests: the console and the form.)
No recurrence rule makes a request run unbounded: a status round or a meeting series that
would repeat more often than daily is refused at once, with the rule's field named, by the
one-line command and by the settings form alike."""

from __future__ import annotations

import time

import pytest
from sqlalchemy.orm import Session, sessionmaker

from handlers.console.channel import ConsoleChannel
from services.core.access import actor_for
from services.core.errors import InvalidInput
from services.status import forms as status_forms
from tests.conftest import NOW
from tests.test_everyday import bad, ok, person

FAST = 5.0  # seconds, generous on a loaded machine: the unbounded version took over a minute

TOO_OFTEN = [
    "FREQ=SECONDLY",
    "FREQ=MINUTELY;INTERVAL=1",
    "FREQ=HOURLY",
    "FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23",
    "FREQ=DAILY;BYHOUR=9;BYMINUTE=0,15,30,45",
    "FREQ=DAILY;BYSECOND=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24",
]


@pytest.fixture
def console(sessions: sessionmaker[Session]) -> ConsoleChannel:
    c = ConsoleChannel(sessions, clock=lambda: NOW, echo=lambda _t: None)
    ok(c, "pat", 'project new APOLLO "Portal"')
    return c


@pytest.mark.parametrize("rule", TOO_OFTEN)
def test_the_one_line_command_refuses_a_round_more_often_than_daily_fast(
    console: ConsoleChannel, rule: str
) -> None:
    started = time.monotonic()
    text = bad(console, "pat", f"status settings APOLLO rrule {rule}")
    assert time.monotonic() - started < FAST
    assert "more often than daily" in text
    assert "FREQ=WEEKLY" in ok(console, "pat", "status settings APOLLO")  # unchanged


@pytest.mark.parametrize("rule", TOO_OFTEN[:3])
def test_the_settings_form_refuses_it_on_its_field_fast(
    console: ConsoleChannel, sessions: sessionmaker[Session], rule: str
) -> None:
    with sessions() as s:
        actor = actor_for(s, person(sessions, "pat"))
        started = time.monotonic()
        with pytest.raises(InvalidInput) as err:
            status_forms.submit_cadence(s, actor, key="APOLLO", values={"rrule": rule, "deadline_days": "1"},
                                        pick=lambda _v: None, now=NOW)  # fmt: skip
        assert time.monotonic() - started < FAST
        s.rollback()
    assert err.value.field == "rrule" and "more often than daily" in str(err.value)


def test_a_meeting_series_more_often_than_daily_is_refused_fast(console: ConsoleChannel) -> None:
    started = time.monotonic()
    text = bad(console, "pat", 'meeting new APOLLO "Sync" FREQ=SECONDLY')
    assert time.monotonic() - started < FAST and "more often than once a day" in text
