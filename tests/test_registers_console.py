"""The registers in the local console: every command's reply, the notices printed to whom they
are for (with the command forms of their buttons), the guided prompts behind the buttons that
open a form, and exports saved as files."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from handlers.console import prompt
from handlers.console.channel import ConsoleChannel
from models import Deliverable, DeliverableStatus, Dependency, DependencyState, Project
from tests.conftest import NOW


def scripted(answers: list[str]) -> prompt.Ask:
    queue = list(answers)
    return lambda _q, _d: queue.pop(0)


def console(sessions: sessionmaker[Session], out: list[str], tmp: Path) -> ConsoleChannel:
    c = ConsoleChannel(sessions, clock=lambda: NOW, echo=out.append, downloads=tmp)
    for who in ("pat", "pam", "ana", "cat", "dan", "eve", "hal"):
        assert c.run(who, "help").ok  # everyone has used the console once; @pat leads
    assert c.run("pat", 'project new APOLLO "Apollo" @pam').ok
    assert c.run("pam", 'deliverable add APOLLO "Design spec" @ana due:2026-12-04').ok
    return c


def test_raci_and_sign_off_in_the_console(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    out: list[str] = []
    c = console(sessions, out, tmp_path)
    reply = c.run("pam", "raci set APOLLO 1 R @ana A @cat C @dan I @eve")
    assert reply.ok and reply.text.splitlines()[1:] == [
        "  R  @ana", "  A  @cat", "  C  @dan", "  I  @eve",
    ]  # fmt: skip
    refused = c.run("pam", "raci set APOLLO 1 A @dan")
    assert not refused.ok and "already has an Accountable: @cat" in refused.text
    assert "raci set APOLLO 1 A @dan I @cat" in refused.text
    denied = c.run("ana", "raci set APOLLO 1 R @dan")
    assert not denied.ok and "Only APOLLO's PM or a PMO lead" in denied.text
    chart = c.run("ana", "raci APOLLO").text
    assert "RACI of APOLLO — Apollo" in chart and "#1 Design spec" in chart
    assert [ln.split() for ln in chart.splitlines() if ln.startswith("@cat")] == [["@cat", "A"]]
    # The export is saved where the console keeps files.
    reply = c.run("pam", "raci export APOLLO")
    assert reply.ok and "(saved to " in reply.text
    sheet = load_workbook(io.BytesIO((tmp_path / "raci-APOLLO.xlsx").read_bytes())).active
    assert sheet is not None and sheet["D1"].value == "#1 Design spec"
    # Done by the Responsible: the Accountable and the Consulted are told at once, with the
    # command forms of Sign off / Not yet.
    out.clear()
    reply = c.run("ana", "deliverable done 1")
    assert "now waits for @cat's sign-off" in reply.text
    sent = "\n".join(out)
    assert "To @cat:\nSign-off asked: APOLLO #1 Design spec" in sent
    assert '`deliverable signoff 1` · `deliverable signoff 1 no "why"`' in sent
    assert "To @dan:\nYour input is asked: APOLLO #1 Design spec" in sent
    # Not yet, through the guided prompt (the button's form).
    reply = c.run("cat", "deliverable signoff 1 no", interactive=True)
    assert reply.form is not None and reply.form.form.title == "Not yet"
    out.clear()
    done = prompt.fill(
        reply.form,
        scripted(["", "The appendix is missing"]),
        lambda values: c.submit("cat", reply.form, values),  # type: ignore[arg-type]
        echo=lambda _t: None,
    )
    assert done.ok and "Not yet: #1 stays open (“The appendix is missing”)" in done.text
    assert "To @ana:\n↩️ Not yet: APOLLO #1 Design spec" in "\n".join(out)
    # Asked again and signed off: done; the Informed hear.
    c.run("ana", "deliverable done 1")
    out.clear()
    reply = c.run("cat", "deliverable signoff 1")
    assert "Signed off: deliverable #1 Design spec is done. Told: @eve." in reply.text
    assert "To @eve:\n🏁 Done: APOLLO #1 Design spec" in "\n".join(out)
    with sessions() as s:
        assert s.get(Deliverable, 1).status == DeliverableStatus.DONE  # type: ignore[union-attr]


def test_documents_in_the_console(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    out: list[str] = []
    c = console(sessions, out, tmp_path)
    assert c.run("pam", "project add APOLLO @ana member").ok
    reply = c.run("ana", 'doc add APOLLO "Charter" https://docs.example/charter')
    assert reply.ok and "Added document #1 to APOLLO (v1.0, a draft)" in reply.text
    out.clear()
    assert c.run("pam", "doc approvers 1 @cat @dan").ok
    sent = "\n".join(out)
    assert "To @cat:\nApproval asked: APOLLO · Charter v1.0" in sent
    assert '`doc approve 1` · `doc changes 1 "what to change"`' in sent
    assert c.run("cat", "doc approve 1").ok
    form = c.run("dan", "doc changes 1", interactive=True).form
    assert form is not None
    done = prompt.fill(
        form,
        scripted(["Add the budget"]),
        lambda values: c.submit("dan", form, values),
        echo=lambda _t: None,
    )
    assert done.ok and "Changes requested on v1.0" in done.text
    assert c.run("ana", 'doc version 1 https://docs.example/charter-2 "Budget added"').ok
    shown = c.run("eve", "doc show 1").text
    assert "Document #1 Charter · APOLLO · in review (v1.1)" in shown
    assert "    @dan: requested changes — “Add the budget”" in shown
    assert "  v1.0 superseded · https://docs.example/charter" in shown
    listed = c.run("eve", "doc list APOLLO").text
    assert "#1 Charter · v1.1 in review · 0/2 approved" in listed


def test_the_register_gates_and_dependencies_in_the_console(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    out: list[str] = []
    c = console(sessions, out, tmp_path)
    assert c.run("pat", 'project new HERMES "Hermes" @hal').ok
    assert c.run("pam", "project set APOLLO budget 250k EUR").ok
    assert c.run("pam", "project add APOLLO @cat sponsor").ok
    assert c.run("pam", "project gate APOLLO planning @cat").ok
    out.clear()
    reply = c.run("pam", "project set APOLLO phase planning")
    assert "Entering Planning needs @cat's approval; I asked them." in reply.text
    assert "To @cat:\nStage gate: APOLLO asks to move to Planning" in "\n".join(out)
    assert c.run("cat", "project gate APOLLO approve").ok
    with sessions() as s:
        assert s.scalar(select(Project.phase).where(Project.key == "APOLLO")) == "Planning"
    reg = c.run("pat", "project register").text
    assert "Project register (2 projects):" in reg
    assert "PM @pam · sponsor @cat · ? → ? · budget EUR 250,000 planned, ? actual" in reg
    assert "top risk: none ·" in reg
    assert c.run("pam", 'risk add APOLLO "Vendor may fold" p:5 i:4').ok
    assert "top risk: R-1 Vendor may fold (20)" in c.run("pat", "project register").text
    reply = c.run("pat", "project register csv")
    assert (
        (tmp_path / f"project-register-{NOW.date().isoformat()}.csv")
        .read_text()
        .startswith("Key,Name,State,PM,Sponsor,Phase")
    )
    gates = c.run("ana", "project gate APOLLO").text
    assert "    Planning: @cat approves · approved by @cat on 2026-11-23 ◀ now" in gates
    # A dependency, declined through the guided prompt.
    assert c.run("pam", 'depend APOLLO on HERMES "Test data" by:2026-12-08').ok
    form = c.run("hal", "depend decline 1", interactive=True).form
    assert form is not None
    out.clear()
    done = prompt.fill(
        form,
        scripted(["No capacity"]),
        lambda values: c.submit("hal", form, values),
        echo=lambda _t: None,
    )
    assert done.ok and "Declined dependency #1." in done.text
    assert "To @pam:\n❌ Dependency #1 declined: “Test data”" in "\n".join(out)
    with sessions() as s:
        assert s.get(Dependency, 1).state == DependencyState.DECLINED  # type: ignore[union-attr]
    assert "No capacity" in c.run("pam", "depend list").text
