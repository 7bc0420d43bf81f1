"""A past week's report shows that week as it was: the projects that existed, work overdue as
it stood at the week's end, on-time rates over the rounds a project had; exports agree."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from handlers.console.channel import ConsoleChannel
from services.commands.execute import run_text
from services.commands.results import ActionResult, DeliverableResult, ReportResult
from services.status import exports
from tests.conftest import NOW, World
from tests.slack_harness import SlackBot

PLANNED = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)  # Tue 10 Nov (W46)
W47 = "2026-W47"  # Mon 16 to Sun 22 Nov; NOW is Mon 23 Nov (W48)


def build_history(world: World) -> None:
    lead = world.actor("lead")

    def run(text: str, now: datetime = NOW):  # type: ignore[no-untyped-def]
        return run_text(world.session, lead, text, now=now)

    run('project new APOLLO "Apollo"', PLANNED)
    done = run('action add APOLLO "Book the room" due:2026-11-18', PLANNED)
    moved = run('action add APOLLO "Send the plan" due:2026-11-20', PLANNED)
    run('action add APOLLO "Due later" due:2026-11-27', PLANNED)
    beta = run('deliverable add APOLLO "Beta" due:2026-11-19', PLANNED)
    assert isinstance(done, ActionResult) and isinstance(moved, ActionResult)
    assert isinstance(beta, DeliverableResult)
    # On Monday 23 Nov (after W47 ended) the late work was sorted out ...
    run(f"action done {done.item.id}")
    run(f"action due {moved.item.id} 2026-12-04")
    run(f"deliverable forecast {beta.deliverable.id} 2026-12-10")
    # ... and a new project started.
    run('project new NEWP "New project"')


def test_a_past_week_shows_that_week_not_today(world: World) -> None:
    build_history(world)
    lead = world.actor("lead")
    then = run_text(world.session, lead, f"report {W47}", now=NOW)
    now = run_text(world.session, lead, "report", now=NOW)
    assert isinstance(then, ReportResult) and isinstance(now, ReportResult)
    # The project created after the week is not "missing" from it.
    assert [p.key for p in then.report.projects] == ["APOLLO"]
    assert [p.key for p in now.report.projects] == ["APOLLO", "NEWP"]
    past, present = then.report.projects[0], now.report.projects[0]
    # Overdue as at Sunday 22 Nov: the item done on the 23rd and the one moved on the 23rd
    # were both late then; the deliverable re-forecast on the 23rd was late then.
    assert (past.overdue_items, past.overdue_deliverables) == (2, 1)
    assert (present.overdue_items, present.overdue_deliverables) == (0, 0)
    # A project with no round behind it has no on-time rate (not 0%).
    assert now.report.projects[1].on_time_rate is None
    # The export of the past week says what the report says.
    cols = exports.COLUMNS
    row = dict(zip(cols, exports.rows(then.report)[0], strict=True))
    assert (row["overdue_items"], row["overdue_deliverables"]) == (2, 1)
    assert "NEWP" not in exports.to_csv(then.report)
    assert "NEWP" not in exports.to_markdown(then.report)


def test_a_past_week_through_the_console(sessions: sessionmaker[Session]) -> None:
    at = {"now": PLANNED}
    console = ConsoleChannel(sessions, clock=lambda: at["now"], echo=lambda _t: None)
    assert console.run("pat", 'project new APOLLO "Apollo"').ok
    assert console.run("pat", 'action add APOLLO "Book the room" due:2026-11-18').ok
    at["now"] = NOW
    assert console.run("pat", 'project new NEWP "New project"').ok
    then = console.run("pat", f"report {W47}")
    assert then.ok and "APOLLO" in then.text and "NEWP" not in then.text
    current = console.run("pat", "report")
    assert "NEWP" in current.text


def test_a_past_week_through_slack(engine, sessions, db_url) -> None:  # type: ignore[no-untyped-def]
    bot = SlackBot(engine, sessions, db_url, PLANNED)
    try:
        bot.fake.add_user("U1", "lead")
        bot.command('project new APOLLO "Apollo"')
        bot.command('action add APOLLO "Book the room" due:2026-11-18')
        bot.clock.now = NOW
        bot.command('project new NEWP "New project"')
        then = json.dumps(bot.command(f"report {W47}"), ensure_ascii=False)
        assert "APOLLO" in then and "NEWP" not in then
        assert "NEWP" in json.dumps(bot.command("report"), ensure_ascii=False)
    finally:
        bot.close()
