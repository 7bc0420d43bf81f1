"""`pmo-bot demo` starts over whatever the local workspace holds by now: minutes, meetings,
status rounds, calendar links, leave, people added by hand, a moved local clock."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.main import main
from models import Base, Workspace


def test_demo_resets_any_state(db_url: str, sessions: sessionmaker[Session], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", db_url)
    for var in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID"):
        monkeypatch.delenv(var, raising=False)
    runner = CliRunner()

    def pmo(*args: str) -> str:
        out = runner.invoke(main, list(args), catch_exceptions=False)
        assert out.exit_code == 0, (args, out.output)
        return out.output

    pmo("demo", "--no-console")
    for command in (
        'minutes start APOLLO "Launch sync"',
        "minutes note Beta slips a week",
        "minutes action @maria due:fri Tell the customer",
        "minutes end",
        'meeting new APOLLO "Weekly sync" weekly on tue 10:00',
        'status ZEUS red "Supplier contracts unsigned"',
        "ics",
        "leave 2027-01-04 to 2027-01-08",
        'person add @ines "Inês Duarte" tz:Europe/Lisbon',
        "clock +2d",
    ):
        pmo("console", "--as", "pat", "-c", command)
    with sessions() as s:
        filled = {
            t.name: s.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables
        }
    assert all(filled[t] for t in ("minutes", "minutes_entry", "meeting_series", "status_update",
                                   "calendar_token", "leave_period", "notification"))  # fmt: skip
    assert "ahead of the real time" in pmo("console", "-c", "clock")

    again = pmo("demo", "--no-console")
    assert "Sample portfolio ready" in again
    assert "(6)" in pmo("console", "--as", "pat", "-c", "overdue")
    assert "No minutes yet." in pmo("console", "--as", "pat", "-c", "minutes list")
    assert "ahead" not in pmo("console", "-c", "clock")  # back on the real clock
    assert "@ines" not in pmo("console", "-c", "people")
    raid = pmo("console", "--as", "pat", "-c", "raid all")  # the sample RAID log, scored
    assert "open RAID log (5)" in raid and "4×4=16 RED" in raid
    with sessions() as s:
        assert s.scalar(select(func.count(Workspace.id))) == 1
