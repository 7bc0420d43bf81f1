"""The `pmo-bot` command line and the local console channel."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.main import main

BIN = Path(sys.executable).parent / "pmo-bot"


@pytest.fixture
def cli(db_url: str, sessions, monkeypatch):  # type: ignore[no-untyped-def]
    """Invoke pmo-bot in-process against the test database (emptied after the test)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    for var in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID"):
        monkeypatch.delenv(var, raising=False)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


def test_one_shot_commands_exit_0_on_success_and_1_on_user_error(cli) -> None:  # type: ignore[no-untyped-def]
    ok = cli("console", "--as", "alice", "-c", 'project new APOLLO "Moon portal"')
    assert ok.exit_code == 0, ok.output
    assert "Created project APOLLO" in ok.output and "PM: @alice" in ok.output
    bad = cli("console", "--as", "alice", "-c", "project show APOLO")
    assert bad.exit_code == 1
    assert "There is no project APOLO." in bad.output and "Did you mean APOLLO?" in bad.output
    assert "Traceback" not in bad.output


def test_people_appear_by_name_and_mentions_resolve(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("console", "--as", "alice", "-c", 'project new APOLLO "P"').exit_code == 0
    assert cli("console", "--as", "bob", "-c", "action list").exit_code == 0
    out = cli("console", "--as", "alice", "-c", "project add APOLLO @bob member")
    assert out.exit_code == 0 and "@bob (member)" in out.output
    out = cli("console", "--as", "alice", "-c", 'action add APOLLO "Ship it" @bobb')
    assert out.exit_code == 1 and "Did you mean @bob?" in out.output


def test_demo_then_overdue_for_the_pmo_lead(cli) -> None:  # type: ignore[no-untyped-def]
    out = cli("demo", "--no-console")
    assert out.exit_code == 0 and "You are @pat" in out.output
    out = cli("console", "--as", "pat", "-c", "overdue")
    assert out.exit_code == 0
    assert "Overdue action items across the portfolio (6)" in out.output
    assert "Export legacy CRM contacts sample" in out.output
    # A PM outside the private ZEUS project does not see it.
    out = cli("console", "--as", "raj", "-c", "project list")
    assert "ZEUS" not in out.output and "HERMES" in out.output
    # Running demo again resets rather than duplicating.
    cli("demo", "--no-console")
    out = cli("console", "--as", "pat", "-c", "overdue")
    assert "(6)" in out.output


def test_repl_runs_commands_switches_person_and_ends_on_eof(cli) -> None:  # type: ignore[no-untyped-def]
    script = (
        'project new APOLLO "Portal"\nas bob\nperson add @bob "Bob Marsh"\nas bob\n'
        "action list\n/pmo help action\n"
    )
    out = cli("console", "--as", "alice", input=script)
    assert out.exit_code == 0
    assert "Created project APOLLO" in out.output
    assert "There is no one called @bob here, so you are still @alice." in out.output
    assert "You are now @bob (Bob Marsh, UTC)." in out.output
    assert "You have no open items." in out.output
    assert "action snooze <id> <date>" in out.output


def test_bad_configuration_names_the_variable(cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Mars/Olympus")
    out = CliRunner().invoke(main, ["console", "-c", "project list"])
    assert out.exit_code == 1
    assert "DEFAULT_TIMEZONE" in out.output and "IANA" in out.output


def test_readme_run_command_works_in_an_empty_directory(tmp_path: Path) -> None:
    """`pmo-bot db upgrade && pmo-bot` on a fresh machine: local SQLite, sample data, console."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    up = subprocess.run(
        [str(BIN), "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert up.returncode == 0, up.stderr
    run = subprocess.run(
        [str(BIN)],
        cwd=tmp_path,
        env=env,
        input="project list\nquit\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "Local mode" in run.stdout
    assert "APOLLO" in run.stdout and "Customer portal relaunch" in run.stdout
    assert (tmp_path / "pmo-bot.sqlite3").exists()
    assert "Traceback" not in run.stderr


def test_scheduler_once_sweeps_and_the_outbox_can_be_inspected(cli) -> None:  # type: ignore[no-untyped-def]
    import re

    assert cli("demo", "--no-console").exit_code == 0
    out = cli("scheduler", "--once")
    assert out.exit_code == 0, out.output
    m = re.search(r"Sweep done: materialized (\d+)", out.output)
    # Kemi's item is 9 days overdue in every time zone: its PM and the PMO lead are escalated to.
    assert m and int(m.group(1)) >= 2
    listing = cli("outbox", "list")
    assert "escalate_lead" in listing.output and "to @pat" in listing.output
    assert cli("scheduler", "--once").output.count("materialized 0") == 1  # idempotent
    assert "No failed notifications." in cli("outbox", "list", "--failed").output
    bad = cli("outbox", "retry", "999")
    assert bad.exit_code == 1 and "not a failed one" in bad.output


def test_scheduler_once_on_the_real_clock_across_a_weekend_and_a_dst_change(
    cli, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """time-machine moves the system clock; cron-style `scheduler --once` runs hourly around
    New York's morning from Thu 29 Oct to Tue 3 Nov 2026 (clocks go back on Sun 1 Nov)."""
    from datetime import UTC, datetime, timedelta

    import time_machine

    monkeypatch.setenv("DEFAULT_TIMEZONE", "America/New_York")
    with time_machine.travel(datetime(2026, 10, 28, 18, tzinfo=UTC), tick=False):
        out = cli("console", "--as", "nia", "-c", 'action add "Send the plan" due:friday')
        assert out.exit_code == 0 and "Fri 30 Oct" in out.output
        cli("console", "--as", "nia", "-c", 'action add "Book the room" due:"next tue"')
    seen: list[tuple[datetime, str]] = []
    t = datetime(2026, 10, 29, 0, tzinfo=UTC)
    while t < datetime(2026, 11, 4, tzinfo=UTC):
        with time_machine.travel(t, tick=False):
            out = cli("scheduler", "--once")
        assert out.exit_code == 0, out.output
        seen += [(t, line.strip()) for line in out.output.splitlines() if "Send the plan" in line]
        if t.hour < 11:
            t = t.replace(hour=11)
        else:
            t += timedelta(hours=1) if t.hour < 16 else timedelta(hours=24 + 11 - t.hour)
    # One line a working day at 09:00 in New York: 13:00 UTC in EDT, 14:00 UTC in EST.
    assert [(when.strftime("%a %H"), line.split(" · ")[1]) for when, line in seen] == [
        ("Thu 13", "due on the next working day"),
        ("Fri 13", "due today"),
        ("Mon 14", "overdue"),
        ("Tue 14", "overdue"),
    ]


def test_report_exports_any_week_as_markdown_csv_and_xlsx(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    import time_machine
    from openpyxl import load_workbook

    with time_machine.travel(datetime(2026, 11, 19, 18, tzinfo=UTC), tick=False):
        assert (
            cli("console", "--as", "ana", "-c", 'project new APOLLO "Moon portal"').exit_code == 0
        )
        ok = cli("console", "--as", "ana", "-c", 'status APOLLO amber "Vendor | late"')
        assert ok.exit_code == 0, ok.output
    md = cli("report", "--week", "2026-W47")
    assert md.exit_code == 0, md.output
    assert "# Portfolio status · 2026-W47" in md.output and "Vendor \\| late" in md.output
    out = cli("report", "--week", "2026-W47", "--format", "csv")
    assert "APOLLO,Moon portal,ana,amber" in out.output
    target = tmp_path / "w47.xlsx"
    assert cli("report", "--week", "w47", "--format", "xlsx", "-o", str(target)).exit_code == 0
    sheet = load_workbook(target)["Projects"]
    assert sheet["A2"].value == "APOLLO" and sheet["D2"].value == "amber"
    assert "data:image/png;base64," in md.output  # the heat map travels with the Markdown
    out_csv = tmp_path / "w47.csv"
    assert cli("report", "--week", "w47", "--format", "csv", "-o", str(out_csv)).exit_code == 0
    assert out_csv.read_bytes().startswith(b"\xef\xbb\xbfproject,name")
    bad = cli("report", "--week", "2026-W60")
    assert bad.exit_code == 1 and "not a week" in bad.output
    assert "give --output" in cli("report", "--format", "xlsx").output
