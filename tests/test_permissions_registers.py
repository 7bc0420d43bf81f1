"""Who may change what in the registers and meetings, at every Slack entry point that writes,
role by role, through the fake Slack HTTP boundary: sign-off, dependencies, stage gates and
documents are answered by who they are asked of; minutes are started from an agenda by
members; a meeting is re-imported by who may change it. Forged form submissions included,
and the typed commands of every part. See test_permissions_matrix."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot import jobs
from handlers.slack.ids import ActionId, CallbackId
from handlers.slack.notifier import SlackNotifier
from models import (
    AuditEvent,
    Deliverable,
    Dependency,
    Document,
    DocumentReview,
    DocumentVersion,
    MeetingOccurrence,
    MeetingSeries,
    Minutes,
    Project,
    SignoffRequest,
    StageGate,
)
from tests.permission_roles import (
    CONTRIBUTORS,
    MANAGERS,
    USERS,
    WITHOUT_CREATOR,
    each_role,
    opened_for,
    press,
    refused,
    slack,
)
from tests.slack_harness import SlackBot

__all__ = ["slack"]  # the fixture


# -- the registers: named people answer what was asked of them --------------------------------

LAST = ("pm", "pmo_lead", "sponsor", "member", "viewer", "non_member", "admin", "owner")


def deliverable(slack: SlackBot, sessions, title: str) -> int:  # type: ignore[no-untyped-def]
    """A deliverable of APOLLO whose Accountable (the owner) is asked to sign it off."""
    slack.command(f'deliverable add APOLLO "{title}" due:2027-01-15', user="U2")
    with sessions() as s:
        d_id = s.scalar(select(Deliverable.id).where(Deliverable.title == title))
    slack.command(f"raci set APOLLO {d_id} A <@U9>", user="U2")
    slack.command(f"deliverable done {d_id}", user="U2")
    return int(d_id or 0)


def signoff_state(sessions, d_id: int) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        d = s.get(Deliverable, d_id)
        req = s.scalar(select(SignoffRequest).where(SignoffRequest.deliverable_id == d_id))
        assert d is not None and req is not None
        return (d.status, req.state, req.reason)


def test_sign_off_button_and_forged_not_yet_form(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    signed = deliverable(slack, sessions, "Design spec")

    def by_button(role: str, user: str) -> bool:
        before = signoff_state(sessions, signed)
        told = press(slack, ActionId.SIGNOFF, user, value=str(signed))
        changed = signoff_state(sessions, signed) != before
        if not changed:
            assert "Only <@U9> can sign off" in told or "Only @olga can sign off" in told, told
        return changed

    each_role(by_button, {"owner"}, LAST)
    held = deliverable(slack, sessions, "Test plan")
    view = opened_for(slack, CallbackId.SIGNOFF_NOT_YET_MODAL,
                      lambda: press(slack, ActionId.SIGNOFF_NOT_YET, "U9", value=str(held)))  # fmt: skip
    assert "can sign off" in press(slack, ActionId.SIGNOFF_NOT_YET, "U2", value=str(held))

    def forged(role: str, user: str) -> bool:
        before = signoff_state(sessions, held)
        answer = slack.submit(view, {"so_reason": {
            "type": "plain_text_input", "value": f"not yet, says the {role}"}}, user=user)  # fmt: skip
        changed = signoff_state(sessions, held) != before
        if not changed:
            refused(answer, "can sign off deliverable")
        return changed

    each_role(forged, {"owner"}, LAST)


def new_dependency(slack: SlackBot, sessions, what: str) -> int:  # type: ignore[no-untyped-def]
    """HERMES (led by U1) asks APOLLO to commit to `what`: APOLLO's PM answers."""
    slack.command(f'depend HERMES on APOLLO "{what}" by:2027-01-10', user="U1")
    with sessions() as s:
        dep_id = s.scalar(select(Dependency.id).where(Dependency.what == what))
        assert dep_id is not None
        return dep_id


def dependency_row(sessions, dep_id: int) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        d = s.get(Dependency, dep_id)
        assert d is not None
        return (d.state, d.needed_by, d.proposed_on, d.decided_by_id)


def test_dependency_buttons_and_forged_answer_forms(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    slack.command('project new HERMES "Hermes"', user="U1")

    def accept(role: str, user: str) -> bool:
        dep_id = new_dependency(slack, sessions, f"accept for {role}")
        before = dependency_row(sessions, dep_id)
        told = press(slack, ActionId.DEPENDENCY_ACCEPT, user, value=str(dep_id))
        changed = dependency_row(sessions, dep_id) != before
        if not changed:
            assert "waits for APOLLO's PM to answer" in told, told
        return changed

    each_role(accept, MANAGERS, WITHOUT_CREATOR)
    dep_id = new_dependency(slack, sessions, "decline it")
    view = opened_for(slack, CallbackId.DEPENDENCY_DECLINE_MODAL,
                      lambda: press(slack, ActionId.DEPENDENCY_DECLINE, "U2", value=str(dep_id)))  # fmt: skip

    def decline(role: str, user: str) -> bool:
        before = dependency_row(sessions, dep_id)
        answer = slack.submit(view, {"dd_reason": {
            "type": "plain_text_input", "value": f"no, says the {role}"}}, user=user)  # fmt: skip
        changed = dependency_row(sessions, dep_id) != before
        if not changed:
            refused(answer, "waits for APOLLO's PM to answer")
        return changed

    each_role(decline, {"pm"}, ("member", "viewer", "non_member", "admin", "sponsor", "pm"))


def test_stage_gate_buttons_and_forged_reject_form(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    slack.command("project gate APOLLO Planning <@U9>", user="U2")
    slack.command("project set APOLLO phase Planning", user="U2")

    def phase() -> tuple[object, ...]:
        with sessions() as s:
            p = s.scalar(select(Project).where(Project.key == "APOLLO"))
            g = s.scalar(select(StageGate).where(StageGate.phase == "Planning"))
            assert p is not None and g is not None
            return (p.phase, g.state, g.note)

    def approve(role: str, user: str) -> bool:
        before = phase()
        told = press(slack, ActionId.GATE_APPROVE, user, value="APOLLO:Planning")
        if phase() == before:
            assert "approves APOLLO entering Planning" in told, told
        return phase() != before

    each_role(approve, {"owner"}, LAST)
    slack.command("project gate APOLLO Executing <@U9>", user="U2")
    slack.command("project set APOLLO phase Executing", user="U2")
    view = opened_for(slack, CallbackId.GATE_REJECT_MODAL,
                      lambda: press(slack, ActionId.GATE_REJECT, "U9", value="APOLLO:Executing"))  # fmt: skip
    assert "waits for you" in press(slack, ActionId.GATE_REJECT, "U2", value="APOLLO:Executing")

    def reject(role: str, user: str) -> bool:
        with sessions() as s:
            before = s.scalar(select(StageGate.state).where(StageGate.phase == "Executing"))
        answer = slack.submit(view, {"gr_reason": {
            "type": "plain_text_input", "value": f"not yet, says the {role}"}}, user=user)  # fmt: skip
        with sessions() as s:
            after = s.scalar(select(StageGate.state).where(StageGate.phase == "Executing"))
        if after == before:
            refused(answer, "approves APOLLO entering Executing")
        return after != before

    each_role(reject, {"owner"}, LAST)


def test_document_buttons_and_forged_changes_form(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    def review(doc_id: int) -> tuple[object, ...]:
        with sessions() as s:
            return tuple(s.execute(select(DocumentReview.decision, DocumentReview.comment)
                                   .join(DocumentVersion).where(DocumentVersion.document_id == doc_id)).all())  # fmt: skip

    def new_doc(title: str) -> int:
        slack.command(f'doc add APOLLO "{title}" https://docs.example.com/{len(title)}', user="U2")
        with sessions() as s:
            doc_id = s.scalar(select(Document.id).where(Document.title == title))
        slack.command(f"doc approvers {doc_id} <@U9>", user="U2")
        return int(doc_id or 0)

    approved = new_doc("Charter")

    def approve(role: str, user: str) -> bool:
        before = review(approved)
        told = press(slack, ActionId.DOCUMENT_APPROVE, user, value=f"{approved}:1.0")
        if review(approved) == before:
            assert "not an approver of document" in told, told
        return review(approved) != before

    each_role(approve, {"owner"}, LAST)
    changed = new_doc("Business case")
    view = opened_for(slack, CallbackId.DOCUMENT_CHANGES_MODAL,
                      lambda: press(slack, ActionId.DOCUMENT_CHANGES, "U9", value=f"{changed}:1.0"))  # fmt: skip
    assert "not an approver" in press(
        slack, ActionId.DOCUMENT_CHANGES, "U2", value=f"{changed}:1.0"
    )

    def changes(role: str, user: str) -> bool:
        before = review(changed)
        answer = slack.submit(view, {"dc_comment": {
            "type": "plain_text_input", "value": f"fix it, says the {role}"}}, user=user)  # fmt: skip
        if review(changed) == before:
            refused(answer, "not an approver of document")
        return review(changed) != before

    each_role(changes, {"owner"}, LAST)


def test_start_minutes_from_the_agenda(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    slack.command("project set APOLLO channel <#C0APOLLO|apollo>", user="U2")  # the agenda's
    slack.command('meeting new APOLLO "Weekly sync" weekly on tue 10:00', user="U2")
    client = WebClient(token="xoxb-test", base_url=slack.fake.api_url)
    slack.clock.now = datetime(2026, 11, 24, 9, 46, tzinfo=UTC)
    jobs.sweep(sessions, SlackNotifier(lambda _team: client, pace=0), now=slack.clock.now)
    with sessions() as s:
        occurrence = s.scalar(select(MeetingOccurrence.id))
    assert occurrence is not None

    def started(channel: str) -> bool:
        with sessions() as s:
            return s.scalar(select(Minutes.id).where(Minutes.channel == channel)) is not None

    def check(role: str, user: str) -> bool:
        here = f"C{role.upper()}"
        told = press(slack, ActionId.MINUTES_START, user, value=str(occurrence), channel=here,
                     until=lambda: started(here))  # fmt: skip
        if not started(here):
            assert "Only members of APOLLO can take its minutes." in told, told
        return started(here)

    each_role(check, CONTRIBUTORS, WITHOUT_CREATOR)


CALENDAR = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Google Inc//Google Calendar 70.9054//EN\r
BEGIN:VEVENT\r
DTSTART;TZID=America/New_York:20261020T100000\r
DTEND;TZID=America/New_York:20261020T103000\r
RRULE:FREQ=WEEKLY;BYDAY=TU\r
DTSTAMP:20261101T000000Z\r
UID:{uid}\r
SUMMARY:{title}\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_a_new_import_of_a_meeting_changes_it_only_for_who_may(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    """Importing a file whose event is already here updates that series: its organizer, the
    PM or a PMO lead may; a member may not, nor may anyone move another project's meeting
    (a private one included) into theirs."""
    view = opened_for(slack, CallbackId.MEETING_IMPORT_MODAL,
                      lambda: slack.command("meeting import APOLLO", user="U2", expect_reply=False))  # fmt: skip

    def upload(uid: str, title: str, user: str) -> dict[str, Any]:
        file = slack.fake.add_file(
            f"{len(titles())}-{user}.ics", CALENDAR.format(uid=uid, title=title).encode()
        )
        return slack.submit(view, {"mi_file": {"type": "file_input", "files": [file]}}, user=user)

    def titles() -> dict[str, str]:
        with sessions() as s:
            return {r.uid: r.title for r in s.scalars(select(MeetingSeries))}

    assert upload("sync@example.com", "Apollo sync", "U2") == {}  # the PM organizes it

    def check(role: str, user: str) -> bool:
        answer = upload("sync@example.com", f"Apollo sync, as the {role}", user)
        changed = titles()["sync@example.com"] == f"Apollo sync, as the {role}"
        if not changed:
            assert answer.get("response_action") == "errors", answer
            assert "can change it" in str(answer) or "can schedule its meetings" in str(answer)
        return changed

    each_role(check, MANAGERS)
    slack.command('project new HERMES "Hermes" private', user="U1")
    hermes = opened_for(slack, CallbackId.MEETING_IMPORT_MODAL,
                        lambda: slack.command("meeting import HERMES", user="U1", expect_reply=False))  # fmt: skip
    secret = slack.fake.add_file("h.ics", CALENDAR.format(uid="hermes@example.com",
                                                          title="Hermes board").encode())  # fmt: skip
    assert (
        slack.submit(hermes, {"mi_file": {"type": "file_input", "files": [secret]}}, user="U1")
        == {}
    )
    answer = upload("hermes@example.com", "Taken over", "U2")
    refused(answer, "is a meeting of another project")
    assert "Hermes board" not in str(answer)
    assert titles()["hermes@example.com"] == "Hermes board"


# -- commands: the same rules when typed -------------------------------------------------------

COMMANDS = [  # (command, who may, what a refused role is told)
    ('action add APOLLO "typed by the {role}"', CONTRIBUTORS, "can add its action items"),
    ('risk add APOLLO "typed by the {role}" p:2 i:2', CONTRIBUTORS, "can add to its"),
    ('decision add APOLLO "typed by the {role}"', CONTRIBUTORS, "can add to its"),
    ('meeting new APOLLO "Sync of the {role}" weekly on tue 10:00', CONTRIBUTORS,
     "can schedule its meetings"),
    ('doc add APOLLO "Doc of the {role}" https://docs.example.com/{role}', CONTRIBUTORS,
     "members can add documents"),
    ('deliverable add APOLLO "typed by the {role}" due:2027-01-15', MANAGERS, "PMO lead can"),
    ("project set APOLLO description set by the {role}", MANAGERS, "PMO lead can change it"),
    ("status settings APOLLO time {hour}:00", MANAGERS, "change its status round"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("command", "allowed", "told"), COMMANDS, ids=[c[0].split(" APOLLO")[0] for c in COMMANDS]
)
def test_typed_commands_follow_the_same_rules(  # type: ignore[no-untyped-def]
    slack: SlackBot, sessions, command: str, allowed: set[str], told: str
) -> None:
    """Every change writes an audit event in its transaction: a refused command writes none
    and says why."""

    def events() -> int:
        with sessions() as s:
            return len(s.scalars(select(AuditEvent.id)).all())

    def check(role: str, user: str) -> bool:
        before = events()
        hour = 10 + list(USERS).index(role)
        reply = slack.command(command.format(role=role.replace("_", "-"), hour=hour), user=user)
        changed = events() > before
        if not changed:
            assert told in reply["text"], reply["text"]
        return changed

    each_role(check, allowed)
