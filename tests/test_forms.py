"""Forms are defined once and read by one function, whatever the channel showed them as.

The same answers to the status form, given in a Slack modal (through the fake Slack over
HTTP) and in the console's guided prompt, leave the same row; a field error raised by the
service shows on that field in the modal and makes the console re-ask that field only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from handlers.console import prompt
from handlers.console.channel import ConsoleChannel
from handlers.slack.ids import CallbackId
from models import ActionItem, Project, StatusUpdate
from services.core.forms import Field, FieldKind, Form, FormId, FormRequest, Reader
from tests.conftest import NOW
from tests.slack_harness import SlackBot

ROW_FIELDS = (
    "overall", "schedule", "scope", "budget", "resources", "percent_complete", "summary",
    "highlights", "blockers", "escalate", "asks", "next_steps",
)  # fmt: skip
ANSWERS = {
    "overall": "amber",
    "schedule": "red",
    "scope": "",
    "budget": "green",
    "resources": "",
    "percent": "40",
    "summary": "Vendor late, plan B ready",
    "highlights": "Design signed off",
    "blockers": "Contract unsigned",
    "escalate": "yes",
    "asks": "Sponsor to call the vendor",
    "next_steps": "Sign by Friday",
}
SLACK_TYPES = {"overall": "select", "schedule": "select", "scope": "select", "budget": "select",
               "resources": "select", "escalate": "box"}  # fmt: skip


@pytest.fixture
def slack(engine, sessions, db_url) -> Iterator[SlackBot]:  # type: ignore[no-untyped-def]
    bot = SlackBot(engine, sessions, db_url, NOW)
    bot.fake.add_user("U1", "lead")
    bot.fake.add_user("U2", "lara")
    yield bot
    bot.close()


def slack_values(answers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The answers as Slack's view_submission state carries them."""
    out: dict[str, dict[str, Any]] = {}
    for name, value in answers.items():
        kind = SLACK_TYPES.get(name, "text")
        if kind == "select":
            option = {"value": value} if value else None
            out[f"st_{name}"] = {"type": "static_select", "selected_option": option}
        elif kind == "box":
            picked = [{"value": "yes"}] if value == "yes" else []
            out[f"st_{name}"] = {"type": "checkboxes", "selected_options": picked}
        else:
            out[f"st_{name}"] = {"type": "plain_text_input", "value": value}
    return out


def scripted(answers: list[str], asked: list[str]) -> prompt.Ask:
    """A console user who types these answers, in order, and notes what was asked."""
    queue = list(answers)

    def ask(question: str, _default: str) -> str:
        asked.append(question)
        return queue.pop(0)

    return ask


def row(sessions: sessionmaker[Session], key: str) -> dict[str, Any]:
    with sessions() as s:
        project = s.scalar(select(Project).where(Project.key == key))
        assert project is not None
        upd = s.scalar(select(StatusUpdate).where(StatusUpdate.project_id == project.id))
        assert upd is not None
        return {f: getattr(upd, f) for f in ROW_FIELDS}


def test_the_status_form_stores_the_same_row_from_slack_and_from_the_console(
    slack: SlackBot, sessions: sessionmaker[Session]
) -> None:
    slack.command('project new APOLLO "Apollo"')
    slack.command("status APOLLO", expect_reply=False)
    view = slack.wait_for(lambda: slack.fake.of("views.open"))[0].args["view"]
    assert view["callback_id"] == CallbackId.STATUS_MODAL
    assert slack.submit(view, slack_values(ANSWERS)) == {}

    console = ConsoleChannel(sessions, clock=lambda: NOW, echo=lambda _t: None)
    assert console.run("pat", 'project new BETA "Beta"').ok
    reply = console.run("pat", "status BETA", interactive=True)
    assert reply.form is not None and reply.form.form.id == FormId.STATUS
    typed = ["y" if v == "yes" else v for v in ANSWERS.values()]
    asked: list[str] = []
    done = prompt.fill(
        reply.form,
        scripted(typed, asked),
        lambda values: console.submit("pat", reply.form, values),  # type: ignore[arg-type]
        echo=lambda _t: None,
    )
    assert done.ok, done.text
    assert len(asked) == len(ANSWERS)
    slack_row, console_row = row(sessions, "APOLLO"), row(sessions, "BETA")
    assert slack_row == console_row
    assert slack_row["percent_complete"] == 40 and slack_row["escalate"] is True
    assert slack_row["scope"] is None and slack_row["summary"] == ANSWERS["summary"]


def test_a_bad_answer_is_shown_on_its_field_in_slack_and_re_asked_alone_in_the_console(
    slack: SlackBot, sessions: sessionmaker[Session]
) -> None:
    slack.command('project new APOLLO "Apollo"')
    slack.command("status APOLLO", expect_reply=False)
    view = slack.wait_for(lambda: slack.fake.of("views.open"))[0].args["view"]
    bad = {**ANSWERS, "percent": "140", "blockers": ""}
    resp = slack.submit(view, slack_values(bad))
    assert resp["response_action"] == "errors"
    assert set(resp["errors"]) == {"st_percent", "st_blockers"}
    assert "0 to 100" in resp["errors"]["st_percent"]
    with sessions() as s:
        assert s.scalar(select(StatusUpdate)) is None

    console = ConsoleChannel(sessions, clock=lambda: NOW, echo=lambda _t: None)
    console.run("pat", 'project new BETA "Beta"')
    reply = console.run("pat", "status BETA", interactive=True)
    assert reply.form is not None
    typed: list[str] = []
    for name, v in bad.items():
        typed.append("y" if v == "yes" else v)
        if name == "percent":
            typed.append("40")  # a number out of range is re-asked at once, alone
    asked: list[str] = []
    said: list[str] = []
    done = prompt.fill(
        reply.form,
        scripted([*typed, "Contract unsigned"], asked),
        lambda values: console.submit("pat", reply.form, values),  # type: ignore[arg-type]
        echo=said.append,
    )
    assert done.ok, done.text
    assert [a for a in asked if a.startswith("% complete")] == ["% complete [optional]"] * 2
    # What only the whole form can tell (blockers, needed once escalated) is re-asked alone.
    assert asked[len(bad) + 1 :] == ["Blockers [optional]"]
    assert any("0 to 100" in s for s in said)
    assert row(sessions, "BETA")["percent_complete"] == 40


def test_a_field_error_raised_by_the_service_lands_on_its_field(
    slack: SlackBot, sessions: sessionmaker[Session]
) -> None:
    """The owner of a private project's item must be a member: the service says so, on the
    owner field, in the Slack modal and in the console."""
    slack.command('project new SECRET "Secret" private')
    slack.command("new", expect_reply=False)
    view = slack.wait_for(lambda: slack.fake.of("views.open"))[0].args["view"]
    resp = slack.submit(view, {
        "title": {"type": "plain_text_input", "value": "Plan"},
        "project": {"type": "static_select", "selected_option": {"value": "SECRET"}},
        "owner": {"type": "users_select", "selected_user": "U2"},
    })  # fmt: skip
    assert resp["response_action"] == "errors" and list(resp["errors"]) == ["owner"]
    assert "not a member of private project SECRET" in resp["errors"]["owner"]
    with sessions() as s:
        assert s.scalar(select(ActionItem)) is None

    console = ConsoleChannel(sessions, clock=lambda: NOW, echo=lambda _t: None)
    console.run("pat", 'project new HUSH "Hush" private')
    console.run("kim", "help")  # kim exists, but is no member of HUSH
    reply = console.run("pat", "new", interactive=True)
    assert reply.form is not None and reply.form.form.id == FormId.NEW_ITEM
    asked: list[str] = []
    done = prompt.fill(
        reply.form,
        scripted(["Plan", "HUSH", "@kim", "", "", "@pat"], asked),
        lambda values: console.submit("pat", reply.form, values),  # type: ignore[arg-type]
        echo=lambda _t: None,
    )
    assert done.ok, done.text
    assert asked[5:] == ["Owner (@handle)"]  # only the owner is asked again
    with sessions() as s:
        item = s.scalar(select(ActionItem))
        assert item is not None and item.title == "Plan"


def test_the_reader_collects_every_error_before_failing() -> None:
    form = Form(
        FormId.STATUS,
        "t",
        "s",
        (
            Field("n", "N", FieldKind.NUMBER, minimum=0, maximum=10),
            Field("t", "T", FieldKind.TEXT, required=True, max_length=3),
            Field("c", "C", FieldKind.CHOICE, choices=(("a", "A"),)),
        ),
    )
    r = Reader(form, {"n": "11", "t": "long", "c": "b"})
    r.number("n"), r.text("t"), r.choice("c")
    assert set(r.errors) == {"n", "t", "c"}
    request = FormRequest(form, {"c": "a"})
    assert prompt.label(form.fields[2], request) == "C (a) [optional]"


def test_a_project_made_in_the_console_form_gets_no_channel(
    sessions: sessionmaker[Session],
) -> None:
    console = ConsoleChannel(sessions, clock=lambda: NOW, echo=lambda _t: None)
    reply = console.run("pat", "project new", interactive=True)
    assert reply.form is not None and reply.form.form.id == FormId.NEW_PROJECT
    done = prompt.fill(
        reply.form,
        scripted(["ORION", "Orion relaunch", "", "n"], []),
        lambda values: console.submit("pat", reply.form, values),  # type: ignore[arg-type]
        echo=lambda _t: None,
    )
    assert done.ok and "ORION" in done.text
    with sessions() as s:
        project = s.scalar(select(Project).where(Project.key == "ORION"))
        assert project is not None and project.home_channel is None and not project.private
