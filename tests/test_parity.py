"""Parity: one scenario table runs on the console, on Slack (fake Slack over HTTP) and on
Teams (fake Bot Connector over HTTP) and leaves the same rows — projects, members, items,
status updates, minutes, notifications and audit actions — compared by a normalised dump."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot import jobs
from handlers.console.channel import ConsoleChannel
from handlers.console.notifier import ConsoleNotifier
from handlers.slack.ids import ActionId
from handlers.slack.notifier import SlackNotifier
from handlers.teams.notifier import Pacer, TeamsNotifier
from models import (
    ActionItem,
    AuditEvent,
    Membership,
    Minutes,
    MinutesEntry,
    Notification,
    Person,
    Project,
    StatusUpdate,
)
from services.core.errors import FormErrors
from tests.conftest import NOW, _wipe
from tests.slack_harness import SlackBot
from tests.teams_harness import TeamsBot
from tests.test_forms import ANSWERS, slack_values

CHAN_TEAMS = "19:apollo@thread.tacv2"
BAD = {**ANSWERS, "percent": "140"}


class Driver(Protocol):
    def say(self, who: str, text: str, *, channel: bool) -> None: ...
    def mention(self, who: str) -> str: ...
    def done(self, who: str, item_id: int) -> None: ...
    def snooze(self, who: str, item_id: int, days: int) -> None: ...
    def status_form(self, who: str, key: str) -> str: ...  # the first (bad) answer's error
    def sweep(self, now: datetime) -> None: ...
    def at(self, now: datetime) -> None: ...


@dataclass(frozen=True)
class Step:
    who: str
    do: str  # say | say_here (in the channel) | done | snooze | status | sweep
    arg: str
    expect: Callable[[dict[str, Any]], bool]


def items(d: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {i[0]: i for i in d["items"]}


SCENARIO = [
    Step(
        "lead", "say_here", 'project new APOLLO "Apollo"', lambda d: d["projects"][0][0] == "APOLLO"
    ),
    Step(
        "lead",
        "say_here",
        "project add APOLLO {kim} member",
        lambda d: ("APOLLO", "kim", "member") in d["members"],
    ),
    Step(
        "lead",
        "say_here",
        'action add APOLLO "Draft the plan" {kim} due:2026-11-25',
        lambda d: items(d)["Draft the plan"][2] == "kim",
    ),
    Step(
        "lead",
        "say_here",
        'action add APOLLO "Book the room" due:2026-11-27',
        lambda d: len(d["items"]) == 2,
    ),
    Step("kim", "say", "action list mine", lambda d: len(d["items"]) == 2),
    Step("kim", "done", "Draft the plan", lambda d: items(d)["Draft the plan"][1] == "done"),
    Step("lead", "snooze", "Book the room", lambda d: items(d)["Book the room"][5] == "2026-11-26"),
    Step("lead", "status", "APOLLO", lambda d: d["updates"][0][2] == 40),
    Step(
        "lead", "say_here", 'minutes start APOLLO "Weekly"', lambda d: d["minutes"][0][1] == "open"
    ),
    Step(
        "lead",
        "say_here",
        "minutes note Vendor is late",
        lambda d: ("note", "Vendor is late") in d["entries"],
    ),
    Step(
        "lead",
        "say_here",
        "minutes decision Freeze scope",
        lambda d: ("decision", "Freeze scope") in d["entries"],
    ),
    Step(
        "lead",
        "say_here",
        "minutes action {kim} due:2026-11-30 Call the vendor",
        lambda d: "Call the vendor" in items(d),
    ),
    Step("lead", "say_here", "minutes end", lambda d: d["minutes"][0][1] != "open"),
    Step("-", "sweep", "2026-11-26T09:05", lambda d: any(n[0] for n in d["notifications"])),
    Step("-", "sweep", "2026-11-27T16:05", lambda d: True),
    Step("-", "sweep", "2026-11-30T09:05", lambda d: True),
    Step("-", "sweep", "2026-12-01T09:05", lambda d: True),
]


def dump(sessions: sessionmaker[Session]) -> dict[str, Any]:
    """The rows a person's actions leave, without ids, platform ids or timestamps."""
    with sessions() as s:
        handle = {p.id: p.handle for p in s.scalars(select(Person))}
        key = {p.id: p.key for p in s.scalars(select(Project))}
        return {
            "projects": sorted(
                (p.key, p.name, p.private, p.state.value, p.home_channel is not None)
                for p in s.scalars(select(Project))
            ),
            "members": sorted(
                (key[m.project_id], handle[m.person_id], m.role.value)
                for m in s.scalars(select(Membership))
            ),
            "items": sorted(
                (
                    i.title,
                    i.status.value,
                    handle.get(i.owner_id),
                    key.get(i.project_id or 0),
                    str(i.due_on),
                    str(i.snoozed_until) if i.snoozed_until else None,
                    i.source_kind.value,
                )
                for i in s.scalars(select(ActionItem))
            ),
            "updates": sorted(
                (
                    key[u.project_id],
                    u.overall.value,
                    u.percent_complete,
                    u.summary,
                    u.escalate,
                    u.blockers,
                    u.version,
                )
                for u in s.scalars(select(StatusUpdate))
            ),
            "minutes": sorted((m.title, m.state.value) for m in s.scalars(select(Minutes))),
            "entries": sorted((e.kind.value, e.text) for e in s.scalars(select(MinutesEntry))),
            "notifications": sorted(
                (n.rule, n.subject_type, handle.get(n.recipient_id or 0, "#channel"), n.state.value)
                for n in s.scalars(select(Notification))
            ),
            "audit": sorted(
                Counter((a.entity_type, a.action) for a in s.scalars(select(AuditEvent))).items()
            ),
        }


def item_id(sessions: sessionmaker[Session], title: str) -> int:
    with sessions() as s:
        found = s.scalar(select(ActionItem.id).where(ActionItem.title == title))
        assert found is not None, title
        return found


class OnConsole:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.now = NOW
        self.sessions = sessions
        self.c = ConsoleChannel(sessions, clock=lambda: self.now, echo=lambda _t: None)

    def at(self, now: datetime) -> None:
        self.now = now

    def mention(self, who: str) -> str:
        return f"@{who}"

    def say(self, who: str, text: str, *, channel: bool) -> None:
        reply = self.c.run(who, text)
        assert reply.ok, reply.text

    def done(self, who: str, item_id: int) -> None:  # the console's button is the command
        self.say(who, f"action done {item_id}", channel=False)

    def snooze(self, who: str, item_id: int, days: int) -> None:
        until = (self.now + timedelta(days=days)).date().isoformat()
        self.say(who, f"action snooze {item_id} {until}", channel=False)

    def status_form(self, who: str, key: str) -> str:
        form = self.c.run(who, f"status {key}", interactive=True).form
        assert form is not None
        try:
            self.c.submit(who, form, BAD)
        except FormErrors as err:
            error = str(err.errors["percent"])
        else:
            raise AssertionError("a bad percentage was accepted")
        assert self.c.submit(who, form, ANSWERS).ok
        return error

    def sweep(self, now: datetime) -> None:
        jobs.sweep(self.sessions, ConsoleNotifier(lambda _t: None), now=now)


class OnSlack:
    USERS = {"lead": "U1", "kim": "U2"}

    def __init__(self, engine: Engine, sessions: sessionmaker[Session], db_url: str) -> None:
        self.sessions = sessions
        self.bot = SlackBot(engine, sessions, db_url, NOW)
        for name, uid in self.USERS.items():
            self.bot.fake.add_user(uid, name)
        self.client = WebClient(token="xoxb-test", base_url=self.bot.fake.api_url)

    def at(self, now: datetime) -> None:
        self.bot.clock.now = now

    def mention(self, who: str) -> str:
        return f"<@{self.USERS[who]}>"

    def say(self, who: str, text: str, *, channel: bool) -> None:
        reply = self.bot.command(text, user=self.USERS[who], channel="C1" if channel else "D1")
        assert ":warning:" not in str(reply), reply

    def _click(self, who: str, item_id: int, action: str, **kw: Any) -> None:
        shown = self.bot.command(f"action show {item_id}", user=self.USERS[who])
        before = len(self.bot.button_replies())
        status, _ = self.bot.click(shown["blocks"], action, user=self.USERS[who], **kw)
        assert status == 200
        self.bot.wait_for(lambda: len(self.bot.button_replies()) > before)

    def done(self, who: str, item_id: int) -> None:
        self._click(who, item_id, ActionId.ITEM_DONE)

    def snooze(self, who: str, item_id: int, days: int) -> None:
        code = {1: "1d", 3: "3d", 7: "1w"}[days]
        self._click(who, item_id, ActionId.ITEM_SNOOZE, selected_option=f"{item_id}:{code}")

    def status_form(self, who: str, key: str) -> str:
        opened = len(self.bot.fake.of("views.open"))
        self.bot.command(f"status {key}", user=self.USERS[who], expect_reply=False)
        views = self.bot.wait_for(lambda: self.bot.fake.of("views.open")[opened:])
        view = views[0].args["view"]
        bad = self.bot.submit(view, slack_values(BAD), user=self.USERS[who])
        assert self.bot.submit(view, slack_values(ANSWERS), user=self.USERS[who]) == {}
        return str(bad["errors"]["st_percent"])

    def sweep(self, now: datetime) -> None:
        jobs.sweep(self.sessions, SlackNotifier(lambda _t: self.client, pace=0), now=now)

    def close(self) -> None:
        self.bot.close()


class OnTeams:
    NAMES = {"lead": "Lead", "kim": "Kim"}

    def __init__(self, engine: Engine, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.bot = TeamsBot(engine, sessions, NOW)
        self.bot.tz = "UTC"
        self.bot.names.update(self.NAMES)

    def at(self, now: datetime) -> None:
        self.bot.clock.now = now

    def mention(self, who: str) -> str:
        return f"<at>{self.NAMES[who]}</at>"

    def say(self, who: str, text: str, *, channel: bool) -> None:
        mentions = {n: w for w, n in self.NAMES.items() if f"<at>{n}</at>" in text}
        status, _ = self.bot.say(who, text, conv=CHAN_TEAMS if channel else None, mentions=mentions)
        assert status == 202
        assert "⚠️" not in "".join(s.text for s in self.bot.fake.sent[-1:]), self.bot.fake.sent[
            -1
        ].text

    def done(self, who: str, item_id: int) -> None:
        answer = self.bot.click(who, "item.done", {"item": item_id}, conv=CHAN_TEAMS)
        assert answer["type"] == "application/vnd.microsoft.card.adaptive", answer

    def snooze(self, who: str, item_id: int, days: int) -> None:
        answer = self.bot.click(
            who, "item.snooze", {"item": item_id, "days": days}, conv=CHAN_TEAMS
        )
        assert answer["type"] == "application/vnd.microsoft.card.adaptive", answer

    def status_form(self, who: str, key: str) -> str:
        opened = self.bot.invoke(who, "task/fetch", {"data": {"dialog": "status", "project": key}})
        content = opened["task"]["value"]["card"]["content"]
        data = content["actions"][0]["data"]
        bad = self.bot.invoke(who, "task/submit", {"data": {**data, **BAD}})
        errors = [
            b["text"]
            for b in bad["task"]["value"]["card"]["content"]["body"]
            if b.get("color") == "Attention"
        ]
        saved = self.bot.invoke(who, "task/submit", {"data": {**data, **ANSWERS}})
        assert saved["task"]["type"] == "message"
        return errors[0]

    def sweep(self, now: datetime) -> None:
        notifier = TeamsNotifier(
            self.bot.endpoint.deps.outbound, self.sessions, pacer=Pacer(sleep=lambda _s: None)
        )
        jobs.sweep(self.sessions, notifier, now=now)

    def close(self) -> None:
        self.bot.close()


def play(driver: Driver, sessions: sessionmaker[Session]) -> tuple[dict[str, Any], list[str]]:
    """Run the scenario; the final dump and what each step's check found wrong."""
    problems: list[str] = []
    for n, step in enumerate(SCENARIO):
        arg = step.arg.replace("{kim}", driver.mention("kim"))
        if step.do in ("say", "say_here"):
            driver.say(step.who, arg, channel=step.do == "say_here")
        elif step.do == "done":
            driver.done(step.who, item_id(sessions, arg))
        elif step.do == "snooze":
            driver.snooze(step.who, item_id(sessions, arg), 3)
        elif step.do == "status":
            error = driver.status_form(step.who, arg)
            if "0 to 100" not in error:
                problems.append(f"step {n}: the field error says {error!r}")
        else:
            when = datetime.fromisoformat(arg).replace(tzinfo=UTC)
            driver.at(when)
            driver.sweep(when)
        if not step.expect(dump(sessions)):
            problems.append(f"step {n} ({step.do} {arg}) did not have its effect")
    return dump(sessions), problems


@pytest.mark.slow
def test_the_same_scenario_leaves_the_same_rows_on_console_slack_and_teams(
    engine: Engine, sessions: sessionmaker[Session], db_url: str
) -> None:
    dumps: dict[str, dict[str, Any]] = {}
    console = OnConsole(sessions)
    console.say("lead", "help", channel=False)  # lead first: the workspace's admin
    console.say("kim", "help", channel=False)
    dumps["console"], problems = play(console, sessions)
    assert problems == [], problems
    _wipe(engine)

    slack = OnSlack(engine, sessions, db_url)
    try:
        slack.say("lead", "help", channel=False)
        slack.say("kim", "help", channel=False)
        dumps["slack"], problems = play(slack, sessions)
        assert problems == [], problems
    finally:
        slack.close()
    _wipe(engine)

    teams = OnTeams(engine, sessions)
    try:
        teams.say("lead", "help", channel=False)
        teams.say("kim", "help", channel=False)
        dumps["teams"], problems = play(teams, sessions)
        assert problems == [], problems
    finally:
        teams.close()

    rules = {n[0] for n in dumps["console"]["notifications"]}
    # reminders, the overdue chaser, the status round's nudge, the report, minutes' actions
    assert {
        "heads_up",
        "due_today",
        "overdue",
        "status_period_end",
        "status_report",
        "minutes_action",
    } <= rules
    # The console has no channels: what goes to a project's channel (the final minutes) is
    # compared between Slack and Teams only.
    to_people = {p: [n for n in d["notifications"] if n[2] != "#channel"] for p, d in dumps.items()}
    for table in dumps["console"]:
        for platform in ("slack", "teams"):
            if table == "notifications":
                got, want = Counter(to_people[platform]), Counter(to_people["console"])
            else:
                got, want = Counter(dumps[platform][table]), Counter(dumps["console"][table])
            assert got == want, (table, platform, got - want, want - got)
    assert dumps["teams"]["notifications"] == dumps["slack"]["notifications"]
    assert ("minutes_post", "minutes", "#channel", "sent") in dumps["teams"]["notifications"]
