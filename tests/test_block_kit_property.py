"""Every message the bot builds is Block Kit that Slack accepts, whatever the data.

Each result kind (handlers/slack/results.py) and each notification kind (reminders of every
rule, digests of every kind, the report, final and live minutes) is rendered from generated
data — long, odd, unicode and mrkdwn-injection text, many rows — and checked against the limits
and uniqueness rules of ../shared/SLACK_PLATFORM.md by tests/block_kit.py.
"""

from __future__ import annotations

import dataclasses
import enum
import os
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from datetime import time as dtime
from typing import Any, get_args, get_origin

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from handlers.slack import results as slack_results
from handlers.slack.digests.render import reminder_message
from handlers.slack.meetings import render as minutes_render
from handlers.slack.status import render as report_render
from handlers.slack.work.render import replace_item
from models import ActionStatus
from services.commands import results as results_module
from services.commands.help import ENTRIES, TOPICS, entries_for
from services.commands.results import ActionResult, HelpResult, RaidEntryResult
from services.commands.results_registers import SignoffResult
from services.core.refs import Cmd, Phrase
from services.core.views import ActionItemView, PersonRef
from services.documents.views import DocumentView
from services.meetings.views import MinutesView
from services.outbox.kinds import DigestKind, ReminderRule
from services.outbox.port import Bundle, Digest, DigestLine, Reminder
from services.raci.views import RaciEntry
from services.raid.views import OfferView
from services.status.report import Report
from services.workspace.date_prefs import DatesView
from tests.block_kit import problems_of

ODD = [
    "<!channel> <!here> <!everyone>",
    "<@U12345> <#C999|general> <https://evil.example|click>",
    "*bold* _it_ ~st~ `code` ```block``` > quote",
    "&amp; &lt; & < > &",
    "émoji 🎉👩‍👩‍👧 ١٢٣ 中文 \u200b\u202e",
    "x" * 3100,
    "&" * 900,
    "word " * 700,
    "line\n" * 400,
]
TEXT = st.one_of(
    st.sampled_from(ODD),
    st.text(min_size=1, max_size=40).filter(str.strip),
    st.text(alphabet="<>&*_~`@!#|é🎉 ", min_size=1, max_size=300).filter(str.strip),
)
HANDLE = st.from_regex(r"\A[a-z][a-z0-9._-]{0,20}\Z")
SLACK_ID = st.one_of(st.from_regex(r"\AU[A-Z0-9]{8}\Z"), st.just(""), HANDLE)
KEY = st.from_regex(r"\A[A-Z][A-Z0-9]{1,9}\Z")
DAYS = st.dates(date(2025, 1, 1), date(2031, 12, 31))
MOMENTS = st.datetimes(datetime(2025, 1, 1), datetime(2031, 12, 31), timezones=st.just(UTC))

# Fields whose values come from a closed vocabulary or a format, not from a person.
BY_NAME: dict[str, st.SearchStrategy[Any]] = {
    "project_key": KEY,
    "key": KEY,
    "handle": HANDLE,
    "owner_handle": HANDLE,
    "external_id": SLACK_ID,
    "owner_external_id": SLACK_ID,
    "timezone": st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]),
    "channel": st.one_of(st.from_regex(r"\AC[A-Z0-9]{8}\Z"), st.just("")),
    "home_channel": st.from_regex(r"\AC[A-Z0-9]{8}\Z"),
    "period": st.from_regex(r"\A20[23][0-9]-W[0-5][0-9]\Z"),
    "rag": st.sampled_from(["green", "amber", "red"]),
    "currency": st.sampled_from(["EUR", "USD"]),
    "url": st.from_regex(r"\Ahttps://example\.com/[a-z0-9/]{0,200}\Z"),
    "ref": st.from_regex(r"\A(issue|risk):[1-9][0-9]{0,5}\Z"),
    "working_days": st.lists(st.sampled_from("1234567"), min_size=1, max_size=7).map("".join),
    "ts": st.from_regex(r"\A1[0-9]{9}\.[0-9]{6}\Z"),
}
KINDS: dict[type, dict[str, st.SearchStrategy[Any]]] = {
    Reminder: {
        "kind": st.sampled_from(["action_item", "deliverable", "raid_risk", "raid_issue"]),
    },
    DigestLine: {"kind": st.sampled_from(["action_item", "deliverable", "project", "text"])},
    RaciEntry: {"source": st.sampled_from(["own", "default", "owner"])},
    DatesView: {"source": st.sampled_from(["yours", "locale", "workspace", "default"])},
    OfferView: {"source": st.sampled_from(["blocker", "assumption"])},
}
# Whole values that hold together (an occurred risk becomes another entry, an issue).
COHERENT: dict[type, Any] = {
    RaidEntryResult: lambda r: r.linked is None or r.linked.id != r.entry.id,
    SignoffResult: lambda r: r.card.deliverable is not None,
    DocumentView: lambda d: len(d.versions) > 0,
}


def _rows(depth: int) -> int:
    return 60 if depth <= 1 else 3  # many rows at the top, a few further down


def build(
    tp: Any, depth: int = 0, name: str = "", owner: type | None = None
) -> st.SearchStrategy[Any]:
    """A strategy for a value of type `tp` (a field `name` of `owner`), for any view type."""
    if owner is not None and name in KINDS.get(owner, {}):
        return KINDS[owner][name]
    if name in BY_NAME and tp is str:
        return BY_NAME[name]
    if name in BY_NAME and tp == str | None:
        return st.one_of(BY_NAME[name], st.none())
    origin, args = get_origin(tp), get_args(tp)
    if tp is Any or tp is object or tp is type(None) or origin is Callable:
        return st.none()  # a callable (a bundle's checkpoint) plays no part in rendering
    if tp is str:
        return TEXT
    if tp is bool:
        return st.booleans()
    if tp is int:
        if name.endswith("day") or name in ("probability", "impact", "score"):
            return st.integers(1, 5 if name in ("probability", "impact") else 7)
        if name.endswith("days"):
            return st.integers(0, 400)
        return st.integers(0, 10**6)
    if tp is dtime:
        return st.times()
    if tp is float:
        return st.floats(0, 1e6, allow_nan=False)
    if tp is bytes:
        return st.binary(max_size=20)
    if tp is datetime:
        return MOMENTS
    if tp is date:
        return DAYS
    if tp is Phrase:
        part = st.one_of(TEXT, st.builds(Cmd, TEXT), build(PersonRef, depth + 1))
        return st.lists(part, min_size=1, max_size=4).map(lambda ps: Phrase(tuple(ps)))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(build(a, depth, name, owner) for a in args))
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin in (list, typing.Sequence) or tp is list:
        inner = build(args[0], depth + 1) if args else st.none()
        if args and _has_id(args[0]):  # rows of a list are distinct rows
            return st.lists(inner, max_size=_rows(depth), unique_by=lambda v: v.id)
        return st.lists(inner, max_size=_rows(depth))
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(build(args[0], depth + 1), max_size=_rows(depth)).map(tuple)
        return st.tuples(*(build(a, depth + 1) for a in args))
    if origin in (dict, Mapping) or tp is dict:
        return st.just({})
    if origin in (set, frozenset):
        return st.frozensets(build(args[0], depth + 1), max_size=5).map(origin)
    target = origin or tp
    if dataclasses.is_dataclass(target):
        return _dataclass(target, args, depth)
    raise TypeError(f"no strategy for {tp!r}")


def _has_id(tp: Any) -> bool:
    target = get_origin(tp) or tp
    return dataclasses.is_dataclass(target) and "id" in {f.name for f in dataclasses.fields(target)}


_CACHE: dict[tuple[Any, ...], st.SearchStrategy[Any]] = {}


def _dataclass(cls: Any, args: tuple[Any, ...], depth: int) -> st.SearchStrategy[Any]:
    key = (cls, args, min(depth, 3))
    if key not in _CACHE:
        hints = typing.get_type_hints(cls)
        params = getattr(cls, "__parameters__", ())
        subst = dict(zip(params, args, strict=False))
        fields = {}
        for f in dataclasses.fields(cls):
            if not f.init:
                continue
            tp = hints[f.name]
            tp = subst.get(tp, tp)
            if get_args(tp):  # a TypeVar inside (list[T])
                tp = _substitute(tp, subst)
            fields[f.name] = st.deferred(lambda tp=tp, n=f.name: build(tp, depth + 1, n, cls))
        built = st.builds(cls, **fields)
        _CACHE[key] = built.filter(COHERENT[cls]) if cls in COHERENT else built
    return _CACHE[key]


def _substitute(tp: Any, subst: dict[Any, Any]) -> Any:
    origin, args = get_origin(tp), get_args(tp)
    if origin is Callable:
        return tp
    if not args or origin is None:
        return subst.get(tp, tp)
    new = tuple(_substitute(a, subst) for a in args)
    if origin is types.UnionType:
        return typing.Union[new]  # noqa: UP007
    return origin[new] if origin not in (typing.Union,) else typing.Union[new]  # noqa: UP007


_BUTTON = {"type": "button", "action_id": "x", "text": {"type": "plain_text", "text": "Go"}}
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # big reprs
RESULT_KINDS = [get_origin(t) or t for t in get_args(results_module.Result)]
SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    phases=[Phase.explicit, Phase.reuse, Phase.generate]
    + ([Phase.shrink] if os.environ.get("PMO_SHRINK") else []),  # shrinking big views is slow
)


def _check(text: str, blocks: list[dict[str, Any]], what: str) -> None:
    problems = problems_of(blocks, text=text)
    assert not problems, f"{what}: Slack would refuse it:\n" + "\n".join(problems[:10])


@pytest.mark.parametrize("kind", RESULT_KINDS, ids=lambda k: k.__name__)
def test_every_result_renders_as_valid_block_kit(kind: type) -> None:
    @SETTINGS
    @given(build(kind))
    def check(result: Any) -> None:
        msg = slack_results.message(result, public_url="https://pmo.example.com")
        _check(msg.text, msg.blocks, kind.__name__)

    check()


@pytest.mark.parametrize("rule", list(ReminderRule), ids=lambda r: r.value)
def test_every_reminder_rule_renders_as_valid_block_kit(rule: ReminderRule) -> None:
    reminders = st.lists(build(Reminder).map(lambda r: dataclasses.replace(r, rule=rule)),
                         min_size=1, max_size=70, unique_by=lambda r: (r.kind, r.item_id))  # fmt: skip

    @SETTINGS
    @given(reminders, st.lists(build(Digest), max_size=3), build(Bundle))
    def check(rs: list[Reminder], digests: list[Digest], bundle: Bundle) -> None:
        msg = reminder_message(dataclasses.replace(bundle, reminders=rs, digests=digests))
        _check(msg.text, msg.blocks, rule.value)

    check()


@pytest.mark.parametrize("kind", list(DigestKind), ids=lambda k: k.value)
def test_every_digest_kind_renders_as_valid_block_kit(kind: DigestKind) -> None:
    @SETTINGS
    @given(st.lists(build(Digest).map(lambda d: dataclasses.replace(d, kind=kind)),
                    min_size=1, max_size=3), build(Bundle))  # fmt: skip
    def check(digests: list[Digest], bundle: Bundle) -> None:
        msg = reminder_message(dataclasses.replace(bundle, reminders=[], digests=digests))
        _check(msg.text, msg.blocks, kind.value)

    check()


@SETTINGS
@given(build(Report))
def test_the_report_renders_as_valid_block_kit(report: Report) -> None:
    parent = report_render.report_parent(report)
    _check(parent.text, parent.blocks, "report parent")
    for reply in report_render.report_replies(report):
        _check(reply.text, reply.blocks, "report reply")


@SETTINGS
@given(build(MinutesView), DAYS)
def test_minutes_render_as_valid_block_kit(v: MinutesView, today: date) -> None:
    live = minutes_render.live_message(v, today)
    _check(live.text, live.blocks, "live minutes")
    for part in minutes_render.final_messages(v, today):
        _check(part.text, part.blocks, "final minutes")


def test_a_pm_who_is_also_pmo_lead_gets_both_escalations_in_one_valid_dm() -> None:
    """The workspace's first user is PM and PMO lead: both escalations of one item arrive in
    one DM that Slack accepts, each with buttons that still act on the item, and a click on
    one of them changes that part of the DM only."""
    base = Reminder(ReminderRule.ESCALATE_PM, 7, "Ship it", date(2026, 11, 2), "APOLLO",
                    "ana", "U0ANA", days_overdue=6)  # fmt: skip
    both = [base, dataclasses.replace(base, rule=ReminderRule.ESCALATE_LEAD)]
    bundle = Bundle("slack", "T1", "U0LEAD", "UTC", date(2026, 11, 23), reminders=both)
    msg = reminder_message(bundle)
    _check(msg.text, msg.blocks, "escalations")
    buttons = [b for b in msg.blocks if b["type"] == "actions"]
    assert [b["block_id"] for b in buttons] == ["item:7:0", "item:7:1"]  # made unique, not fixed
    assert all(e.get("value", "7") == "7" for b in buttons for e in b["elements"])
    ana = PersonRef(1, "U0ANA", "ana", "Ana")
    item = ActionItemView(7, "Ship it", ActionStatus.DONE, ana, "APOLLO", date(2026, 11, 2),
                          None, None)  # fmt: skip
    done = replace_item(msg.blocks, ActionResult(item, "done", bundle.today, by=ana), "item:7:1")
    _check(done.text, done.blocks, "after a click")
    words = [b.get("text", {}).get("text", "") for b in done.blocks]
    assert sum("Escalation" in w for w in words) == 1  # the other escalation is still there
    assert any("Marked done by <@U0ANA>" in str(b) for b in done.blocks)
    assert [b["block_id"] for b in done.blocks if b["type"] == "actions"] == ["item:7:0", "item:7"]


def test_two_digests_about_one_thing_in_one_dm_keep_their_own_buttons() -> None:
    """Two sign-off requests for one deliverable (a repeat after a retry) and an agenda,
    bundled with a reminder: every button block has an id of its own, made from its part."""
    day = date(2026, 11, 23)
    signoff = Digest(DigestKind.SIGNOFF_REQUEST, "Sign off #4?", day, [], ref="4")
    agenda = Digest(DigestKind.MEETING_AGENDA, "Agenda", day, [], ref="4")
    reminder = Reminder(ReminderRule.OVERDUE, 4, "Ship it", day, None, "ana", "U0ANA")
    bundle = Bundle("slack", "T1", "U0ANA", "UTC", day, reminders=[reminder],
                    digests=[signoff, signoff, agenda])  # fmt: skip
    msg = reminder_message(bundle)
    _check(msg.text, msg.blocks, "bundle")
    ids = [b["block_id"] for b in msg.blocks if b["type"] == "actions"]
    assert ids == ["item:4:0", "signoff:4:1", "signoff:4:2", "agenda:4:3"]


@pytest.mark.parametrize(
    ("blocks", "problem"),
    [
        ([{"type": "actions", "block_id": "a", "elements": [_BUTTON, _BUTTON]}], "duplicate 'x'"),
        ([{"type": "actions", "block_id": "a", "elements": [_BUTTON]}] * 2, "duplicate 'a'"),
        ([{"type": "actions", "block_id": "a" * 256, "elements": [_BUTTON]}], "1-255 chars"),
    ],
)
def test_the_validator_refuses_repeated_ids(blocks: list[dict[str, Any]], problem: str) -> None:
    assert any(problem in p for p in problems_of(blocks)), problems_of(blocks)


@pytest.mark.parametrize("topic", [None, *TOPICS])
def test_every_help_topic_has_a_non_empty_section(topic: str | None) -> None:
    msg = slack_results.message(HelpResult(topic, entries_for(topic) if topic else list(ENTRIES)))
    _check(msg.text, msg.blocks, f"help {topic}")
    sections = [b for b in msg.blocks if b["type"] in ("section", "context")]
    assert sections and all((b.get("text") or b["elements"][0])["text"].strip() for b in sections)
