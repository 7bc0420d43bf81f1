"""The registers through the fake Slack over HTTP: RACI set and refused, Sign off / Not yet
(with its modal) by the Accountable, the Informed told; the dependency handshake with Propose
another date (modal) and Accept, then a slip alerting both PMs once; document approvals with
Approve / Request changes (modal) over two versions and the channel told; a stage gate's
Approve; exports as files. Every message is checked against Block Kit's limits."""

from __future__ import annotations

from collections.abc import Iterator
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
    DeliverableStatus,
    Dependency,
    DependencyState,
    DocumentVersion,
    Project,
    VersionState,
)
from tests.conftest import NOW
from tests.fake_slack import validate_blocks
from tests.slack_harness import SlackBot

USERS = {"U1": "lead", "U2": "lara", "U3": "kiran", "U4": "omar", "U5": "cat", "U6": "dan",
         "U7": "eve"}  # fmt: skip


@pytest.fixture
def slack(engine, sessions, db_url) -> Iterator[SlackBot]:  # type: ignore[no-untyped-def]
    bot = SlackBot(engine, sessions, db_url, NOW)
    bot.deps.notify_pace = 0
    for uid, name in USERS.items():
        bot.fake.add_user(uid, name)
    assert "warning" not in str(bot.command("help", user="U1"))
    for uid in USERS:
        bot.command("help", user=uid)  # everyone has used PMO Bot once
    ok(bot.command('project new APOLLO "Apollo" <@U2>'))
    ok(bot.command('project new HERMES "Hermes" <@U3>'))
    ok(bot.command("project set APOLLO channel <#C0APOLLO|apollo>", user="U2"))
    ok(bot.command('deliverable add APOLLO "Design spec" <@U4> due:2026-12-04', user="U2"))
    yield bot
    bot.close()


def ok(reply: dict[str, Any]) -> dict[str, Any]:
    assert ":warning:" not in str(reply), reply
    return reply


def dms(slack: SlackBot, user: str) -> list[dict[str, Any]]:
    return [c.args for c in slack.fake.of("chat.postMessage") if c.args["channel"] == user]


def wait_dms(slack: SlackBot, user: str, n: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = slack.wait_for(
        lambda: len(dms(slack, user)) >= n and dms(slack, user)
    )
    return found


def has_button(msg: dict[str, Any], action_id: str) -> bool:
    return any(
        e.get("action_id") == action_id for b in msg["blocks"] for e in b.get("elements", [])
    )


def opened_view(slack: SlackBot, n: int) -> dict[str, Any]:
    views = slack.wait_for(
        lambda: len(slack.fake.of("views.open")) >= n and slack.fake.of("views.open")
    )
    view: dict[str, Any] = views[n - 1].args["view"]
    return view


def test_raci_sign_off_and_not_yet_by_the_accountable(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    reply = ok(slack.command("raci set APOLLO 1 R <@U4> A <@U5> C <@U6> I <@U7>", user="U2"))
    assert "RACI saved" in reply["text"] + str(reply["blocks"])
    refused = slack.command("raci set APOLLO 1 A <@U6>", user="U2")
    assert ":warning:" in str(refused) and "already has an Accountable: @cat" in str(refused)
    member = slack.command("raci set APOLLO 1 R <@U6>", user="U4")
    assert "Only APOLLO's PM or a PMO lead can set its RACI" in str(member)
    shown = ok(slack.command("raci APOLLO", user="U4"))
    validate_blocks(shown["blocks"], limit=50)
    assert "<@U5>" in str(shown["blocks"])
    # The Responsible marks it done: the Accountable gets Sign off / Not yet, the Consulted a
    # question.
    reply = ok(slack.command("deliverable done 1", user="U4"))
    assert "waits for <@U5>'s sign-off" in str(reply["blocks"])
    (ask,) = wait_dms(slack, "U5", 1)
    validate_blocks(ask["blocks"], limit=50)
    assert has_button(ask, ActionId.SIGNOFF) and has_button(ask, ActionId.SIGNOFF_NOT_YET)
    (question,) = wait_dms(slack, "U6", 1)
    assert "Your input is asked" in question["text"] + str(question["blocks"])
    # Not yet: a modal asks why; an empty reason stays on its field; nothing is saved.
    slack.click(ask["blocks"], ActionId.SIGNOFF_NOT_YET, user="U5", channel="DU5")
    view = opened_view(slack, 1)
    assert view["callback_id"] == CallbackId.SIGNOFF_NOT_YET_MODAL
    resp = slack.submit(view, {"so_reason": {"type": "plain_text_input", "value": ""}}, user="U5")
    assert resp["response_action"] == "errors" and "so_reason" in resp["errors"]
    reason = {"so_reason": {"type": "plain_text_input", "value": "Appendix missing"}}
    assert slack.submit(view, reason, user="U5") == {}
    told = wait_dms(slack, "U4", 1)
    assert "Not yet" in told[-1]["text"] + str(told[-1]["blocks"])
    assert "Appendix missing" in str(told[-1]["blocks"])
    with sessions() as s:
        assert s.get(Deliverable, 1).status == DeliverableStatus.PLANNED  # type: ignore[union-attr]
    # Asked again; Sign off: done, and the Informed are told.
    ok(slack.command("deliverable done 1", user="U4"))

    def asked() -> list[dict[str, Any]]:
        return [m for m in dms(slack, "U5") if has_button(m, ActionId.SIGNOFF)]

    asks = slack.wait_for(lambda: len(asked()) == 2 and asked())
    slack.click(asks[-1]["blocks"], ActionId.SIGNOFF, user="U5", channel="DU5")
    (news,) = wait_dms(slack, "U7", 1)
    assert "Done: APOLLO #1 Design spec" in news["text"] + str(news["blocks"])
    with sessions() as s:
        assert s.get(Deliverable, 1).status == DeliverableStatus.DONE  # type: ignore[union-attr]
    # A second click on the old request says it is settled, changing nothing.
    slack.click(asks[0]["blocks"], ActionId.SIGNOFF, user="U5", channel="DU5")
    again = slack.wait_for(lambda: [r for r in slack.button_replies() if "Nothing waits" in str(r)])
    assert again
    # The chart as a spreadsheet, in the person's DM.
    ok(slack.command("raci export APOLLO", user="U2"))
    (upload,) = slack.wait_for(lambda: slack.fake.of("upload"))
    assert upload.args["head"][:2] == b"PK"  # an .xlsx is a zip


def test_the_dependency_handshake_then_a_slip_alerts_both_pms_once(
    slack: SlackBot, sessions
) -> None:  # type: ignore[no-untyped-def]
    ok(slack.command('deliverable add HERMES "API v2" due:2026-12-10', user="U3"))
    ok(slack.command('depend APOLLO on HERMES "API v2 in staging" by:2026-12-08 #2', user="U2"))
    (request,) = wait_dms(slack, "U3", 1)
    validate_blocks(request["blocks"], limit=50)
    for action in (
        ActionId.DEPENDENCY_ACCEPT,
        ActionId.DEPENDENCY_PROPOSE,
        ActionId.DEPENDENCY_DECLINE,
    ):
        assert has_button(request, action)
    # HERMES proposes another date in a modal; APOLLO gets the same three buttons.
    slack.click(request["blocks"], ActionId.DEPENDENCY_PROPOSE, user="U3", channel="DU3")
    view = opened_view(slack, 1)
    assert view["callback_id"] == CallbackId.DEPENDENCY_PROPOSE_MODAL
    picked = {"dp_on": {"type": "datepicker", "selected_date": "2026-12-11"}}
    assert slack.submit(view, picked, user="U3") == {}
    counter = wait_dms(slack, "U2", 1)[-1]
    assert "HERMES proposes Fri 11 Dec" in counter["text"] + str(counter["blocks"])
    assert has_button(counter, ActionId.DEPENDENCY_ACCEPT)
    slack.click(counter["blocks"], ActionId.DEPENDENCY_ACCEPT, user="U2", channel="DU2")
    slack.wait_for(lambda: [m for m in dms(slack, "U3") if "agreed" in m["text"]])
    with sessions() as s:
        dep = s.get(Dependency, 1)
        assert dep is not None and dep.state == DependencyState.ACCEPTED
        assert dep.needed_by.isoformat() == "2026-12-11"
    # HERMES's deliverable slips past the agreed date: both PMs are alerted, once.
    client = WebClient(token="xoxb-test", base_url=slack.fake.api_url)
    notifier = SlackNotifier(lambda _team: client, pace=0)
    slack.clock.now = datetime(2026, 11, 24, 10, tzinfo=UTC)
    ok(slack.command("deliverable forecast 2 2026-12-18", user="U3"))
    for minute in range(3):
        t = datetime(2026, 11, 24, 10, minute + 1, tzinfo=UTC)
        jobs.sweep(sessions, notifier, now=t)
    for user in ("U2", "U3"):
        alerts = [m for m in dms(slack, user) if "Dependency #1 at risk" in m["text"]]
        assert len(alerts) == 1, user
        validate_blocks(alerts[0]["blocks"], limit=50)
    listed = ok(slack.command("depend list APOLLO", user="U2"))
    assert "At risk" in str(listed["blocks"])


def test_document_approvals_over_two_versions(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    ok(slack.command('doc add APOLLO "Charter" <https://acme.example/charter> v:1.0', user="U2"))
    ok(slack.command("doc approvers 1 <@U5> <@U6>", user="U2"))
    (a5,) = wait_dms(slack, "U5", 1)
    (a6,) = wait_dms(slack, "U6", 1)
    validate_blocks(a5["blocks"], limit=50)
    assert has_button(a5, ActionId.DOCUMENT_APPROVE) and has_button(a5, ActionId.DOCUMENT_CHANGES)
    slack.click(a5["blocks"], ActionId.DOCUMENT_APPROVE, user="U5", channel="DU5")
    slack.click(a6["blocks"], ActionId.DOCUMENT_CHANGES, user="U6", channel="DU6")
    view = opened_view(slack, 1)
    assert view["callback_id"] == CallbackId.DOCUMENT_CHANGES_MODAL
    comment = {"dc_comment": {"type": "plain_text_input", "value": "Add the budget <!channel>"}}
    assert slack.submit(view, comment, user="U6") == {}
    changes = wait_dms(slack, "U2", 1)[-1]
    assert "Changes requested" in changes["text"] + str(changes["blocks"])
    assert "<!channel>" not in str(changes["blocks"]) and "&lt;!channel&gt;" in str(
        changes["blocks"]
    )
    # v1.1: both are asked again (each once), with v1.0's decisions in view.
    ok(slack.command('doc version 1 https://acme.example/charter-2 "Budget added"', user="U2"))

    def ask_for(user: str, value: str) -> dict[str, Any]:
        def found() -> list[dict[str, Any]]:
            return [
                m
                for m in dms(slack, user)
                for b in m["blocks"]
                for e in b.get("elements", [])
                if e.get("action_id") == ActionId.DOCUMENT_APPROVE and e.get("value") == value
            ]

        return slack.wait_for(found)[0]  # type: ignore[no-any-return]

    b5, b6 = ask_for("U5", "1:1.1"), ask_for("U6", "1:1.1")
    assert "v1.0: @cat approved; @dan requested changes" in str(b5["blocks"])
    slack.click(b5["blocks"], ActionId.DOCUMENT_APPROVE, user="U5", channel="DU5")
    slack.click(b6["blocks"], ActionId.DOCUMENT_APPROVE, user="U6", channel="DU6")
    posted = slack.wait_for(
        lambda: [
            c.args for c in slack.fake.of("chat.postMessage") if c.args["channel"] == "C0APOLLO"
        ]
    )
    assert "Approved: APOLLO · Charter v1.1" in posted[0]["text"] + str(posted[0]["blocks"])
    assert "Approved by @cat, @dan." in str(posted[0]["blocks"])  # named, not pinged
    assert "<@U5>" not in str(posted[0]["blocks"])
    for user in ("U5", "U6"):  # each asked once per version
        asked = [
            e["value"]
            for m in dms(slack, user)
            for b in m["blocks"]
            for e in b.get("elements", [])
            if e.get("action_id") == ActionId.DOCUMENT_APPROVE
        ]
        assert asked == ["1:1.0", "1:1.1"], user
    with sessions() as s:
        states = s.scalars(select(DocumentVersion.state).order_by(DocumentVersion.id)).all()
    assert states == [VersionState.SUPERSEDED, VersionState.APPROVED]
    # The old request's buttons now say it was superseded.
    slack.click(a5["blocks"], ActionId.DOCUMENT_APPROVE, user="U5", channel="DU5")
    assert slack.wait_for(lambda: [r for r in slack.button_replies() if "superseded" in str(r)])


def test_a_stage_gate_is_approved_from_its_button_and_the_register_exports(
    slack: SlackBot, sessions
) -> None:  # type: ignore[no-untyped-def]
    ok(slack.command("project gate APOLLO Executing <@U1>", user="U2"))
    reply = ok(slack.command("project set APOLLO phase executing", user="U2"))
    assert "I asked them" in str(reply["blocks"])
    (ask,) = wait_dms(slack, "U1", 1)
    assert has_button(ask, ActionId.GATE_APPROVE) and has_button(ask, ActionId.GATE_REJECT)
    slack.click(ask["blocks"], ActionId.GATE_APPROVE, user="U1", channel="DU1")
    slack.wait_for(lambda: len(dms(slack, "U2")) >= 1)
    with sessions() as s:
        assert s.scalar(select(Project.phase).where(Project.key == "APOLLO")) == "Executing"
    shown = ok(slack.command("project register", user="U1"))
    validate_blocks(shown["blocks"], limit=50)
    assert "Executing" in str(shown["blocks"])
    ok(slack.command("project register csv", user="U1"))
    (upload,) = slack.wait_for(lambda: slack.fake.of("upload"))
    assert upload.args["data"].startswith(b"Key,Name,State,PM,Sponsor,Phase")
    denied = slack.command("project register", user="U4")
    assert "for PMO leads" in str(denied)


def test_decline_and_reject_ask_why_in_a_modal(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    ok(slack.command('depend APOLLO on HERMES "Sandbox access" by:2026-12-08', user="U2"))
    (request,) = wait_dms(slack, "U3", 1)
    # Only HERMES's PM may answer: APOLLO's PM clicking Decline is told so.
    slack.click(request["blocks"], ActionId.DEPENDENCY_DECLINE, user="U2", channel="DU2")
    assert slack.wait_for(
        lambda: [r for r in slack.button_replies() if "waits for HERMES" in str(r)]
    )
    slack.click(request["blocks"], ActionId.DEPENDENCY_DECLINE, user="U3", channel="DU3")
    view = opened_view(slack, 1)
    assert view["callback_id"] == CallbackId.DEPENDENCY_DECLINE_MODAL
    why = {"dd_reason": {"type": "plain_text_input", "value": "No capacity before January"}}
    assert slack.submit(view, why, user="U3") == {}
    told = slack.wait_for(lambda: [m for m in dms(slack, "U2") if "declined" in m["text"]])
    assert "No capacity before January" in str(told[0]["blocks"])
    with sessions() as s:
        assert s.get(Dependency, 1).state == DependencyState.DECLINED  # type: ignore[union-attr]
    # A stage gate rejected from its button, with a reason, leaves the phase alone.
    ok(slack.command("project gate APOLLO Executing <@U5>", user="U2"))
    ok(slack.command("project set APOLLO phase executing", user="U2"))
    (ask,) = wait_dms(slack, "U5", 1)
    slack.click(ask["blocks"], ActionId.GATE_REJECT, user="U5", channel="DU5")
    view = opened_view(slack, 2)
    assert view["callback_id"] == CallbackId.GATE_REJECT_MODAL
    empty = {"gr_reason": {"type": "plain_text_input", "value": ""}}
    resp = slack.submit(view, empty, user="U5")
    assert resp["response_action"] == "errors" and "gr_reason" in resp["errors"]
    reason = {"gr_reason": {"type": "plain_text_input", "value": "Acceptance tests first"}}
    assert slack.submit(view, reason, user="U5") == {}
    rejected = slack.wait_for(lambda: [m for m in dms(slack, "U2") if "stays in" in m["text"]])
    assert "Acceptance tests first" in str(rejected[0]["blocks"])
    with sessions() as s:
        assert s.scalar(select(Project.phase).where(Project.key == "APOLLO")) is None


def test_every_register_view_fits_block_kit(slack: SlackBot) -> None:
    ok(slack.command("raci set APOLLO R <@U4> A <@U2> I <@U1>", user="U2"))
    ok(slack.command("raci set APOLLO 1 C <@U6>", user="U2"))
    ok(slack.command('doc add APOLLO "Charter" https://acme.example/charter', user="U2"))
    ok(slack.command('depend APOLLO on HERMES "Sandbox" by:2026-12-08', user="U2"))
    ok(slack.command("project gate APOLLO Closing <@U1>", user="U2"))
    for text, expect in (
        ("raci APOLLO 1", "project default"),
        ("raci APOLLO", "Accountable: <@U2>"),
        ("doc list APOLLO", "Charter"),
        ("doc show 1", "draft"),
        ("depend list", "waiting for"),
        ("project phases", "Initiating"),
        ("project register APOLLO", "Stage gates"),
        ("help raci", "raci set"),
    ):
        reply = ok(slack.command(text, user="U2"))
        validate_blocks(reply["blocks"], limit=50)
        assert expect in str(reply["blocks"]), text
    ok(slack.command("raci clear APOLLO 1", user="U2"))
    shown = ok(slack.command("raci APOLLO 1", user="U2"))
    assert "<@U6>" not in str(shown["blocks"])


def test_chasers_and_slips_reach_slack_with_their_buttons(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    ok(slack.command("raci set APOLLO 1 A <@U5> I <@U7>", user="U2"))
    ok(slack.command("deliverable done 1", user="U2"))  # Mon 23 Nov: sign-off due Wed
    ok(slack.command('doc add APOLLO "Plan" https://acme.example/plan', user="U2"))
    ok(slack.command("doc approvers 1 <@U6> by:2026-11-25", user="U2"))
    ok(slack.command('deliverable add APOLLO "Build" <@U4> due:2026-11-24', user="U2"))
    ok(slack.command("raci set APOLLO 2 I <@U7>", user="U2"))
    wait_dms(slack, "U5", 1)
    wait_dms(slack, "U6", 1)
    client = WebClient(token="xoxb-test", base_url=slack.fake.api_url)
    notifier = SlackNotifier(lambda _team: client, pace=0)
    for day in (24, 25, 26):
        jobs.sweep(sessions, notifier, now=datetime(2026, 11, day, 10, tzinfo=UTC))
    sign = [m for m in dms(slack, "U5") if "Still waiting for your sign-off" in m["text"]]
    assert len(sign) == 2 and has_button(sign[0], ActionId.SIGNOFF)  # Wed and Thu
    review = [m for m in dms(slack, "U6") if "Reminder: Approval asked" in m["text"]]
    assert len(review) == 3 and has_button(review[-1], ActionId.DOCUMENT_APPROVE)  # Tue to Thu
    slips = [m for m in dms(slack, "U7") if "Slipping: APOLLO #2 Build" in m["text"]]
    assert len(slips) == 1
    for m in sign + review + slips:
        validate_blocks(m["blocks"], limit=50)
