"""Minutes follow project permissions, at every entry point, through the fake Slack HTTP
boundary: a project's members, PM and PMO leads add to its minutes, end and amend them; a
viewer, a non-member and an admin who is neither read only — by command, button, shortcut
or form (a forged modal submission included). One table of roles, one test per entry point."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select

from handlers.slack.ids import ActionId, BlockId, CallbackId
from models import ActionItem, Minutes, MinutesAttendee, MinutesEntry, MinutesState, Person
from tests.conftest import NOW
from tests.slack_harness import SlackBot

MEET = "C0MEET"
ROLES = {  # role -> Slack user
    "admin": "U6",  # workspace admin only: no project role
    "pmo_lead": "U7",
    "pm": "U2",
    "member": "U3",
    "viewer": "U4",
    "non_member": "U5",
}
MAY_WRITE = {"pmo_lead", "pm", "member"}
REFUSED = "Only members of APOLLO can change its minutes."


@pytest.fixture
def slack(engine, sessions, db_url) -> Iterator[SlackBot]:  # type: ignore[no-untyped-def]
    bot = SlackBot(engine, sessions, db_url, NOW)
    bot.deps.notify_pace = 0
    for uid, name in (("U1", "first"), ("U2", "pat"), ("U3", "mia"), ("U4", "vic"),
                      ("U5", "nora"), ("U6", "ada"), ("U7", "lee")):  # fmt: skip
        bot.fake.add_user(uid, name)
    bot.command("help", user="U1")  # the first person: admin and PMO lead
    bot.command('project new APOLLO "Apollo" <@U2>', user="U1")
    bot.command("project add APOLLO <@U3> member", user="U2")
    bot.command("project add APOLLO <@U4> viewer", user="U2")
    bot.command("admin grant <@U6> admin", user="U1")
    bot.command("admin grant <@U7> pmo_lead", user="U1")
    for uid in ("U5", "U6"):
        bot.command("help", user=uid)  # seen, so they can be named
    yield bot
    bot.close()


def open_minutes(slack: SlackBot, sessions) -> int:  # type: ignore[no-untyped-def]
    """Minutes open in MEET (started by the PM), their id."""
    with sessions() as s:
        m = s.scalar(select(Minutes).where(Minutes.state == MinutesState.OPEN))
        if m is not None:
            return m.id
    slack.command("minutes start APOLLO Weekly", user="U2", channel=MEET)
    with sessions() as s:
        m = s.scalar(select(Minutes).where(Minutes.state == MinutesState.OPEN))
        assert m is not None
        return m.id


def live_message(slack: SlackBot, mid: int) -> dict | None:  # type: ignore[type-arg]
    """The live message of minutes `mid` (its buttons act on them)."""
    for c in slack.fake.of("chat.postMessage"):
        bids = [b.get("block_id") for b in c.args.get("blocks") or []]
        if f"{BlockId.MINUTES_PREFIX}{mid}" in bids:
            return c.args
    return None


def entry_texts(sessions) -> set[str]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        return set(s.scalars(select(MinutesEntry.text)))


def each_role(check: Callable[[str, str], bool]) -> None:
    """Run `check(role, user)` for every role: it says whether the change happened."""
    got = {role: check(role, user) for role, user in ROLES.items()}
    assert got == {role: role in MAY_WRITE for role in ROLES}


@pytest.mark.parametrize("verb", ["note", "decision"])
def test_minutes_note_and_decision_by_command(slack: SlackBot, sessions, verb: str) -> None:  # type: ignore[no-untyped-def]
    open_minutes(slack, sessions)

    def check(role: str, user: str) -> bool:
        reply = slack.command(f"minutes {verb} from the {role}", user=user, channel=MEET)
        done = f"from the {role}" in entry_texts(sessions)
        assert done or REFUSED in reply["text"], reply["text"]
        return done

    each_role(check)


def test_minutes_action_by_command(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    open_minutes(slack, sessions)

    def check(role: str, user: str) -> bool:
        reply = slack.command(f"minutes action <@U3> Plan for {role}", user=user, channel=MEET)
        with sessions() as s:
            done = s.scalar(select(ActionItem).where(ActionItem.title == f"Plan for {role}"))
        assert done or REFUSED in reply["text"], reply["text"]
        return done is not None

    each_role(check)


def test_minutes_attendance_by_command(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    mid = open_minutes(slack, sessions)

    def check(role: str, user: str) -> bool:
        reply = slack.command(f"minutes absent <@{user}>", user=user, channel=MEET)
        with sessions() as s:
            row = s.scalar(
                select(MinutesAttendee)
                .join(Person, Person.id == MinutesAttendee.person_id)
                .where(MinutesAttendee.minutes_id == mid, Person.external_id == user)
            )
        assert row or REFUSED in reply["text"], reply["text"]
        return row is not None

    each_role(check)


def _closed(sessions, mid: int) -> bool:  # type: ignore[no-untyped-def]
    with sessions() as s:
        m = s.get(Minutes, mid)
        return m is not None and m.state == MinutesState.CLOSED


def test_minutes_end_by_command_and_by_button(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    def by_command(role: str, user: str) -> bool:
        mid = open_minutes(slack, sessions)
        reply = slack.command("minutes end", user=user, channel=MEET)
        assert _closed(sessions, mid) or REFUSED in reply["text"], reply["text"]
        return _closed(sessions, mid)

    each_role(by_command)

    def by_button(role: str, user: str) -> bool:
        mid = open_minutes(slack, sessions)
        live = slack.wait_for(lambda: live_message(slack, mid))
        before = len(slack.button_replies())
        slack.click(live["blocks"], ActionId.MINUTES_END, user=user, channel=MEET)
        slack.wait_for(lambda: _closed(sessions, mid) or len(slack.button_replies()) > before)
        if not _closed(sessions, mid):
            assert REFUSED in str(slack.button_replies()[-1])
        return _closed(sessions, mid)

    each_role(by_button)


def test_minutes_amend_by_command(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    mid = open_minutes(slack, sessions)
    slack.command("minutes end", user="U2", channel=MEET)
    got = {}
    for role, user in ROLES.items():
        reply = slack.command(f"minutes amend {mid} note amended by {role}", user=user)
        got[role] = f"amended by {role}" in entry_texts(sessions)
        assert got[role] or ":warning:" in str(reply["blocks"]), reply["text"]
    # Amending is for whoever started them, the PM and PMO leads; never for a reader.
    assert got == {role: role in ("pm", "pmo_lead") for role in ROLES}


def test_the_add_button_and_the_shortcut_open_the_form_for_writers_only(  # type: ignore[no-untyped-def]
    slack: SlackBot, sessions
) -> None:
    open_minutes(slack, sessions)
    live = slack.wait_for(lambda: [c.args for c in slack.fake.of("chat.postMessage")
                                   if c.args.get("channel") == MEET])[-1]  # fmt: skip

    def forms() -> int:
        return len(slack.fake.of("views.open"))

    def by_button(role: str, user: str) -> bool:
        before, replies = forms(), len(slack.button_replies())
        slack.click(live["blocks"], ActionId.MINUTES_ADD, user=user, channel=MEET)
        slack.wait_for(lambda: forms() > before or len(slack.button_replies()) > replies)
        if forms() == before:
            assert REFUSED in str(slack.button_replies()[-1])
        return forms() > before

    each_role(by_button)

    def by_shortcut(role: str, user: str) -> bool:
        before = forms()
        name = f"sc-{role}"
        status, _ = slack.interact({
            "type": "message_action", "callback_id": CallbackId.ADD_TO_MINUTES_SHORTCUT,
            "user": {"id": user}, "channel": {"id": MEET},
            "message": {"ts": "1700000000.000200", "text": "Vendor B is out", "user": "U3"},
            "response_url": slack.fake.response_url(name),
        })  # fmt: skip
        assert status == 200
        path = f"/response/{name}"
        slack.wait_for(
            lambda: forms() > before or any(r["url"] == path for r in slack.fake.responses)
        )
        if forms() == before:
            told = [r for r in slack.fake.responses if r["url"] == path]
            assert REFUSED in str(told)
        return forms() > before

    each_role(by_shortcut)


def test_a_forged_form_submission_changes_nothing_for_readers(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    """A modal opened for the PM, submitted by each role (a replayed or forged view)."""
    open_minutes(slack, sessions)
    live = slack.wait_for(lambda: [c.args for c in slack.fake.of("chat.postMessage")
                                   if c.args.get("channel") == MEET])[-1]  # fmt: skip
    slack.click(live["blocks"], ActionId.MINUTES_ADD, user="U2", channel=MEET)
    view = slack.wait_for(lambda: [c.args["view"] for c in slack.fake.of("views.open")
                                   if c.args["view"]["callback_id"] == CallbackId.MINUTES_MODAL])[0]  # fmt: skip
    status, _ = slack.interact({
        "type": "message_action", "callback_id": CallbackId.ADD_TO_MINUTES_SHORTCUT,
        "user": {"id": "U2"}, "channel": {"id": MEET},
        "message": {"ts": "1700000000.000200", "text": "Vendor B is out", "user": "U3"},
        "response_url": slack.fake.response_url("sc-pm"),
    })  # fmt: skip
    assert status == 200
    add_view = slack.wait_for(lambda: [c.args["view"] for c in slack.fake.of("views.open")
                                       if c.args["view"]["callback_id"]
                                       == CallbackId.ADD_TO_MINUTES_MODAL])[0]  # fmt: skip

    def minutes_form(role: str, user: str) -> bool:
        answer = slack.submit(view, {
            "mm_notes": {"type": "plain_text_input", "value": f"form note by {role}"},
            "mm_attendees": {"type": "multi_users_select", "selected_users": [user]},
        }, user=user)  # fmt: skip
        done = f"form note by {role}" in entry_texts(sessions)
        assert done == (answer == {}), answer
        if not done:
            assert answer["response_action"] == "errors" and REFUSED in str(answer["errors"])
        return done

    each_role(minutes_form)

    def add_form(role: str, user: str) -> bool:
        answer = slack.submit(add_view, {
            "am_kind": {"type": "radio_buttons", "selected_option": {"value": "decision"}},
            "am_text": {"type": "plain_text_input", "value": f"shortcut decision by {role}"},
        }, user=user)  # fmt: skip
        done = f"shortcut decision by {role}" in entry_texts(sessions)
        assert done == (answer == {}), answer
        return done

    each_role(add_form)


def test_starting_minutes_of_a_project_is_for_its_members(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    def check(role: str, user: str) -> bool:
        channel = f"C0{role.upper().replace('_', '')}"
        reply = slack.command("minutes start APOLLO Standup", user=user, channel=channel)
        with sessions() as s:
            started = s.scalar(select(Minutes).where(Minutes.channel == channel))
        if started is None:
            assert "Only members of APOLLO can take its minutes." in reply["text"]
        return started is not None

    each_role(check)
