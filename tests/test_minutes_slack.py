"""Minutes through the fake Slack over HTTP: start → notes, decisions, actions (by command,
shortcut and modal) → end → the minutes posted with every part, action items tracked and
their owners DMed; a second start refused; 300 notes split within Block Kit limits;
auto-close after 12 hours; amend after close; export."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot import jobs
from handlers.slack.ids import ActionId, CallbackId
from handlers.slack.notifier import SlackNotifier
from models import ActionItem, AuditEvent, Minutes, MinutesState, SourceKind
from tests.conftest import NOW
from tests.fake_slack import validate_blocks
from tests.slack_harness import SlackBot

MEET = "C0MEET"
HOME = "C0APOLLO"


@pytest.fixture
def slack(engine, sessions, db_url) -> Iterator[SlackBot]:  # type: ignore[no-untyped-def]
    bot = SlackBot(engine, sessions, db_url, NOW)
    bot.deps.notify_pace = 0
    for uid, name in (("U1", "lead"), ("U2", "lara"), ("U3", "kiran"), ("U4", "omar")):
        bot.fake.add_user(uid, name)
    bot.command('project new APOLLO "Apollo" <@U2>')
    bot.command(f"project set APOLLO channel <#{HOME}|apollo>")
    yield bot
    bot.close()


def posts(slack: SlackBot, channel: str, *, method: str = "chat.postMessage") -> list[dict]:  # type: ignore[type-arg]
    return [c.args for c in slack.fake.of(method) if c.args.get("channel") == channel]


def text_of(msg: dict) -> str:  # type: ignore[type-arg]
    """The fallback text and every mrkdwn text (plain_text can't ping: left out)."""
    out = [str(msg.get("text", ""))]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                out.append(str(node.get("text", "")))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(msg.get("blocks", []))
    return "\n".join(out)


def test_minutes_from_start_to_posted_minutes(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    reply = slack.command('minutes start APOLLO "Sprint review <!channel>"', user="U2",
                          channel=MEET)  # fmt: skip
    assert reply["response_type"] == "ephemeral" and "started" in reply["text"]
    (live,) = slack.wait_for(lambda: posts(slack, MEET))
    assert "Sprint review" in text_of(live) and "<!channel>" not in text_of(live)
    validate_blocks(live["blocks"], limit=50)
    # A second start in the same channel is refused, saying where the open one is.
    again = slack.command("minutes start", user="U3", channel=MEET)
    assert "already open" in again["text"] and "@lara" in again["text"]
    # Notes, decisions, actions and attendance by command; the live message follows.
    slack.command('minutes note Budget agreed <!here> ("final")', user="U2", channel=MEET)
    slack.command("minutes decision Go live on 1 Dec", user="U2", channel=MEET)
    reply = slack.command("minutes action <@U3> due:2026-12-04 Send the plan", user="U2",
                          channel=MEET)  # fmt: skip
    assert "Send the plan" in reply["text"] and "tracked" in reply["text"]
    slack.command("minutes attendee <@U3> <@U1>", user="U2", channel=MEET)
    slack.command("minutes absent <@U4>", user="U2", channel=MEET)
    last = slack.wait_for(lambda: [u for u in posts(slack, MEET, method="chat.update")
                                   if "@omar" in text_of(u)])[-1]  # fmt: skip
    with sessions() as s:
        open_minutes = s.scalar(select(Minutes))
        assert open_minutes is not None and last["ts"] == open_minutes.live_ts
    assert "(&quot;final&quot;)" in text_of(last) or '("final")' in text_of(last)
    assert "<!here>" not in text_of(last) and "Go live on 1 Dec" in text_of(last)
    # The "Add to minutes" message shortcut, as a decision linked to the message.
    status, _ = slack.interact({
        "type": "message_action", "callback_id": CallbackId.ADD_TO_MINUTES_SHORTCUT,
        "user": {"id": "U1"}, "channel": {"id": MEET},
        "message": {"ts": "1700000000.000200", "text": "Vendor B is out", "user": "U3"},
        "response_url": slack.fake.response_url("sc"),
    })  # fmt: skip
    assert status == 200
    view = slack.wait_for(lambda: slack.fake.of("views.open"))[-1].args["view"]
    assert view["callback_id"] == CallbackId.ADD_TO_MINUTES_MODAL
    assert slack.submit(view, {
        "am_kind": {"type": "radio_buttons", "selected_option": {"value": "decision"}},
        "am_text": {"type": "plain_text_input", "value": "Drop vendor B"},
    }, user="U1") == {}  # fmt: skip
    # An action from the shortcut without an owner is refused on its field.
    resp = slack.submit(view, {
        "am_kind": {"type": "radio_buttons", "selected_option": {"value": "action"}},
        "am_text": {"type": "plain_text_input", "value": "Tell vendor B"},
    }, user="U1")  # fmt: skip
    assert resp["response_action"] == "errors" and "am_owner" in resp["errors"]
    # The "Add…" button: several notes and an action at once.
    slack.click(live["blocks"], ActionId.MINUTES_ADD, user="U2")
    modal = slack.wait_for(
        lambda: [
            c
            for c in slack.fake.of("views.open")
            if c.args["view"]["callback_id"] == CallbackId.MINUTES_MODAL
        ]
    )
    assert slack.submit(modal[0].args["view"], {
        "mm_notes": {"type": "plain_text_input", "value": "Demo went well\n\nQA signed off"},
        "mm_action": {"type": "plain_text_input", "value": "Book the launch room"},
        "mm_owner": {"type": "users_select", "selected_user": "U2"},
        "mm_due": {"type": "datepicker", "selected_date": "2026-11-30"},
    }, user="U2") == {}  # fmt: skip
    # End: the minutes go to the project channel and the meeting channel; owners get DMs.
    reply = slack.command("minutes end", user="U2", channel=MEET)
    assert "ended" in reply["text"] and f"<#{HOME}>" in reply["text"]
    final = slack.wait_for(lambda: posts(slack, HOME))[0]
    body = text_of(final)
    validate_blocks(final["blocks"], limit=50)
    for part in ("Sprint review", "Budget agreed", "Go live on 1 Dec", "Drop vendor B",
                 "Demo went well", "QA signed off", "Send the plan", "Book the launch room",
                 "@kiran", "@lead", "@omar", "Regrets"):  # fmt: skip
        assert part in body, part
    assert "<!channel>" not in body and "<!here>" not in body
    slack.wait_for(lambda: len(posts(slack, MEET)) >= 2)  # the meeting channel gets them too
    dm = slack.wait_for(lambda: [m for m in posts(slack, "U3") if "Send the plan" in text_of(m)])
    assert ActionId.ITEM_DONE in str(dm[0]["blocks"]) and ActionId.ITEM_SNOOZE in str(dm[0])
    assert slack.wait_for(lambda: [m for m in posts(slack, "U2") if "launch room" in text_of(m)])
    closed = slack.wait_for(lambda: [u for u in posts(slack, MEET, method="chat.update")
                                     if "posted to" in text_of(u)])  # fmt: skip
    assert closed

    def posted_to() -> set[str]:
        with sessions() as s:
            row = s.scalar(select(Minutes))
            return {p["channel"] for p in row.posts} if row else set()

    assert slack.wait_for(lambda: posted_to() == {HOME, MEET})
    with sessions() as s:
        m = s.scalar(select(Minutes))
        assert m is not None and m.state == MinutesState.CLOSED
        items = s.scalars(select(ActionItem).order_by(ActionItem.id)).all()
        assert [(i.title, i.source_kind, i.minutes_id) for i in items] == [
            ("Send the plan", SourceKind.MINUTES, m.id),
            ("Book the launch room", SourceKind.MINUTES, m.id),
        ]
        assert str(items[0].due_on) == "2026-12-04"
    # Kiran's Done button on his DM closes his item.
    slack.click(dm[0]["blocks"], ActionId.ITEM_DONE, user="U3")
    slack.wait_for(lambda: _item_done(sessions, "Send the plan"))
    # Nothing is posted twice by later sweeps.
    before = len(slack.fake.of("chat.postMessage"))
    client = WebClient(token="xoxb-test", base_url=slack.fake.api_url)
    jobs.sweep(sessions, SlackNotifier(lambda team: client, pace=0), now=NOW)
    assert len(slack.fake.of("chat.postMessage")) == before
    # Export: a Markdown file by DM.
    reply = slack.command(f"minutes export {m.id}", user="U1")
    assert ".md" in reply["text"]
    (upload,) = slack.fake.of("upload")
    md = upload.args["data"].decode()
    assert md.startswith("# Sprint review") and "## Decisions" in md and "Drop vendor B" in md
    assert slack.fake.of("files.completeUploadExternal")[0].args["channel_id"] == "DU1"


def _item_done(sessions, title: str) -> bool:  # type: ignore[no-untyped-def]
    with sessions() as s:
        item = s.scalar(select(ActionItem).where(ActionItem.title == title))
        return item is not None and item.status.value == "done"


def test_300_notes_post_complete_minutes_within_block_kit_limits(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    from models import EntryKind, MinutesEntry

    slack.command("minutes start APOLLO", user="U2", channel=MEET)
    with sessions.begin() as s:
        m = s.scalar(select(Minutes))
        assert m is not None
        s.add_all(MinutesEntry(minutes_id=m.id, kind=EntryKind.NOTE, author_id=m.started_by_id,
                               text=f"Note {n:03d}: " + "detail " * 30, created_at=NOW)
                  for n in range(1, 301))  # fmt: skip
    slack.command("minutes note And one more by command", user="U2", channel=MEET)
    live = slack.wait_for(lambda: posts(slack, MEET, method="chat.update"))[-1]
    validate_blocks(live["blocks"], limit=50)  # the live message shows only the latest
    slack.command("minutes end", user="U2", channel=MEET)

    def recorded() -> list[str]:
        with sessions() as s:
            m = s.scalar(select(Minutes))
            return next((p["ts"] for p in m.posts if p["channel"] == HOME), []) if m else []

    ts = slack.wait_for(recorded)
    parts = posts(slack, HOME)
    assert len(parts) == len(ts) >= 2  # split, and every part recorded for amendments
    assert "thread_ts" not in parts[0] and {p.get("thread_ts") for p in parts[1:]} == {ts[0]}
    whole = ""
    for p in parts:
        validate_blocks(p["blocks"], limit=50)
        assert sum(len(str(b)) for b in p["blocks"]) < 40_000
        whole += text_of(p)
    for n in range(1, 301):
        assert f"Note {n:03d}:" in whole
    assert "And one more by command" in whole and f"Part {len(parts)} of {len(parts)}" in whole


def test_minutes_left_open_close_after_12_hours_and_the_starter_is_told(
    slack: SlackBot, sessions
) -> None:  # type: ignore[no-untyped-def]
    slack.command("minutes start APOLLO Kickoff", user="U2", channel=MEET)
    slack.command("minutes note Scope agreed", user="U2", channel=MEET)
    slack.wait_for(lambda: posts(slack, MEET, method="chat.update"))  # the live message
    client = WebClient(token="xoxb-test", base_url=slack.fake.api_url)
    notifier = SlackNotifier(lambda team: client, pace=0)
    jobs.sweep(sessions, notifier, now=NOW + timedelta(hours=11, minutes=59))
    assert posts(slack, HOME) == []  # not yet
    jobs.sweep(sessions, notifier, now=NOW + timedelta(hours=12, minutes=1))
    (final,) = posts(slack, HOME)
    assert "Scope agreed" in text_of(final) and "automatically" in text_of(final)
    told = [m for m in posts(slack, "U2") if "closed automatically" in text_of(m).lower()]
    assert len(told) == 1 and "minutes amend" in text_of(told[0])
    closed = [u for u in posts(slack, MEET, method="chat.update") if "posted to" in text_of(u)]
    assert closed and ActionId.MINUTES_END not in str(closed[-1]["blocks"])
    with sessions() as s:
        m = s.scalar(select(Minutes))
        assert m is not None and m.state == MinutesState.CLOSED and m.auto_closed
    jobs.sweep(sessions, notifier, now=NOW + timedelta(hours=13))
    assert len(posts(slack, HOME)) == 1 and len(told) == 1
    # Minutes can be started again in that channel now.
    reply = slack.command("minutes start", user="U3", channel=MEET)
    assert "started" in reply["text"]


def test_amending_closed_minutes_edits_the_posted_messages_and_is_audited(
    slack: SlackBot, sessions
) -> None:  # type: ignore[no-untyped-def]
    slack.command("project add APOLLO <@U3> member", user="U2")  # members take minutes
    slack.command("minutes start APOLLO Review", user="U3", channel=MEET)
    slack.command("minutes note First thought", user="U3", channel=MEET)
    slack.command("minutes end", user="U3", channel=MEET)

    def posted() -> list[dict]:  # type: ignore[type-arg]
        with sessions() as s:
            m = s.scalar(select(Minutes))
            return list(m.posts) if m else []

    slack.wait_for(lambda: len(posted()) == 2)
    mid = slack.wait_for(lambda: _minutes_id(sessions))
    # Omar neither started them nor runs the project: refused, nothing changes.
    reply = slack.command(f"minutes amend {mid} note Sneaky", user="U4")
    assert ":warning:" in str(reply["blocks"]) and "amend" in reply["text"].lower()
    reply = slack.command(f"minutes amend {mid} edit note 1 First thought, revised", user="U3")
    assert "amended" in reply["text"]
    slack.command(f"minutes amend {mid} decision Ship it", user="U2")  # the PM may too
    home_edit = slack.wait_for(lambda: [u.args for u in slack.fake.of("chat.update")
                                        if "Ship it" in text_of(u.args)
                                        and u.args["channel"] == HOME])  # fmt: skip
    edits = slack.fake.of("chat.update")
    home_ts = next(p["ts"][0] for p in posted() if p["channel"] == HOME)
    assert home_edit and home_edit[-1]["ts"] == home_ts
    assert "First thought, revised" in text_of(home_edit[-1]) and "Sneaky" not in str(edits)
    assert "amended" in text_of(home_edit[-1])
    assert len(posts(slack, HOME)) == 1  # edited in place, not re-posted
    with sessions() as s:
        amends = s.scalars(select(AuditEvent).where(AuditEvent.entity_type == "minutes",
                                                    AuditEvent.action == "amend")).all()  # fmt: skip
        assert len(amends) == 2
        assert amends[0].after == {"was": {"note": 1, "text": "First thought"},
                                   "now": {"note": 1, "text": "First thought, revised"}}  # fmt: skip


def _minutes_id(sessions) -> int | None:  # type: ignore[no-untyped-def]
    with sessions() as s:
        return s.scalar(select(Minutes.id))


def test_cli_exports_minutes_as_markdown(
    slack: SlackBot, sessions, db_url, monkeypatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from bot.cli.main import main

    slack.command('minutes start APOLLO "Budget | review"', user="U2", channel=MEET)
    slack.command("minutes decision Approve <b>Q1</b> budget", user="U2", channel=MEET)
    slack.command("minutes action <@U3> due:2026-12-01 Draft the memo", user="U2", channel=MEET)
    slack.command("minutes end", user="U2", channel=MEET)
    mid = slack.wait_for(lambda: _minutes_id(sessions))
    monkeypatch.setenv("DATABASE_URL", db_url)
    for var in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID"):
        monkeypatch.delenv(var, raising=False)
    out_file = tmp_path / "minutes.md"
    res = CliRunner().invoke(main, ["minutes", "export", str(mid), "--format", "md",
                                    "-o", str(out_file), "--workspace", "T1"])  # fmt: skip
    assert res.exit_code == 0, res.output
    md = out_file.read_text()
    assert md.startswith("# Budget | review\n")
    assert "1. Approve &lt;b&gt;Q1&lt;/b&gt; budget" in md  # no raw HTML in the Markdown
    assert "| Draft the memo | @kiran | 2026-12-01 | open |" in md
    missing = CliRunner().invoke(main, ["minutes", "export", "999", "--workspace", "T1"])
    assert missing.exit_code == 1 and "no minutes #999" in missing.output


def test_end_button_ends_its_own_minutes_only(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    slack.command("minutes start APOLLO First", user="U2", channel=MEET)
    (live,) = slack.wait_for(lambda: posts(slack, MEET))
    slack.click(live["blocks"], ActionId.MINUTES_END, user="U2", channel=MEET)
    slack.wait_for(lambda: posts(slack, HOME))  # posted
    slack.command("project add APOLLO <@U3> member", user="U2")
    slack.command("minutes start APOLLO Second", user="U3", channel=MEET)
    # A stale End button on the first minutes must not end the second ones.
    slack.click(live["blocks"], ActionId.MINUTES_END, user="U2", channel=MEET)
    told = slack.wait_for(lambda: [r for r in slack.fake.responses if "closed" in str(r)])
    assert "Minutes #1 are closed" in str(told[-1])
    with sessions() as s:
        states = {m.title: m.state for m in s.scalars(select(Minutes))}
    assert states == {"First": MinutesState.CLOSED, "Second": MinutesState.OPEN}


def test_minutes_show_list_and_help_through_slack(slack: SlackBot) -> None:
    nothing = slack.command("minutes", user="U2", channel=MEET)
    assert "No minutes are being taken in this channel" in nothing["text"]
    slack.command('minutes start APOLLO "Design <@U4> review"', user="U2", channel=MEET)
    slack.command("minutes note Use the blue theme", user="U2", channel=MEET)
    shown = slack.command("minutes show", user="U3", channel=MEET)
    assert "Use the blue theme" in text_of(shown) and "<@U4>" not in text_of(shown)
    validate_blocks(shown["blocks"], limit=50)
    slack.command("minutes end", user="U2", channel=MEET)
    listed = slack.command("minutes list APOLLO", user="U3")
    assert "#1" in text_of(listed) and "Design" in text_of(listed)
    by_id = slack.command("minutes show 1", user="U3")
    assert "Use the blue theme" in text_of(by_id) and "Regrets" in text_of(by_id)
    assert "There are no minutes #7" in slack.command("minutes show 7", user="U3")["text"]
    helped = slack.command("help minutes", user="U3")
    assert "minutes action @owner" in text_of(helped) and "minutes amend" in text_of(helped)
    bad = slack.command("minutes sumary", user="U3")
    assert "has no `sumary`" in bad["text"] or "has no" in text_of(bad)
