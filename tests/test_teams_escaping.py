"""People's words in Teams cards show exactly as typed: a title like `[Click me](https://…)`
is never a link, `**x**` never bold, `- x` never a list, `{{DATE(…)}}` never a date and
`<at>Ben</at>` never a mention — in an item's card, My work, the minutes and the portfolio
report alike; and what a dialog prefills is the text itself, so saving it changes nothing.

Cards are read here as Teams reads a TextBlock or a Fact: CommonMark backslash escapes are
taken out (`unescape`), and `markup` lists what the Markdown subset (and CommonMark, which
the desktop client's markdown-it knows) would make of what is left unescaped.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot import jobs
from handlers.teams import cards
from handlers.teams.home import home_card
from handlers.teams.notifier import Pacer, TeamsNotifier
from models import ActionItem, ActionStatus, ProjectState
from services.core.views import ActionItemView, Page, PersonRef, ProjectView
from services.workspace.home import HomeData
from tests.conftest import NOW
from tests.fake_teams import Sent, validate_card
from tests.teams_harness import TeamsBot
from tests.test_forms import ANSWERS

PUNCT = frozenset(string.punctuation)
LINE = re.compile(r"\r\n|\r|\n")  # CommonMark's line endings
DATE_FUNCTION = re.compile(r"\{\{(DATE|TIME)\(")
CHAN = "19:apollo@thread.tacv2"

LINK = "[Click me](https://evil.example)"
BOLD = "**urgent** and _quiet_"
LIST = "- one\n1. two\n+ three"
HEADING = "# Big news\nand\n==="
WHEN = "{{DATE(2017-02-14T06:08:39Z, SHORT)}} at {{TIME(2017-02-14T06:08:39Z)}}"
MENTION = "Ask <at>Ben Li</at> first"
EXAMPLES = [LINK, BOLD, LIST, HEADING, WHEN, MENTION]


def unescape(text: str) -> str:
    """What Teams shows for a TextBlock's text: a backslash before ASCII punctuation is
    dropped (CommonMark), any other backslash stays."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in PUNCT:
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _chars(line: str) -> list[tuple[str, bool]]:
    """The line's characters, each with whether a backslash escapes it."""
    out, i = [], 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line) and line[i + 1] in PUNCT:
            out.append((line[i + 1], True))
            i += 2
        else:
            out.append((line[i], False))
            i += 1
    return out


def markup(text: str) -> list[str]:
    """The markup a TextBlock's text holds: links, emphasis, code, strike-through, tables,
    HTML or mentions, entities, lists, headings and quotes, date functions."""
    found = []
    if DATE_FUNCTION.search(text):
        found.append("date function")
    if "<at>" in text or "</at>" in text:
        found.append("mention")
    for line in LINE.split(text):
        chars = _chars(line)
        bare = [(i, ch) for i, (ch, escaped) in enumerate(chars) if not escaped]
        for i, ch in bare:
            if ch in "[]":
                found.append(f"link {ch}")
            elif ch in "*`~|<>":
                found.append(f"markup {ch}")
            elif ch == "_":
                before = chars[i - 1][0] if i else ""
                after = chars[i + 1][0] if i + 1 < len(chars) else ""
                if not (before.isalnum() and after.isalnum()):
                    found.append("emphasis _")
            elif ch == "&" and re.match(r"&#?\w+;", "".join(c for c, _ in chars[i:])):
                found.append("entity")
        start = 0
        while start < len(chars) and chars[start] in ((" ", False), ("\t", False)):
            start += 1
        rest = chars[start:]
        if not rest:
            continue
        first, escaped = rest[0]
        after = rest[1][0] if len(rest) > 1 else " "
        if not escaped and first in "-+*" and after in " \t":
            found.append("list")
        if not escaped and first == ">":
            found.append("quote")
        if not escaped and first == "#":
            hashes = "".join(c for c, _ in rest).split(" ")[0]
            if set(hashes) == {"#"} and len(hashes) <= 6:
                found.append("heading")
        if (
            not escaped
            and first in "-="
            and re.fullmatch(r"[-=][-= \t]*", "".join(c for c, _ in rest))
        ):
            found.append("underline")
        digits = 0
        while digits < len(rest) and rest[digits][0].isdigit() and not rest[digits][1]:
            digits += 1
        marker = 0 < digits < len(rest) and rest[digits] in ((".", False), (")", False))
        if marker and (digits + 1 == len(rest) or rest[digits + 1][0] in " \t"):
            found.append("numbered list")
    return found


def texts(content: Any) -> list[str]:
    """Every TextBlock text, Fact title and value and the fallback text of a card."""
    out: list[str] = []
    if isinstance(content, dict):
        if content.get("type") == "TextBlock":
            out.append(content["text"])
        if content.get("type") == "FactSet":
            out += [x for f in content["facts"] for x in (f["title"], f["value"])]
        if content.get("type") == "AdaptiveCard" and "fallbackText" in content:
            out.append(content["fallbackText"])
        for v in content.values():
            out += texts(v)
    elif isinstance(content, list):
        for v in content:
            out += texts(v)
    return out


def showing(shown: list[Sent], words: str) -> list[str]:
    """The card texts that show `words` (once unescaped), from the messages sent."""
    return [t for s in shown for c in s.cards for t in texts(c) if words in unescape(t)]


# --- the property ---------------------------------------------------------------------

TOKENS = [*"*_[]()#`+-.!~>|<{}&\\=", " ", "\n", "\r", "\t", "a", "B", "7", "é", "💥"]
TOKENS += ["{{DATE(2017-02-14T06:08:39Z, SHORT)}}", "<at>Ben</at>", "&amp;", "1. ", "- "]
TOKENS += ["](https://evil.example)", "snake_case", "**", "~~", "```"]
ANY_TEXT = st.one_of(
    st.text(max_size=80), st.lists(st.sampled_from(TOKENS), max_size=30).map("".join)
)
ANA = PersonRef(id=1, external_id="ana", handle="ana", display_name="Ana")
TODAY = date(2026, 11, 23)


def item(title: str, n: int = 7) -> ActionItemView:
    return ActionItemView(
        n, title, ActionStatus.OPEN, ANA, "APOLLO", date(2026, 11, 20), None, None
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=ANY_TEXT)
def test_any_title_shows_as_typed_on_the_item_card_and_forms_no_markup(title: str) -> None:
    shown = cards.item_card(item(title), "Added", TODAY)
    validate_card(shown.content)
    line = next(t for t in texts(shown.content["body"]) if unescape(t) == f"#7 {title}")
    assert markup(line) == [], (title, line)
    assert unescape(shown.content["fallbackText"]) == f"Added\n#7 {title}"[:2000]
    assert shown.text == f"Added\n#7 {title}"  # the notification's words: plain, as typed
    for t in texts(shown.content):
        assert markup(t) == [], (title, t)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=ANY_TEXT, name=ANY_TEXT)
def test_any_title_and_project_name_show_as_typed_on_my_work(title: str, name: str) -> None:
    data = HomeData(
        TODAY,
        Page([item(title)], total=1, size=15),
        [ProjectView(1, "APOLLO", name, ProjectState.ACTIVE, False, rag="red")],
        [],
    )
    content = home_card(data).content
    validate_card(content)
    shown = [unescape(t) for t in texts(content["body"])]
    assert any(t.startswith(f"#7 {title[:119]}") for t in shown), (title, shown)
    assert any(t.endswith(f"APOLLO {name[:119]}") or "…" in t for t in shown if "APOLLO" in t)
    for t in texts(content["body"]):
        if "project list" not in t:  # the bot's own `code`
            assert markup(t) == [], (title, name, t)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=ANY_TEXT)
def test_any_plain_answer_shows_as_typed_however_it_is_split(words: str) -> None:
    shown = cards.text_cards(words)
    body = "\n".join(t for c in shown for t in texts(c.content["body"]))
    assert unescape(body) == "\n".join(words.splitlines()).lstrip("\n")  # leading blanks go
    assert markup(body) == [], words


# --- through Teams ---------------------------------------------------------------------


@pytest.fixture
def teams(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[TeamsBot]:
    bot = TeamsBot(engine, sessions, NOW)
    bot.names.update({"ana": "Ana Ruiz", "ben": "Ben Li"})
    bot.say("ana", "help")
    bot.say("ana", 'project new APOLLO "Apollo"', conv=CHAN)
    yield bot
    bot.close()


def typed(text: str) -> str:
    """Words as Teams sends what a person typed in the compose box (HTML-escaped)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_titles_with_markup_show_as_typed_on_the_item_card_and_my_work(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    for title in EXAMPLES:
        before = len(teams.fake.sent)
        flat = title.replace("\n", " ")  # a typed command is one line
        teams.say("ana", typed(f'action add APOLLO "{flat}" due:2026-11-30'), conv=CHAN)
        with sessions() as s:
            stored = s.scalars(select(ActionItem.title).order_by(ActionItem.id.desc())).first()
        assert stored == flat
        replies = teams.fake.sent[before:]
        on_card = showing(replies, flat)
        assert on_card, (flat, [r.text for r in replies])
        for t in on_card:
            assert markup(t) == [], (flat, t)
        for r in replies:
            assert "text" not in r.activity  # no Markdown message text beside the card
            assert r.activity.get("summary", "").count("\\") == 0  # the preview is plain
    home = [s for s in teams.fake.sent if s.cards and "My work" in s.text][-1]
    for title in EXAMPLES:
        flat = title.replace("\n", " ")
        lines = showing([home], flat)
        assert lines, flat
        assert all(markup(t) == [] for t in lines), lines
    assert LINK in unescape("\n".join(texts(home.cards[0])))


def test_a_title_edited_in_the_dialog_and_saved_unchanged_is_stored_unchanged(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    title = r"Fix *all* the_things [v2] (now) \ _done_"
    teams.say("ana", typed(f'action add APOLLO "{title}"'), conv=CHAN)
    with sessions() as s:
        item_id = s.scalar(select(ActionItem.id))
        assert s.get(ActionItem, item_id).title == title  # type: ignore[union-attr]
    for _ in range(2):  # edited twice: no backslashes pile up
        opened = teams.invoke(
            "ana", "task/fetch", {"data": {"dialog": "edit_item", "item": item_id}}
        )
        content = opened["task"]["value"]["card"]["content"]
        field = next(b for b in content["body"] if b.get("id") == "title")
        assert field["value"] == title  # an input's value is the text itself
        values = {b["id"]: str(b.get("value") or "") for b in content["body"] if b.get("id")}
        data = {**content["actions"][0]["data"], **values}
        assert teams.invoke("ana", "task/submit", {"data": data})["task"]["type"] == "message"
        with sessions() as s:
            assert s.get(ActionItem, item_id).title == title  # type: ignore[union-attr]


def test_minutes_show_notes_and_decisions_as_typed(teams: TeamsBot) -> None:
    teams.say(
        "ana", typed('minutes start APOLLO "**Weekly** [sync](https://evil.example)"'), conv=CHAN
    )
    before = len(teams.fake.sent)
    teams.say("ana", typed(f"minutes note {LINK}"), conv=CHAN)
    teams.say("ana", typed(f"minutes decision {WHEN}"), conv=CHAN)
    teams.say("ana", typed(f"minutes note {MENTION}"), conv=CHAN)
    teams.say("ana", typed("minutes note # not a heading"), conv=CHAN)
    teams.say("ana", "minutes end", conv=CHAN)
    teams.settle()
    shown = teams.fake.sent[before:]
    for words in (
        LINK,
        WHEN,
        MENTION,
        "# not a heading",
        "**Weekly** [sync](https://evil.example)",
    ):
        on_card = showing(shown, words)
        assert on_card, (words, [s.text for s in shown])
        for t in on_card:
            assert markup(t) == [], (words, t)


def test_the_portfolio_report_shows_names_and_updates_as_typed(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    pmo = "19:pmo@thread.tacv2"
    teams.say("ana", "help", conv=pmo)
    teams.say(
        "ana",
        typed('project set APOLLO name "*Apollo* - [the](https://evil.example) one"'),
        conv=CHAN,
    )
    opened = teams.invoke("ana", "task/fetch", {"data": {"dialog": "status", "project": "APOLLO"}})
    data = opened["task"]["value"]["card"]["content"]["actions"][0]["data"]
    answers = {**ANSWERS, "summary": LINK, "blockers": "- " + WHEN, "asks": MENTION}
    assert (
        teams.invoke("ana", "task/submit", {"data": {**data, **answers}})["task"]["type"]
        == "message"
    )
    teams.say("ana", "settings pmo_channel here", conv=pmo)
    notifier = TeamsNotifier(
        teams.endpoint.deps.outbound, sessions, backoff=0.001, pacer=Pacer(sleep=lambda _s: None)
    )
    before = len(teams.fake.sent)
    for day in ("2026-11-27T16:05", "2026-11-30T09:05"):
        jobs.sweep(sessions, notifier, now=datetime.fromisoformat(day).replace(tzinfo=UTC))
    posted = [s for s in teams.fake.sent[before:] if s.conversation.startswith(pmo)]
    before = len(teams.fake.sent)
    teams.say("ana", "report", conv=pmo)  # the same report, asked for
    asked = teams.fake.sent[before:]
    for shown in (posted, asked):
        assert any("Portfolio status" in unescape(s.text) for s in shown)
        for words in ("*Apollo* - [the](https://evil.example) one", LINK, "- " + WHEN, MENTION):
            on_card = showing(shown, words)
            assert on_card, (words, [s.text for s in shown])
            for t in on_card:
                assert markup(t) == [], (words, t)
