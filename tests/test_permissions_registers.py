"""Who may change what in the RAID log and the registers (sign-off, dependencies, stage
gates, documents), at every Slack entry point that writes, role by role, through the fake
Slack HTTP boundary; forged form submissions included. See test_permissions_matrix."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot import jobs
from handlers.slack.ids import ActionId, CallbackId
from handlers.slack.notifier import SlackNotifier
from models import (
    Deliverable,
    Dependency,
    Document,
    DocumentReview,
    DocumentVersion,
    MeetingOccurrence,
    MeetingSeries,
    Minutes,
    Project,
    ProposalState,
    RaidEntry,
    RaidProposal,
    SignoffRequest,
    StageGate,
)
from tests.permission_roles import (
    CONTRIBUTORS,
    ENTRY_CHANGERS,
    MANAGERS,
    USERS,
    each_role,
    opened_for,
    press,
    refused,
    slack,
    view_values,
    views,
)
from tests.slack_harness import SlackBot

__all__ = ["slack"]  # the fixture


# -- the RAID log: contributors add; the owner, PM and PMO leads change an entry --------------


def new_risk(slack: SlackBot, sessions, title: str, kind: str = "risk") -> int:  # type: ignore[no-untyped-def]
    """An entry of APOLLO owned by the owner, added by a member (a risk, or `kind`)."""
    extra = " p:2 i:2" if kind == "risk" else ""
    slack.command(f'{kind} add APOLLO "{title}"{extra} <@U9>', user="U3")
    with sessions() as s:
        entry_id = s.scalar(select(RaidEntry.id).where(RaidEntry.title == title))
        assert entry_id is not None
        return entry_id


def entry_row(sessions, entry_id: int) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        e = s.get(RaidEntry, entry_id)
        assert e is not None
        return (
            e.title,
            e.status,
            e.probability,
            e.impact,
            e.closed_at,
            e.reviewed_at,
            e.updated_at,
        )


ENTRY_REFUSED = "PM or a PMO lead can change it"
RAID_ROLES = tuple(r for r in USERS if r != "creator")


@pytest.mark.parametrize(
    ("button", "kind"),
    [
        (ActionId.RAID_CLOSE, "risk"),
        (ActionId.RAID_REVIEW, "risk"),
        (ActionId.RAID_REOPEN, "risk"),
        (ActionId.RAID_CONFIRM, "assumption"),
        (ActionId.RAID_INVALID, "assumption"),
        (ActionId.RAID_MET, "dependency"),
        (ActionId.RAID_MISSED, "dependency"),
    ],
)
def test_raid_entry_buttons(slack: SlackBot, sessions, button: ActionId, kind: str) -> None:  # type: ignore[no-untyped-def]
    def check(role: str, user: str) -> bool:
        entry_id = new_risk(slack, sessions, f"{button} by {role}", kind)
        if button == ActionId.RAID_REOPEN:
            press(slack, ActionId.RAID_CLOSE, "U2", value=str(entry_id))
        before = entry_row(sessions, entry_id)
        told = press(slack, button, user, value=str(entry_id))
        after = entry_row(sessions, entry_id)
        if after == before:
            assert ENTRY_REFUSED in told, told
        return after != before

    each_role(check, ENTRY_CHANGERS, RAID_ROLES)


def test_raid_rescore_button_and_forged_rescore_form(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    entry_id = new_risk(slack, sessions, "rescore me")

    def by_button(role: str, user: str) -> bool:
        before = len(views(slack, CallbackId.RAID_RESCORE_MODAL))
        told = press(slack, ActionId.RAID_RESCORE, user, value=str(entry_id))
        opened = len(views(slack, CallbackId.RAID_RESCORE_MODAL)) > before
        if not opened:
            assert ENTRY_REFUSED in told, told
        return opened

    each_role(by_button, ENTRY_CHANGERS, RAID_ROLES)
    view = views(slack, CallbackId.RAID_RESCORE_MODAL)[0]
    filled = view_values(view)
    prob = next(b for b in view["blocks"] if b.get("block_id") == "rs_probability")

    def forged(role: str, user: str) -> bool:
        before = entry_row(sessions, entry_id)
        now_p = entry_row(sessions, entry_id)[2]
        pick = next(o for o in prob["element"]["options"] if o["value"] != str(now_p))
        answer = slack.submit(view, {**filled, "rs_probability": {
            "type": "static_select", "selected_option": pick}}, user=user)  # fmt: skip
        changed = entry_row(sessions, entry_id) != before
        if not changed:
            refused(answer, ENTRY_REFUSED)
        return changed

    each_role(forged, ENTRY_CHANGERS, RAID_ROLES)


def pick(view: dict[str, Any], block: str, text: str) -> dict[str, Any]:
    """The option of a select in `view` whose label or value holds `text`."""
    b = next(b for b in view["blocks"] if b.get("block_id") == block)
    return next(o for o in b["element"]["options"] if text in str(o))


def entries(sessions) -> set[str]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        return set(s.scalars(select(RaidEntry.title)))


def test_new_risk_form_forged_by_each_role(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    view = opened_for(slack, CallbackId.RAID_RISK_MODAL,
                      lambda: press(slack, ActionId.OPEN_NEW_RISK, "U3"))  # fmt: skip

    def check(role: str, user: str) -> bool:
        answer = slack.submit(view, {
            **view_values(view),
            "rr_project": {"type": "static_select", "selected_option": pick(view, "rr_project", "APOLLO")},
            "rr_title": {"type": "plain_text_input", "value": f"risk by {role}"},
            "rr_probability": {"type": "static_select", "selected_option": pick(view, "rr_probability", "3")},
            "rr_impact": {"type": "static_select", "selected_option": pick(view, "rr_impact", "3")},
        }, user=user)  # fmt: skip
        done = f"risk by {role}" in entries(sessions)
        if not done:
            refused(answer, "Only members of APOLLO can add to its RAID log.")
        return done

    each_role(check, CONTRIBUTORS, RAID_ROLES)


def test_log_shortcut_and_forged_log_form(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    def shortcut() -> None:
        status, _ = slack.interact({
            "type": "message_action", "callback_id": CallbackId.RAID_LOG_SHORTCUT,
            "user": {"id": "U5"}, "channel": {"id": "C1"},
            "message": {"ts": "1700000000.000300", "text": "Vendor B may slip", "user": "U3"},
            "response_url": slack.fake.response_url("log-shortcut"),
        })  # fmt: skip
        assert status == 200

    view = opened_for(slack, CallbackId.RAID_LOG_MODAL, shortcut)  # the form opens for anyone

    def check(role: str, user: str) -> bool:
        answer = slack.submit(view, {
            **view_values(view),
            "rl_project": {"type": "static_select", "selected_option": pick(view, "rl_project", "APOLLO")},
            "rl_kind": {"type": "radio_buttons", "selected_option": pick(view, "rl_kind", "issue")},
            "rl_title": {"type": "plain_text_input", "value": f"logged by {role}"},
            "rl_severity": {"type": "static_select", "selected_option": pick(view, "rl_severity", "low")},
        }, user=user)  # fmt: skip
        done = f"logged by {role}" in entries(sessions)
        if not done:
            refused(answer, "Only members of APOLLO can add to its")
        return done

    each_role(check, CONTRIBUTORS, RAID_ROLES)


def test_raid_edit_button_and_forged_edit_form(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    entry_id = new_risk(slack, sessions, "edit this risk")

    def by_button(role: str, user: str) -> bool:
        before = len(views(slack, CallbackId.RAID_RISK_MODAL))
        told = press(slack, ActionId.RAID_EDIT, user, value=str(entry_id))
        opened = len(views(slack, CallbackId.RAID_RISK_MODAL)) > before
        if not opened:
            assert ENTRY_REFUSED in told, told
        return opened

    each_role(by_button, ENTRY_CHANGERS, RAID_ROLES)
    view = views(slack, CallbackId.RAID_RISK_MODAL)[0]

    def forged(role: str, user: str) -> bool:
        before = entry_row(sessions, entry_id)
        answer = slack.submit(view, {**view_values(view), "rr_title": {
            "type": "plain_text_input", "value": f"edited by {role}"}}, user=user)  # fmt: skip
        changed = entry_row(sessions, entry_id) != before
        if not changed:
            refused(answer, ENTRY_REFUSED)
        return changed

    each_role(forged, ENTRY_CHANGERS, RAID_ROLES)


def test_raid_resolve_button_and_forged_resolve_form(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    entry_id = new_risk(slack, sessions, "resolve this issue", "issue")

    def by_button(role: str, user: str) -> bool:
        before = len(views(slack, CallbackId.RAID_RESOLVE_MODAL))
        told = press(slack, ActionId.RAID_RESOLVE, user, value=str(entry_id))
        opened = len(views(slack, CallbackId.RAID_RESOLVE_MODAL)) > before
        if not opened:
            assert ENTRY_REFUSED in told, told
        return opened

    each_role(by_button, ENTRY_CHANGERS, RAID_ROLES)
    view = views(slack, CallbackId.RAID_RESOLVE_MODAL)[0]

    def forged(role: str, user: str) -> bool:
        issue = new_risk(slack, sessions, f"an issue for the {role}", "issue")
        meta = json.loads(view["private_metadata"])  # the same form, for another issue
        other = {**view, "private_metadata": json.dumps({**meta, "entry_id": issue})}
        before = entry_row(sessions, issue)
        answer = slack.submit(other, {"rv_resolution": {
            "type": "plain_text_input", "value": f"resolved by the {role}"}}, user=user)  # fmt: skip
        changed = entry_row(sessions, issue) != before
        if not changed:
            refused(answer, ENTRY_REFUSED)
        return changed

    each_role(forged, ENTRY_CHANGERS, RAID_ROLES)


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

    each_role(accept, MANAGERS, RAID_ROLES)
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


@pytest.mark.parametrize("button", [ActionId.RAID_OFFER_LOG, ActionId.RAID_OFFER_DISMISS])
def test_offer_buttons_are_for_whoever_may_add_to_the_log(  # type: ignore[no-untyped-def]
    slack: SlackBot, sessions, button: ActionId
) -> None:
    """An assumption found invalid offers a risk; logging or dismissing it adds to the log."""

    def offer(title: str) -> int:
        slack.command(f'assumption add APOLLO "{title}" <@U9>', user="U3")
        with sessions() as s:
            a = s.scalar(select(RaidEntry).where(RaidEntry.title == title))
            assert a is not None
            number, entry_id = a.number, a.id
        slack.command(f"assumption invalid APOLLO A-{number}", user="U9")
        with sessions() as s:
            offer_id = s.scalar(
                select(RaidProposal.id).where(RaidProposal.source_entry_id == entry_id)
            )
            assert offer_id is not None
            return offer_id

    def state(offer_id: int) -> object:
        with sessions() as s:
            return s.scalar(select(RaidProposal.state).where(RaidProposal.id == offer_id))

    def check(role: str, user: str) -> bool:
        offer_id = offer(f"{button} holds for {role}")
        told = press(slack, button, user, value=str(offer_id))
        taken = state(offer_id) != ProposalState.OFFERED
        if not taken:
            assert "Only members of APOLLO can add to its RAID log." in told, told
        return taken

    each_role(check, CONTRIBUTORS, RAID_ROLES)


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

    each_role(check, CONTRIBUTORS, RAID_ROLES)


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
