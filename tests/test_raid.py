"""The RAID log through the console channel (the chat edge every channel shares): every
command, the permission of each role, escalation exactly once, offers, decisions from
minutes, the report's RAID part and exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import jobs
from handlers.console import prompt
from handlers.console.channel import ConsoleChannel
from handlers.console.notifier import ConsoleNotifier
from models import (
    ActionItem,
    AuditEvent,
    Notification,
    NotificationState,
    ProposalState,
    RaidAction,
    RaidEntry,
    RaidKind,
    RaidProposal,
    RaidScore,
    RaidStatus,
)
from services.core.forms import FormId
from services.raid import exports
from services.status import exports as report_exports
from services.status import report as reports
from tests.conftest import NOW


def at(d: int, hh: int = 12, mm: int = 0) -> datetime:
    return (
        datetime(2026, 11, d, hh, mm, tzinfo=UTC)
        if d <= 30
        else datetime(2026, 12, d - 30, hh, mm, tzinfo=UTC)
    )


class Console:
    """The console channel with a clock that tests move, and what it printed."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.now = NOW
        self.printed: list[str] = []
        self.ch = ConsoleChannel(sessions, clock=lambda: self.now, echo=self.printed.append)
        self.sessions = sessions

    def ok(self, who: str, text: str) -> str:
        reply = self.ch.run(who, text)
        assert reply.ok, f"{text!r} failed: {reply.text}"
        return reply.text

    def no(self, who: str, text: str) -> str:
        reply = self.ch.run(who, text)
        assert not reply.ok, f"{text!r} should have failed: {reply.text}"
        return reply.text

    def sweep(self, when: datetime) -> list[str]:
        self.now = when
        before = len(self.printed)
        jobs.sweep(self.sessions, ConsoleNotifier(self.printed.append), now=when)
        return self.printed[before:]


@pytest.fixture
def c(sessions: sessionmaker[Session]) -> Iterator[Console]:
    con = Console(sessions)
    con.ok("lead", "help")  # @lead: the workspace's first person, admin and PMO lead
    for name in ("pm", "maria", "viewer", "outsider"):
        con.ok(name, "help")
    con.ok("lead", 'project new APOLLO "Apollo" @pm')
    con.ok("pm", "project add APOLLO @maria member")
    con.ok("pm", "project add APOLLO @viewer viewer")
    con.ok("lead", "settings digests project_weekly off")
    con.ok("lead", "settings digests pmo_weekly off")
    con.ok("lead", "settings status rounds off")
    yield con


def entry(sessions: sessionmaker[Session], kind: RaidKind, number: int) -> RaidEntry:
    with sessions() as s:
        e = s.scalar(select(RaidEntry).where(RaidEntry.kind == kind, RaidEntry.number == number))
        assert e is not None
        s.expunge(e)
        return e


def test_every_kind_is_numbered_per_project_and_kind_and_listed_worst_first(c: Console) -> None:
    out = c.ok("maria", 'risk add APOLLO "Supplier may go bust" p:3 i:4 review:friday')
    assert "APOLLO R-1" in out and "3×4=12 AMBER" in out and "Fri 27 Nov" in out
    out = c.ok("maria", 'risk add APOLLO "Key engineer may leave" p:5 i:4 @pm cat:people')
    assert "APOLLO R-2" in out and "RED" in out and "@pm" in out
    c.ok("maria", 'issue add APOLLO "Test environment down" severity:low due:"next tue"')
    c.ok("maria", 'issue add APOLLO "Vendor invoice disputed" severity:critical type:change')
    c.ok("maria", 'assumption add APOLLO "Licences arrive by December" by:"end of month"')
    c.ok("maria", 'dependency add APOLLO "Network team opens the ports" by:fri')
    c.ok("lead", 'project new BETA "Beta"')
    assert "BETA R-1" in c.ok("lead", 'risk add BETA "Another project, its own numbers" p:1 i:1')
    listed = c.ok("viewer", "raid APOLLO").splitlines()
    assert listed[0] == "APOLLO: open RAID log (6):"
    refs = [line.split()[1] for line in listed[1:]]
    assert refs == ["R-2", "R-1", "I-2", "I-1", "A-1", "D-1"]  # risks by score, issues by severity
    assert c.ok("viewer", "raid APOLLO issues").count("APOLLO I-") == 2
    mine = c.ok("pm", "raid mine")
    assert "R-2" in mine and "R-1" not in mine
    assert "BETA R-1" in c.ok("lead", "raid all")
    shown = c.ok("viewer", "raid show APOLLO R-2")
    assert "Key engineer may leave" in shown and "Category: people" in shown
    with c.sessions() as s:
        (i2,) = s.scalars(select(RaidEntry).where(RaidEntry.title.like("Vendor%"))).all()
        assert (i2.severity.value, i2.issue_type.value, i2.rank) == ("critical", "change", 4)
        audits = s.scalars(select(AuditEvent).where(AuditEvent.entity_type == "raid_entry")).all()
        assert len(audits) == 7 and {a.action for a in audits} == {"create"}


def test_ids_name_the_project_when_two_have_the_same_one(c: Console) -> None:
    c.ok("lead", 'project new BETA "Beta"')
    c.ok("lead", 'risk add APOLLO "A" p:1 i:2')
    c.ok("lead", 'risk add BETA "B" p:1 i:3')
    refused = c.no("lead", "raid show R-1")
    assert "more than one project (APOLLO, BETA)" in refused and "raid show APOLLO R-1" in refused
    assert "BETA R-1 — B" in c.ok("lead", "raid show BETA R-1")
    assert "BETA R-1 — B" in c.ok("lead", "raid show BETA-R-1")
    assert "There is no R-9" in c.no("lead", "raid show R-9")
    assert "Did you mean APOLLO" in c.no("lead", "raid show APOLO R-1")


def test_scoring_keeps_a_history_and_the_trend_shows(c: Console) -> None:
    c.ok("maria", 'risk add APOLLO "Supplier may go bust" p:2 i:3')
    c.now = NOW + timedelta(days=1)
    out = c.ok("maria", 'risk score R-1 p:4 i:4 residual p:2 i:2 "second supplier found"')
    assert "4×4=16 RED (residual 4)" in out
    c.now = NOW + timedelta(days=2)
    c.ok("maria", "risk score 1 p:3 i:4")
    shown = c.ok("maria", "raid show R-1")
    assert "Trend: 6 → 16 → 12" in shown and "second supplier found" in shown
    with c.sessions() as s:
        assert [h.score for h in s.scalars(select(RaidScore).order_by(RaidScore.id))] == [6, 16, 12]
    assert "from 1 to 5" in c.no("maria", "risk score R-1 p:6 i:1")
    assert "p:<1-5> i:<1-5>" in c.no("maria", "risk score R-1 p:3")
    c.ok("maria", 'issue add APOLLO "Test environment down"')
    assert "I-1 is an issue; only risks are scored" in c.no("maria", "risk score I-1 p:1 i:1")


def test_statuses_of_every_kind_and_an_occurred_risk_becomes_a_linked_issue(c: Console) -> None:
    c.ok("maria", 'risk add APOLLO "Supplier may go bust" p:4 i:4')
    out = c.ok("maria", "risk occurred R-1")
    assert "It became issue APOLLO I-1" in out
    risk, issue = entry(c.sessions, RaidKind.RISK, 1), entry(c.sessions, RaidKind.ISSUE, 1)
    assert risk.status == RaidStatus.OCCURRED and risk.closed_at is not None
    assert (risk.linked_entry_id, issue.linked_entry_id) == (issue.id, risk.id)
    assert issue.severity is not None and issue.severity.value == "high"  # impact 4
    assert "Say how it was resolved" in c.no("maria", 'issue resolve I-1 ""')
    out = c.ok("maria", 'issue resolve I-1 "Second supplier signed"')
    assert "resolved" in out
    assert entry(c.sessions, RaidKind.ISSUE, 1).resolution == "Second supplier signed"
    assert "I-1 is resolved" in c.no("maria", "issue close I-1")
    c.ok("maria", "issue reopen I-1")
    c.ok("maria", 'dependency add APOLLO "Ports opened" by:fri')
    assert "met" in c.ok("maria", "dependency met D-1")
    assert "D-1 is a dependency; it can't be confirmed" in c.no("maria", "assumption confirm D-1")
    c.ok("maria", 'risk add APOLLO "Rain" p:1 i:1')
    assert "accepted" in c.ok("maria", "risk accept R-2")
    assert "R-2 is a risk; it can't be met" in c.no("maria", "dependency met R-2")


def test_a_response_links_an_action_item_and_the_risk_is_mitigating(c: Console) -> None:
    c.ok("maria", 'risk add APOLLO "Supplier may go bust" p:4 i:4')
    out = c.ok("maria", 'risk respond R-1 reduce "Find a second supplier" @pm due:friday')
    assert "Response set" in out and "mitigating" in out
    with c.sessions() as s:
        (link,) = s.scalars(select(RaidAction)).all()
        item = s.get(ActionItem, link.action_item_id)
        assert item is not None and item.title == "Find a second supplier"
        assert "reduce" in item.notes and "R-1" in item.notes
    assert "Find a second supplier" in c.ok("maria", "raid show R-1")
    assert "not a response to a threat" in c.no("maria", "risk respond R-1 exploit")


def test_each_role_reads_adds_and_changes_what_it_may(c: Console) -> None:
    # Viewers read; they do not add.
    assert "Only members of APOLLO" in c.no("viewer", 'risk add APOLLO "x" p:1 i:1')
    assert "Only members of APOLLO" in c.no("outsider", 'issue add APOLLO "x"')
    # Members add; the owner changes their own entry.
    c.ok("maria", 'risk add APOLLO "Maria\'s risk" p:2 i:2')
    c.ok("maria", "risk score R-1 p:3 i:3")
    # Another member may not change it; the PM and a PMO lead may.
    c.ok("pm", "project add APOLLO @outsider member")
    assert "Only the owner of R-1" in c.no("outsider", "risk close R-1")
    assert "Only the owner of R-1" in c.no("viewer", "risk score R-1 p:1 i:1")
    c.ok("pm", "risk score R-1 p:2 i:3")
    c.ok("lead", "risk review R-1")
    c.ok("pm", "risk assign R-1 @outsider")
    c.ok("outsider", "risk close R-1")  # now its owner
    # Everyone reads a public project's log, and nobody sees a private one's but members.
    assert "closed" in c.ok("viewer", "raid APOLLO closed")
    c.ok("lead", 'project new SECRET "Secret" private')
    c.ok("lead", 'risk add SECRET "Hush" p:1 i:1')
    assert "There is no project SECRET" in c.no("maria", "raid SECRET")
    assert "There is no project SECRET" in c.no("maria", "raid show SECRET R-1")
    assert "Hush" not in c.ok("maria", "raid all")
    # Settings: admins and PMO leads only.
    assert "Only an admin or a PMO lead" in c.no("pm", "settings raid bands 12 4")


def test_a_red_risk_reaches_the_pmo_lead_exactly_once_across_sweeps(c: Console) -> None:
    def told(what: str) -> list[str]:
        return [m for m in c.printed if m.startswith("To @lead") and what in m]

    c.ok("maria", 'risk add APOLLO "Supplier may go bust" p:4 i:5')
    assert len(told("R-1 is in the red band (score 20)")) == 1  # at once, delivered now
    for t in (NOW, NOW + timedelta(minutes=1), NOW + timedelta(hours=3), NOW + timedelta(days=1)):
        c.sweep(t)
    assert len(told("red band")) == 1
    # Rescoring within the red band is no news; leaving it and coming back is.
    c.now = NOW + timedelta(days=1, hours=1)
    c.ok("maria", "risk score R-1 p:5 i:5")
    c.sweep(c.now)
    assert len(told("red band")) == 1
    c.ok("maria", "risk score R-1 p:2 i:2")
    c.now = NOW + timedelta(days=2)
    c.ok("maria", "risk score R-1 p:4 i:4")
    c.sweep(NOW + timedelta(days=2, hours=1))
    c.sweep(NOW + timedelta(days=2, hours=2))
    assert len(told("red band")) == 2
    # A critical issue too; a PMO lead who raises one is not told about their own.
    c.ok("maria", 'issue add APOLLO "Data centre flooded" severity:critical')
    c.ok("lead", 'issue add APOLLO "Sponsor resigned" severity:high')
    c.sweep(NOW + timedelta(days=2, hours=3))
    assert len(told("I-1: a critical issue")) == 1 and not told("I-2")
    with c.sessions() as s:
        rows = s.scalars(select(Notification).where(Notification.rule == "raid_escalation")).all()
        assert len([n for n in rows if n.state == NotificationState.SENT]) == 3
        assert len([n for n in rows if n.state == NotificationState.SKIPPED]) == 1


def test_lowering_the_bands_turns_risks_red_and_escalates_them(c: Console) -> None:
    c.ok("maria", 'risk add APOLLO "Supplier may go bust" p:3 i:4')
    c.sweep(NOW)
    assert not [m for m in c.printed if "red band" in m]
    out = c.ok("lead", "settings raid bands 12 4")
    assert "red from 12, amber from 4" in out
    assert entry(c.sessions, RaidKind.RISK, 1).red_since is not None
    c.sweep(NOW + timedelta(minutes=1))
    c.sweep(NOW + timedelta(minutes=2))
    assert len([m for m in c.printed if "red band" in m]) == 1
    assert "Amber must start below red" in c.no("lead", "settings raid bands 5 12")
    assert "I couldn't read that RAID setting" in c.no("lead", "settings raid colours")
    c.ok("lead", "settings raid review red 3")
    assert entry(c.sessions, RaidKind.RISK, 1).due_on == (NOW + timedelta(days=3)).date()


def test_an_invalid_assumption_is_offered_as_a_risk_and_logged_with_one_command(c: Console) -> None:
    c.ok("maria", 'assumption add APOLLO "Licences arrive by December" @maria')
    out = c.ok("maria", "assumption invalid A-1")
    assert "Log it as a risk? raid log 1" in out
    # The PM (not the one who said so) is offered it in their own chat.
    assert any("an assumption turned out invalid" in m for m in c.sweep(NOW + timedelta(minutes=1)))
    assert "Logged APOLLO R-1 from the offer" in c.ok("pm", "raid log 1")
    risk = entry(c.sessions, RaidKind.RISK, 1)
    assert "does not hold" in risk.title and risk.linked_entry_id is not None
    assert "already logged" in c.no("pm", "raid log 1")
    c.ok("maria", 'assumption add APOLLO "Budget approved in Q1"')
    c.ok("maria", "assumption invalid A-2")
    assert "Dismissed offer 2" in c.ok("pm", "raid dismiss 2")
    with c.sessions() as s:
        states = [p.state for p in s.scalars(select(RaidProposal).order_by(RaidProposal.id))]
        assert states == [ProposalState.LOGGED, ProposalState.DISMISSED]
        audited = s.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_type == "raid_proposal")
        ).all()
        assert sorted(audited) == ["dismissed", "logged"]


def test_decisions_minuted_land_in_the_decision_log_and_follow_amendments(c: Console) -> None:
    c.ok("pm", 'minutes start APOLLO "Steering committee"')
    c.ok("pm", "minutes attendee @maria @lead")
    c.ok("pm", "minutes decision Go with vendor B")
    c.ok("pm", "minutes decision Freeze scope until March")
    c.ok("pm", "minutes end")
    out = c.ok("viewer", "decision list APOLLO")
    assert "DEC-1 Go with vendor B" in out and "DEC-2 Freeze scope until March" in out
    assert "minutes #1" in out
    shown = c.ok("viewer", "raid show DEC-1")
    assert "Who was there: @pm, @maria, @lead" in shown and "in minutes #1" in shown
    c.ok("pm", 'decision add APOLLO "Weekly demos on Fridays"')
    c.ok("pm", "minutes amend 1 edit decision 1 Go with vendor C")
    c.ok("pm", "minutes amend 1 remove decision 2")
    out = c.ok("viewer", "decision list APOLLO")
    assert "Go with vendor C" in out and "Weekly demos on Fridays" in out
    assert "Freeze scope until March" in out and "withdrawn" in out
    assert "Only members of APOLLO" in c.no("viewer", 'decision add APOLLO "x"')


def test_the_guided_risk_form_in_the_console_saves_a_risk(c: Console) -> None:
    reply = c.ch.run("maria", "risk add APOLLO", interactive=True)
    assert reply.form is not None and reply.form.form.id == FormId.RAID_RISK
    # Enter keeps the project (APOLLO) and the owner (maria); 7 is no probability, so that
    # field alone is asked again, at once.
    answers = iter(
        [
            "",
            "Supplier may go bust",
            "Because … the supplier … delays",
            "supplier",
            "n",
            "",
            "",
            "7",
            "4",
            "4",
            "2",
            "",
            "imminent",
            "reduce",
            "",
        ]
    )
    asked: list[str] = []

    def ask(question: str, _default: str) -> str:
        asked.append(question)
        return next(answers)

    form = reply.form
    done = prompt.fill(form, ask, lambda v: c.ch.submit("maria", form, v), echo=lambda _t: None)
    assert done.ok, done.text
    assert len(asked) == 15 and asked[7] == asked[8] and asked[7].startswith("Probability")
    risk = entry(c.sessions, RaidKind.RISK, 1)
    assert (risk.probability, risk.impact, risk.residual_probability, risk.score) == (4, 4, 2, 16)
    assert risk.proximity is not None and risk.proximity.value == "imminent"
    assert risk.strategy is not None and risk.strategy.value == "reduce"
    assert risk.category == "supplier" and risk.description.startswith("Because")


def test_the_report_has_top_risks_new_issues_and_exports_them(c: Console) -> None:
    c.ok("maria", 'risk add APOLLO "Supplier may go bust" p:4 i:5')
    c.ok("maria", 'risk add APOLLO "Key engineer may leave" p:5 i:4 @pm')
    c.ok("maria", 'risk add APOLLO "Rain" p:1 i:2')
    c.ok("maria", 'risk add APOLLO "Upside" p:5 i:5 type:opportunity')
    c.ok("maria", 'issue add APOLLO "Data centre flooded" severity:critical')
    c.ok("maria", 'issue add APOLLO "Typo on the site" severity:low')
    # The PM's status form reminds them of the open red risks.
    form = c.ch.run("pm", "status APOLLO", interactive=True).form
    assert form is not None and "Open red risks: R-1 Supplier may go bust (20)" in form.intro
    with c.sessions() as s:
        report = reports.build(s, 1, "2026-W48", today=NOW.date())
    assert report.raid is not None
    assert [v.ref for v in report.raid.top_risks] == ["R-1", "R-2"]  # not the opportunity
    assert report.raid.red_total == 2 and report.raid.open_risks == 3
    assert report.raid.heat[3][4] == 1 and report.raid.heat[0][1] == 1
    assert [v.ref for v in report.raid.new_issues] == ["I-1"]
    md = report_exports.to_markdown(report)
    assert "## Top risks (2 in the red band)" in md and "R-2 Key engineer may leave: 20" in md
    assert "## New high-severity issues" in md and "I-1 Data centre flooded: critical" in md
    wb = load_workbook(io.BytesIO(report_exports.to_xlsx(report)))
    assert {"Top risks", "New issues"} <= set(wb.sheetnames)
    assert wb["Top risks"].max_row == 3
    assert "## Top risks" in c.ok("lead", "report")  # on demand, the same Markdown


def test_the_log_exports_every_entry_and_defuses_formulas(c: Console) -> None:
    c.ok("maria", 'risk add APOLLO "=HYPERLINK(\\"x\\")" p:2 i:2')
    c.ok("maria", 'decision add APOLLO "Go with vendor B"')
    with c.sessions() as s:
        entries = exports.log_entries(s, 1, key="APOLLO")
    rows = list(csv.reader(io.StringIO(exports.to_csv(entries))))
    assert rows[0][:4] == ["project", "ref", "kind", "title"]
    assert {r[1] for r in rows[1:]} == {"R-1", "DEC-1"}
    assert any(r[3].startswith("'=") for r in rows[1:])
    wb = load_workbook(io.BytesIO(exports.to_xlsx(entries)))
    assert wb["Risks"].max_row == 2 and wb["Decisions"].max_row == 2
    assert "| APOLLO DEC-1 | Go with vendor B |" in exports.to_markdown(entries)


def test_pmo_bot_raid_export_writes_the_log(db_url: str, sessions, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from bot.cli.main import main

    monkeypatch.setenv("DATABASE_URL", db_url)
    runner = CliRunner()

    def cli(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(main, list(args), catch_exceptions=False)

    assert cli("console", "--as", "pat", "-c", 'project new APOLLO "Apollo"').exit_code == 0
    cli("console", "--as", "pat", "-c", 'risk add APOLLO "Supplier may go bust" p:4 i:5')
    cli("console", "--as", "pat", "-c", 'decision add APOLLO "Go with vendor B"')
    md = cli("raid", "export", "--project", "apollo")
    assert md.exit_code == 0 and "| APOLLO R-1 | Supplier may go bust |" in md.output
    assert "## Decisions (1)" in md.output
    out = tmp_path / "raid.xlsx"
    done = cli("raid", "export", "--format", "xlsx", "-o", str(out))
    assert done.exit_code == 0 and "Wrote 2 entries" in done.output
    assert load_workbook(out)["Risks"]["D2"].value == "Supplier may go bust"
    assert "There is no project NOPE" in cli("raid", "export", "--project", "NOPE").output
    assert "give --output" in cli("raid", "export", "--format", "xlsx").output
