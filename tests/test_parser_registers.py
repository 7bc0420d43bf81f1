"""The registers' commands in the shared language: every form, and the errors that say the
right form to use."""

from __future__ import annotations

import pytest

from services.commands import ast
from services.commands import ast_registers as reg
from services.commands.help import entries_for
from services.commands.parser import parse
from services.core.errors import InvalidInput
from services.core.people import Mention


def m(handle: str) -> Mention:
    return Mention(handle=handle)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("raci", ast.Help("raci")),
        ("raci APOLLO", reg.RaciShow("APOLLO")),
        ("raci apollo #12", reg.RaciShow("APOLLO", 12)),
        ("raci show APOLLO 12", reg.RaciShow("APOLLO", 12)),
        (
            "raci set APOLLO 12 R @a @b A @c C @d I @e",
            reg.RaciSet(
                "APOLLO",
                12,
                (
                    ("R", (m("a"), m("b"))),
                    ("A", (m("c"),)),
                    ("C", (m("d"),)),
                    ("I", (m("e"),)),
                ),
            ),
        ),
        (
            "raci set APOLLO accountable <@U12AB> informed @x - @y",
            reg.RaciSet(
                "APOLLO",
                None,
                (
                    ("A", (Mention(external_id="U12AB"),)),
                    ("I", (m("x"),)),
                    ("-", (m("y"),)),
                ),
            ),
        ),
        (
            "raci set APOLLO 3 A/R @p",
            reg.RaciSet("APOLLO", 3, (("R", (m("p"),)), ("A", (m("p"),)))),
        ),
        ("raci clear APOLLO 12", reg.RaciClear("APOLLO", 12)),
        ("raci clear APOLLO", reg.RaciClear("APOLLO")),
        ("raci export APOLLO", reg.RaciExport("APOLLO")),
        ("deliverable signoff 12", reg.DeliverableSignoff(12)),
        ("deliverable sign-off #12 yes", reg.DeliverableSignoff(12)),
        ("deliverable signoff 12 no", reg.SignoffForm(12)),
        (
            'deliverable signoff 12 no "Missing the appendix"',
            reg.DeliverableSignoff(12, False, "Missing the appendix"),
        ),
        (
            "deliverable signoff 12 not yet tests fail",
            reg.DeliverableSignoff(12, False, "tests fail"),
        ),
        (
            'depend APOLLO on HERMES "API v2 in staging" by:2026-12-18 #7',
            reg.DependNew("APOLLO", "HERMES", "API v2 in staging", "2026-12-18", 7),
        ),
        (
            "depend apollo on hermes test data by: next fri",
            reg.DependNew("APOLLO", "HERMES", "test data", "next fri", None),
        ),
        ("depend", reg.DependList()),
        ("depend list", reg.DependList()),
        ("depends list APOLLO", reg.DependList("APOLLO")),
        ("depend accept 3", reg.DependAccept(3)),
        ("depend propose 3 2026-12-20", reg.DependPropose(3, "2026-12-20")),
        ("depend propose 3 by:fri", reg.DependPropose(3, "fri")),
        ("depend propose 3", reg.DependForm(3, "propose")),
        ('depend decline 3 "No capacity"', reg.DependDecline(3, "No capacity")),
        ("depend decline 3", reg.DependForm(3, "decline")),
        (
            'doc add APOLLO "Charter" https://x.example/c v:1.0',
            reg.DocAdd("APOLLO", "Charter", "https://x.example/c", "1.0"),
        ),
        (
            "doc add APOLLO Project charter <https://x.example/c|charter>",
            reg.DocAdd("APOLLO", "Project charter", "<https://x.example/c|charter>", None),
        ),
        (
            'doc version 4 https://x.example/c2 v:1.1 "Budget added"',
            reg.DocVersion(4, "https://x.example/c2", "1.1", "Budget added"),
        ),
        ("doc version 4 https://x.example/c2", reg.DocVersion(4, "https://x.example/c2", None, "")),
        ("doc approvers 4 @a @b", reg.DocApprovers(4, (m("a"), m("b")))),
        ("doc approvers 4 @a by:friday", reg.DocApprovers(4, (m("a"),), "friday")),
        ("docs list APOLLO", reg.DocList("APOLLO")),
        ("doc show 4", reg.DocShow(4)),
        ("doc approve 4", reg.DocApprove(4)),
        ("doc approve 4 v:1.1", reg.DocApprove(4, "1.1")),
        ('doc changes 4 "Add the budget"', reg.DocChanges(4, "Add the budget")),
        ("doc changes 4", reg.DocChangesForm(4)),
        ("project register", reg.ProjectRegister()),
        ("project register xlsx", reg.ProjectRegister("xlsx")),
        ("project register csv", reg.ProjectRegister("csv")),
        ("project register APOLLO", reg.ProjectGates("APOLLO")),
        ("project phases", reg.ProjectPhases()),
        (
            'project phases Idea, Design, "Build & test", Done',
            reg.ProjectPhases(("Idea", "Design", "Build & test", "Done")),
        ),
        ("project gate APOLLO", reg.ProjectGates("APOLLO")),
        ("project gate APOLLO Executing @spo", reg.ProjectGateSet("APOLLO", "Executing", m("spo"))),
        ("project gate APOLLO approve", reg.ProjectGateDecide("APOLLO", True)),
        (
            'project gate APOLLO reject "Tests first"',
            reg.ProjectGateDecide("APOLLO", False, "Tests first"),
        ),
        ("project gate APOLLO reject", reg.GateRejectForm("APOLLO")),
        ("project set APOLLO budget 120k EUR", ast.ProjectSet("APOLLO", "budget", "120k EUR")),
    ],
)
def test_register_commands_parse(text: str, expected: ast.Command) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("raci set APOLLO @a", "Start with a letter"),
        ("raci set APOLLO 12 R", "Nobody is named after R"),
        ("raci set APOLLO 12 X @a", "neither a letter"),
        ("raci set APOLLO 12", "Name the letters and people"),
        ("deliverable signoff 12 maybe", "Say `no` and why"),
        ('depend APOLLO "x" by:fri', "Say which project it depends on"),
        ("depend APOLLO on HERMES by:fri", "Say what you need"),
        ('depend APOLLO on HERMES "x"', "Say by when"),
        ("depend acept 3", "Did you mean `accept`?"),
        ('depend "x" on HERMES', "neither a project key"),
        ('doc add APOLLO "Charter"', "The link (https://…) is missing"),
        ("doc add APOLLO https://x.example/c", "The title is missing"),
        ("doc approvers 4", "Name the approvers"),
        ("doc approvers 4 @a soon", "Name the approvers"),
        ("doc frob 4", "`doc` has no `frob`"),
        ("project gate APOLLO Executing", "Name the phase and one approver"),
    ],
)
def test_bad_register_commands_say_the_right_form(text: str, problem: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse(text)
    assert problem in str(err.value)


def test_every_new_topic_has_help() -> None:
    for topic, word in (("raci", "raci set"), ("depend", "depend accept"), ("doc", "doc add")):
        assert any(e.usage.startswith(word) for e in entries_for(topic))
    assert parse("help raci") == ast.Help("raci")
    assert parse("help depend") == ast.Help("depend")
    assert parse("help doc") == ast.Help("doc")
