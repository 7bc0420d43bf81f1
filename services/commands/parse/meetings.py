"""The `minutes`, `meeting` and `ics` commands."""

from __future__ import annotations

from services.commands import ast, ast_meetings
from services.commands.parse.core import (
    KEY_TOKEN,
    Token,
    date_option,
    fail,
    no_extra,
    pick_verb,
    read_id,
    read_key,
    take_date,
)
from services.commands.parse.people import split_page
from services.core.errors import InvalidInput
from services.core.people import Mention

MINUTES_VERBS = {
    "start": "start",
    "begin": "start",
    "open": "start",
    "note": "note",
    "n": "note",
    "decision": "decision",
    "decide": "decision",
    "decided": "decision",
    "action": "action",
    "todo": "action",
    "ai": "action",
    "attendee": "attendee",
    "attendees": "attendee",
    "present": "attendee",
    "attending": "attendee",
    "absent": "absent",
    "regrets": "absent",
    "apologies": "absent",
    "end": "end",
    "stop": "end",
    "close": "end",
    "finish": "end",
    "show": "show",
    "list": "list",
    "export": "export",
    "amend": "amend",
    "edit": "amend",
    "add": "add",
}


def parse_minutes(args: list[Token]) -> ast.Command:
    """`minutes [<verb> …]`; alone it shows the open minutes here."""
    if not args:
        return ast_meetings.MinutesShow()
    verb = pick_verb("minutes", args[0], MINUTES_VERBS)
    rest = args[1:]
    if verb == "start":
        key = None
        if rest and not rest[0].quoted and KEY_TOKEN.match(rest[0].text):
            key, rest = rest[0].text, rest[1:]
        title = " ".join(t.text for t in rest).strip() or None
        return ast_meetings.MinutesStart(key, title)
    if verb in ("note", "decision"):
        return ast_meetings.MinutesAdd(verb, " ".join(t.text for t in rest))
    if verb == "action":
        return _minutes_action(rest)
    if verb in ("attendee", "absent"):
        people = tuple(m for t in rest if (m := t.mention) is not None)
        if not people or len(people) != len(rest):
            raise fail("minutes", verb, "Name people with @, e.g. `minutes attendee @ana @ben`.")
        return ast_meetings.MinutesAttend(people, present=verb == "attendee")
    if verb == "add":
        if rest:
            raise fail(
                "minutes",
                "add",
                "`minutes add` opens a form; to type a note, use `minutes note <text>`.",
            )
        return ast_meetings.MinutesForm()
    if verb == "end":
        return ast_meetings.MinutesEnd()
    if verb == "show":
        return ast_meetings.MinutesShow(
            read_id(rest[0], "minutes", "show", "minutes") if rest else None
        )
    if verb == "list":
        rest, page = split_page(rest, "minutes", "list")
        no_extra(rest[1:], "minutes", "list")
        key = read_key(rest[0], "minutes", "list") if rest else None
        return ast_meetings.MinutesList(key, page)
    if verb == "export":
        return ast_meetings.MinutesExport(
            read_id(rest[0] if rest else None, "minutes", "export", "minutes")
        )
    return _minutes_amend(rest)


def _minutes_action(rest: list[Token]) -> ast.Command:
    owner: Mention | None = None
    due: str | None = None
    words: list[str] = []
    i = 0
    while i < len(rest):
        tok = rest[i]
        i += 1
        if tok.mention is not None and owner is None and not words:
            owner = tok.mention
            continue
        opt = date_option(tok) if due is None and (not tok.quoted or ":" in tok.text) else None
        if opt is not None:
            due, used = take_date(opt, rest[i:])  # due:in 3 days, or due:"next tue"
            i += used
            if not due:
                raise fail("minutes", "action", "The date after `due:` is missing.")
            continue
        words.append(tok.text)
    if owner is None:
        raise fail("minutes", "action", "Name the owner first: `minutes action @ana …`.")
    text = " ".join(words).strip()
    if not text:
        raise fail("minutes", "action", "What is the action?")
    return ast_meetings.MinutesAction(owner, due, text)


def _minutes_amend(rest: list[Token]) -> ast.Command:
    # amend <id> note|decision <text> | edit|remove note|decision <n> [text] | title <text>
    mid = read_id(rest[0] if rest else None, "minutes", "amend", "minutes")
    if len(rest) < 2:
        raise fail("minutes", "amend", "Say what to change.")
    op = rest[1].text.lower()
    if op in ("note", "decision", "title"):
        return ast_meetings.MinutesAmend(mid, op, " ".join(t.text for t in rest[2:]))
    if op in ("edit", "remove", "delete", "rm"):
        op = "remove" if op in ("remove", "delete", "rm") else "edit"
        if len(rest) < 4 or rest[2].text.lower() not in ("note", "decision"):
            raise fail("minutes", "amend", f"e.g. `minutes amend {mid} {op} note 2 …`.")
        n = read_id(rest[3], "minutes", "amend", "entry")
        return ast_meetings.MinutesAmend(
            mid, op, " ".join(t.text for t in rest[4:]), rest[2].text.lower(), n
        )
    raise fail("minutes", "amend", f"I can't amend with `{rest[1].text[:20]}`.")


def parse_meeting(args: list[Token]) -> ast.Command:
    """`meeting [list|import|cancel|new …]`; alone it lists the meeting series."""
    if not args:
        return ast_meetings.MeetingList()
    word = args[0].text.lower()
    if word in ("list", "ls"):
        return ast_meetings.MeetingList(
            read_key(args[1], "meeting", "list") if len(args) > 1 else None
        )
    if word in ("import", "upload"):
        return ast_meetings.MeetingImport(
            read_key(args[1] if len(args) > 1 else None, "meeting", "import")
        )
    if word in ("cancel", "stop", "delete"):
        return ast_meetings.MeetingCancel(
            read_id(args[1] if len(args) > 1 else None, "meeting", "cancel", "meeting")
        )
    if word in ("new", "add", "create"):
        key = read_key(args[1] if len(args) > 1 else None, "meeting", "new")
        if len(args) < 4 or not args[2].quoted:
            raise fail(
                "meeting",
                "new",
                "Give a quoted title and when, e.g. "
                '`meeting new APOLLO "Weekly sync" weekly on tue 10:00`.',
            )
        return ast_meetings.MeetingNew(key, args[2].text, " ".join(t.text for t in args[3:]))
    raise InvalidInput(
        f"`meeting` has no `{args[0].text[:40]}`.", "Type `help meeting` for the meeting commands."
    )


def parse_ics(args: list[Token]) -> ast.Command:
    """`ics [<KEY>]` or `ics revoke [<KEY>]`."""
    words = [t.text for t in args]
    revoke = bool(words) and words[0].lower() in ("revoke", "reset", "off")
    if revoke:
        words = words[1:]
    if len(words) > 1:
        raise fail("meeting", "ics", "Give at most one project key.")
    key = read_key(args[-1], "meeting", "ics") if words else None
    return ast_meetings.IcsLink(key, revoke)
