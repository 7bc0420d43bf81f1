"""Workspace holidays from iCalendar: imported all-or-nothing, honoured by reminders."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import Holiday
from services.core import holidays
from services.core.errors import InvalidInput
from services.work import action_items
from tests.conftest import NOW, World
from tests.test_reminders import at, sweep

GOOGLE_STYLE = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Google Inc//Google Calendar 70.9054//EN
X-WR-CALNAME:Acme holidays
X-WR-TIMEZONE:Europe/London
BEGIN:VEVENT
UID:xmas@acme
DTSTART;VALUE=DATE:20241225
DTEND;VALUE=DATE:20241227
RRULE:FREQ=YEARLY
EXDATE;VALUE=DATE:20271225
SUMMARY:Christmas break
END:VEVENT
BEGIN:VEVENT
UID:company-day@acme
DTSTART;VALUE=DATE:20261207
DTEND;VALUE=DATE:20261208
SUMMARY:Company day
END:VEVENT
END:VCALENDAR
"""


def test_google_style_export_expands_recurring_holidays_with_exceptions(world: World) -> None:
    result = holidays.import_ics(world.session, workspace_id=world.ws.id, data=GOOGLE_STYLE,
                                 today=date(2026, 11, 23))  # fmt: skip
    days = dict(result.days)
    assert days[date(2026, 12, 7)] == "Company day"
    assert days[date(2026, 12, 25)] == days[date(2026, 12, 26)] == "Christmas break"
    # EXDATE removes that year's whole occurrence (both days of the break), per RFC 5545.
    assert date(2027, 12, 25) not in days and date(2027, 12, 26) not in days
    assert date(2028, 12, 25) not in days  # beyond the two-year horizon
    # Importing again adds nothing new.
    again = holidays.import_ics(world.session, workspace_id=world.ws.id, data=GOOGLE_STYLE,
                                today=date(2026, 11, 23))  # fmt: skip
    assert again.added == 0


@pytest.mark.parametrize(
    "data",
    [
        b"not a calendar",
        b"BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n",
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:garbage\nEND:VEVENT\nEND:VCALENDAR\n",
    ],
)
def test_bad_calendars_get_a_clear_error_and_import_nothing(world: World, data: bytes) -> None:
    with pytest.raises(InvalidInput) as err:
        holidays.import_ics(
            world.session, workspace_id=world.ws.id, data=data, today=date(2026, 11, 23)
        )
    assert "Nothing was imported" in (err.value.hint or "")
    assert world.session.scalar(select(func.count(Holiday.id))) == 0


def test_nobody_is_chased_on_a_holiday_and_it_does_not_count_as_a_working_day(world: World) -> None:
    world.person("nyc", tz="America/New_York")
    holidays.import_ics(world.session, workspace_id=world.ws.id, data=GOOGLE_STYLE,
                        today=date(2026, 11, 23))  # fmt: skip
    action_items.add(world.session, world.actor("lead"), title="Due Friday",
                     owner=world.person("nyc"), due_on=date(2026, 12, 4), now=NOW)  # fmt: skip
    assert sweep(world, at(2026, 12, 7, 14)) == []  # Monday: Company day
    assert sweep(world, at(2026, 12, 8, 14)) == [("overdue", "nyc", "2026-12-08")]


def test_heads_up_moves_before_a_holiday(world: World) -> None:
    world.person("nyc", tz="America/New_York")
    holidays.import_ics(world.session, workspace_id=world.ws.id, data=GOOGLE_STYLE,
                        today=date(2026, 11, 23))  # fmt: skip
    action_items.add(world.session, world.actor("lead"), title="Due Tuesday",
                     owner=world.person("nyc"), due_on=date(2026, 12, 8), now=NOW)  # fmt: skip
    # The working day before Tue 8 Dec is Fri 4 Dec (Mon 7 is a holiday).
    assert sweep(world, at(2026, 12, 4, 14)) == [("heads_up", "nyc", "2026-12-08")]


def test_cli_imports_and_lists_and_refuses_bad_files(
    db_url, sessions, monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from bot.cli.main import main

    monkeypatch.setenv("DATABASE_URL", db_url)
    runner = CliRunner()
    assert runner.invoke(main, ["demo", "--no-console"]).exit_code == 0
    good, bad = tmp_path / "h.ics", tmp_path / "bad.ics"
    good.write_bytes(GOOGLE_STYLE)
    bad.write_bytes(b"BEGIN:VCALENDAR\nnonsense")
    out = runner.invoke(main, ["holidays", "import", str(bad)])
    assert out.exit_code == 1 and "Nothing was imported" in out.output
    out = runner.invoke(main, ["holidays", "import", str(good)])
    assert out.exit_code == 0 and "Imported" in out.output
    listing = runner.invoke(main, ["holidays", "list"])
    assert "Company day" in listing.output or "Christmas break" in listing.output
