"""Parse the text after `/pmo` (or typed in the console) into a typed command.

The parser is pure: it looks nothing up. Dates stay as text (they are read later in the
actor's time zone) and mentions stay as `Mention`s (resolved against the workspace later).
Any input either parses or raises `InvalidInput` with the right form to use.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from services.commands import ast
from services.commands.help import TOPICS, usage
from services.core.errors import InvalidInput
from services.core.people import Mention

MAX_COMMAND_LENGTH = 4000
KEY_TOKEN = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")
SLACK_MENTION = re.compile(r"^<@([UW][A-Z0-9]{1,20})(?:\|[^>]*)?>$")
HANDLE_MENTION = re.compile(r"^@([\w][\w.\-]{0,79})$")
TEAMS_MENTION = re.compile(r"^<at>([^<>]{1,200})</at>$")
ID_TOKEN = re.compile(r"^#?(\d{1,9})$")
DATE_OPTIONS = ("due:", "by:", "on:")
QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})

GROUPS = {
    "help": "help",
    "?": "help",
    "project": "project",
    "projects": "project",
    "proj": "project",
    "p": "project",
    "action": "action",
    "actions": "action",
    "a": "action",
    "ai": "action",
    "todo": "action",
    "task": "action",
    "tasks": "action",
    "deliverable": "deliverable",
    "deliverables": "deliverable",
    "d": "deliverable",
    "milestone": "deliverable",
    "admin": "admin",
    "leave": "leave",
    "settings": "settings",
    "config": "settings",
    "digest": "digest",
    "digests": "digest",
    "status": "status",
    "update": "status",
    "report": "report",
    "reports": "report",
    "ooo": "leave",
    "vacation": "leave",
    "minutes": "minutes",
    "minute": "minutes",
    "mins": "minutes",
    "meeting": "meeting",
    "meetings": "meeting",
    "ics": "ics",
    "calendar": "ics",
    "ical": "ics",
}
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
}
FREE_TEXT = re.compile(
    r"^\s*(?:minutes|minute|mins)\s+(note|n|decision|decide|decided)\b\s*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
SHORTCUTS = {"mine": ("action", ["list", "mine"]), "overdue": ("action", ["list", "overdue"])}
VERBS = {
    "project": {
        "new": "new",
        "add-project": "new",
        "create": "new",
        "list": "list",
        "ls": "list",
        "show": "show",
        "info": "show",
        "view": "show",
        "add": "add",
        "member": "add",
        "remove": "remove",
        "rm": "remove",
        "kick": "remove",
        "close": "close",
        "archive": "close",
        "set": "set",
        "edit": "set",
        "update": "set",
    },
    "action": {
        "add": "add",
        "new": "add",
        "create": "add",
        "list": "list",
        "ls": "list",
        "show": "show",
        "info": "show",
        "done": "done",
        "complete": "done",
        "finish": "done",
        "close": "done",
        "snooze": "snooze",
        "later": "snooze",
        "assign": "assign",
        "reassign": "assign",
        "give": "assign",
        "due": "due",
        "reschedule": "due",
        "move": "due",
        "reopen": "reopen",
        "undo": "reopen",
        "cancel": "cancel",
        "drop": "cancel",
    },
    "deliverable": {
        "add": "add",
        "new": "add",
        "create": "add",
        "list": "list",
        "ls": "list",
        "forecast": "forecast",
        "reforecast": "forecast",
        "move": "forecast",
        "done": "done",
        "complete": "done",
        "deliver": "done",
    },
    "admin": {
        "grant": "grant",
        "give": "grant",
        "revoke": "revoke",
        "remove": "revoke",
        "roles": "roles",
        "list": "roles",
    },
}


@dataclass(frozen=True)
class Token:
    text: str
    quoted: bool = False

    @property
    def mention(self) -> Mention | None:
        if self.quoted:
            return None
        m = SLACK_MENTION.match(self.text)
        if m:
            return Mention(external_id=m.group(1))
        m = HANDLE_MENTION.match(self.text)
        if m:
            return Mention(handle=m.group(1))
        m = TEAMS_MENTION.match(self.text)
        if m:
            return Mention(display_name=m.group(1).strip())
        return None


def tokenize(text: str) -> list[Token]:
    """Split on white space, keeping "double-quoted" runs (also inside `due:"next tue"`)."""
    tokens: list[Token] = []
    buf: list[str] = []
    quoted = in_quote = False
    text = text.translate(QUOTES)
    # A Teams mention (<at>Maria Lopez</at>) is one token even with spaces in the name.
    text = re.sub(
        r"<at>([^<>]*)</at>", lambda m: "<at>" + m.group(1).replace(" ", "\x00") + "</at>", text
    )
    for ch in text:
        if ch == '"':
            in_quote = not in_quote
            quoted = True
        elif ch.isspace() and not in_quote:
            if buf or quoted:
                tokens.append(Token("".join(buf).replace("\x00", " "), quoted))
            buf, quoted = [], False
        else:
            buf.append(ch)
    if in_quote:
        raise InvalidInput(
            "A quote is not closed.", 'Put quotes around the whole title: "like this".'
        )
    if buf or quoted:
        tokens.append(Token("".join(buf).replace("\x00", " "), quoted))
    return tokens


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word.lower(), choices, n=1, cutoff=0.6)
    return f" Did you mean `{close[0]}`?" if close else ""


def parse(text: str) -> ast.Command:
    """Parse one command; raise InvalidInput saying what is wrong and the right form."""
    if len(text) > MAX_COMMAND_LENGTH:
        raise InvalidInput(
            f"That command is {len(text)} characters long; the limit is {MAX_COMMAND_LENGTH}.",
            "Shorten the title; put long detail in the item's notes.",
        )
    free = FREE_TEXT.match(text)
    if free:  # a note or decision is kept exactly as typed (quotes included)
        kind = "note" if free.group(1).lower() in ("note", "n") else "decision"
        return ast.MinutesAdd(kind, free.group(2).strip())
    tokens = tokenize(text.strip())
    if not tokens:
        return ast.Help()
    head = tokens[0].text.lower()
    if head in SHORTCUTS and not tokens[0].quoted:
        target, extra = SHORTCUTS[head]
        tokens = [Token(target), *[Token(e) for e in extra], *tokens[1:]]
        head = target
    group = GROUPS.get(head) if not tokens[0].quoted else None
    if group is None:
        names = sorted({*GROUPS, *SHORTCUTS} - {"?", "p", "a", "d", "ai"})
        raise InvalidInput(
            f"I don't know the command `{tokens[0].text[:40]}`.{_suggest(head, names)}",
            "Type `help` to see what I can do.",
        )
    rest = tokens[1:]
    if group == "help":
        return _parse_help(rest)
    if group == "leave":
        return _parse_leave(rest)
    if group == "settings":
        return _parse_settings(rest)
    if group == "digest":
        return _parse_digest(rest)
    if group == "status":
        return _parse_status(rest)
    if group == "report":
        return _parse_report(rest)
    if group == "minutes":
        return _parse_minutes(rest)
    if group == "meeting":
        return _parse_meeting(rest)
    if group == "ics":
        return _parse_ics(rest)
    if not rest:
        if group == "project":
            return ast.ProjectList()
        if group == "action":
            return ast.ActionList()
        if group == "admin":
            return ast.AdminRoles()
        return ast.Help(group)
    verb_word = rest[0].text.lower()
    verb = VERBS[group].get(verb_word) if not rest[0].quoted else None
    if verb is None:
        raise InvalidInput(
            f"`{group}` has no `{rest[0].text[:40]}`.{_suggest(verb_word, list(VERBS[group]))}",
            f"Type `help {group}` for the {group} commands.",
        )
    args = rest[1:]
    return _PARSERS[(group, verb)](args)


# --- helpers ---------------------------------------------------------------------------------


def _fail(topic: str, verb: str, problem: str) -> InvalidInput:
    return InvalidInput(problem, f"Use: `{usage(topic, verb)}`")


def _key(tok: Token | None, topic: str, verb: str) -> str:
    if tok is None:
        raise _fail(topic, verb, "A project key is missing.")
    key = tok.text.strip().upper()
    if not re.match(r"^[A-Z][A-Z0-9]{1,15}$", key):
        raise _fail(topic, verb, f"`{tok.text[:40]}` is not a project key.")
    return key


def _id(tok: Token | None, topic: str, verb: str, what: str = "item") -> int:
    if tok is None:
        raise _fail(topic, verb, f"The {what} number is missing.")
    m = ID_TOKEN.match(tok.text.strip())
    if not m:
        raise _fail(topic, verb, f"`{tok.text[:40]}` is not an {what} number.")
    return int(m.group(1))


def _mention(tok: Token | None, topic: str, verb: str) -> Mention:
    if tok is None or tok.mention is None:
        got = f"`{tok.text[:40]}` is not a mention." if tok else "A person is missing."
        raise _fail(topic, verb, f"{got} Mention people as @name.")
    return tok.mention


def _rest_text(tokens: list[Token], topic: str, verb: str, what: str) -> str:
    text = " ".join(t.text for t in tokens).strip()
    if not text:
        raise _fail(topic, verb, f"The {what} is missing.")
    return text


def _no_extra(tokens: list[Token], topic: str, verb: str) -> None:
    if tokens:
        extra = " ".join(t.text for t in tokens)[:60]
        raise _fail(topic, verb, f"I don't know what to do with `{extra}`.")


def _date_option(tok: Token) -> str | None:
    low = tok.text.lower()
    for opt in DATE_OPTIONS:
        if low.startswith(opt):
            return tok.text[len(opt) :]
    return None


@dataclass
class _Item:
    """The free-form parts of `action add` / `deliverable add`."""

    key: str | None
    title: str
    owner: Mention | None
    due: str | None


def _parse_item(args: list[Token], topic: str, verb: str, *, key_required: bool) -> _Item:
    key: str | None = None
    if args and not args[0].quoted and KEY_TOKEN.match(args[0].text):
        key, args = args[0].text, args[1:]
    elif key_required:
        if args and not args[0].quoted and re.match(r"^[A-Za-z][A-Za-z0-9]{1,15}$", args[0].text):
            key, args = args[0].text.upper(), args[1:]
        else:
            raise _fail(topic, verb, "A project key is missing.")
    title: list[str] = []
    due: list[str] | None = None
    owner: Mention | None = None
    for tok in args:
        if tok.mention is not None:
            if owner is not None:
                raise _fail(topic, verb, "Name one owner only.")
            owner = tok.mention
            continue
        opt = _date_option(tok) if not tok.quoted or ":" in tok.text else None
        if opt is not None:
            if due is not None:
                raise _fail(topic, verb, "Give one due date only.")
            due = [opt] if opt else []
            continue
        if due is not None and not tok.quoted:
            due.append(tok.text)  # unquoted words after due: belong to the date
        else:
            title.append(tok.text)
    text = " ".join(title).strip()
    if not text:
        raise _fail(topic, verb, "The title is missing.")
    due_text = " ".join(due).strip() if due is not None else None
    if due is not None and not due_text:
        raise _fail(topic, verb, "The date after `due:` is missing.")
    return _Item(key, text, owner, due_text)


# --- groups ----------------------------------------------------------------------------------


def _parse_settings(args: list[Token]) -> ast.Command:
    if not args:
        return ast.SettingsShow()
    words = [t.text for t in args]
    head = words[0].lower()
    section = {
        "reminders": "reminders",
        "reminder": "reminders",
        "digests": "digests",
        "digest": "digests",
        "status": "status",
    }.get(head)
    if section and len(words) == 3:
        return ast.SettingsSet(section, words[1], words[2])
    if head in ("pmo_channel", "pmo-channel", "channel") and len(words) == 2:
        return ast.SettingsSet("", "pmo_channel", words[1])
    if head in ("timezone", "tz", "time_zone") and len(words) == 2:
        return ast.SettingsSet("", "timezone", words[1])
    raise InvalidInput(
        "I couldn't read that setting.",
        "Use: `settings reminders <key> <value>`, `settings digests <key> <value>`, "
        "`settings pmo_channel #channel` or `settings timezone Europe/London` (`help admin`).",
    )


def _parse_digest(args: list[Token]) -> ast.Command:
    words = [t.text.lower() for t in args]
    if not words:
        return ast.DigestShow()
    if words == ["off"] or words == ["stop"]:
        return ast.DigestSet(enabled=False)
    if words == ["on"] or words == ["start"]:
        return ast.DigestSet(enabled=True)
    if words[0] == "at" and len(words) >= 2:
        return ast.DigestSet(at=" ".join(words[1:]))
    if len(words) == 1 and words[0][:1].isdigit():
        return ast.DigestSet(at=words[0])
    raise _fail("digest", "", "I couldn't read that.")


RAG_WORD = ("green", "amber", "red", "g", "a", "r", "yellow")


def _parse_status(args: list[Token]) -> ast.Command:
    if not args:
        raise _fail("status", "", "Which project? e.g. `status APOLLO`.")
    head = args[0].text.lower()
    if head == "show" and not args[0].quoted:
        return ast.StatusShow(_key(args[1] if len(args) > 1 else None, "status", "show"))
    if head in ("settings", "setting", "cadence", "schedule") and not args[0].quoted:
        key = _key(args[1] if len(args) > 1 else None, "status", "settings")
        if len(args) <= 2:
            return ast.StatusSettings(key)
        people = tuple(m for t in args[3:] if (m := t.mention) is not None)
        value = " ".join(t.text for t in args[3:])
        return ast.StatusSettings(key, args[2].text.lower(), value, people)
    key = _key(args[0], "status", "")
    if len(args) == 1:
        return ast.StatusForm(key)
    rag = args[1].text.lower()
    if rag not in RAG_WORD:
        raise _fail("status", "", f"{args[1].text[:20]!r} is not green, amber or red.")
    summary = " ".join(t.text for t in args[2:])
    return ast.StatusQuick(key, rag, summary)


def _parse_report(args: list[Token]) -> ast.Command:
    words = [t.text for t in args]
    if words and words[0].lower() in ("stats", "participation"):
        return ast.ReportStats()
    if len(words) > 1:
        raise _fail("report", "", "Give one week, like 2026-W47.")
    return ast.ReportShow(words[0] if words else None)


def _parse_minutes(args: list[Token]) -> ast.Command:
    if not args:
        return ast.MinutesShow()
    word = args[0].text.lower()
    verb = MINUTES_VERBS.get(word) if not args[0].quoted else None
    if verb is None:
        raise InvalidInput(
            f"`minutes` has no `{args[0].text[:40]}`.{_suggest(word, list(MINUTES_VERBS))}",
            "Type `help minutes` for the minutes commands.",
        )
    rest = args[1:]
    if verb == "start":
        key = None
        if rest and not rest[0].quoted and KEY_TOKEN.match(rest[0].text):
            key, rest = rest[0].text, rest[1:]
        title = " ".join(t.text for t in rest).strip() or None
        return ast.MinutesStart(key, title)
    if verb in ("note", "decision"):
        return ast.MinutesAdd(verb, " ".join(t.text for t in rest))
    if verb == "action":
        owner: Mention | None = None
        due: str | None = None
        words: list[str] = []
        for tok in rest:
            if tok.mention is not None and owner is None and not words:
                owner = tok.mention
                continue
            opt = _date_option(tok) if due is None and (not tok.quoted or ":" in tok.text) else None
            if opt:
                due = opt  # one token (quote a date with spaces: due:"next tue")
                continue
            words.append(tok.text)
        if owner is None:
            raise _fail("minutes", "action", "Name the owner first: `minutes action @ana …`.")
        text = " ".join(words).strip()
        if not text:
            raise _fail("minutes", "action", "What is the action?")
        return ast.MinutesAction(owner, due, text)
    if verb in ("attendee", "absent"):
        people = tuple(m for t in rest if (m := t.mention) is not None)
        if not people or len(people) != len(rest):
            raise _fail("minutes", verb, "Name people with @, e.g. `minutes attendee @ana @ben`.")
        return ast.MinutesAttend(people, present=verb == "attendee")
    if verb == "end":
        return ast.MinutesEnd()
    if verb == "show":
        return ast.MinutesShow(_id(rest[0], "minutes", "show", "minutes") if rest else None)
    if verb == "list":
        return ast.MinutesList(_key(rest[0], "minutes", "list") if rest else None)
    if verb == "export":
        return ast.MinutesExport(_id(rest[0] if rest else None, "minutes", "export", "minutes"))
    # amend <id> note|decision <text> | edit|remove note|decision <n> [text] | title <text>
    mid = _id(rest[0] if rest else None, "minutes", "amend", "minutes")
    if len(rest) < 2:
        raise _fail("minutes", "amend", "Say what to change.")
    op = rest[1].text.lower()
    if op in ("note", "decision", "title"):
        return ast.MinutesAmend(mid, op, " ".join(t.text for t in rest[2:]))
    if op in ("edit", "remove", "delete", "rm"):
        op = "remove" if op in ("remove", "delete", "rm") else "edit"
        if len(rest) < 4 or rest[2].text.lower() not in ("note", "decision"):
            raise _fail("minutes", "amend", f"e.g. `minutes amend {mid} {op} note 2 …`.")
        n = _id(rest[3], "minutes", "amend", "entry")
        return ast.MinutesAmend(
            mid, op, " ".join(t.text for t in rest[4:]), rest[2].text.lower(), n
        )
    raise _fail("minutes", "amend", f"I can't amend with `{rest[1].text[:20]}`.")


def _parse_meeting(args: list[Token]) -> ast.Command:
    if not args:
        return ast.MeetingList()
    word = args[0].text.lower()
    if word in ("list", "ls"):
        return ast.MeetingList(_key(args[1], "meeting", "list") if len(args) > 1 else None)
    if word in ("import", "upload"):
        return ast.MeetingImport(_key(args[1] if len(args) > 1 else None, "meeting", "import"))
    if word in ("cancel", "stop", "delete"):
        return ast.MeetingCancel(
            _id(args[1] if len(args) > 1 else None, "meeting", "cancel", "meeting")
        )
    if word in ("new", "add", "create"):
        key = _key(args[1] if len(args) > 1 else None, "meeting", "new")
        if len(args) < 4 or not args[2].quoted:
            raise _fail(
                "meeting",
                "new",
                "Give a quoted title and when, e.g. "
                '`meeting new APOLLO "Weekly sync" weekly on tue 10:00`.',
            )
        return ast.MeetingNew(key, args[2].text, " ".join(t.text for t in args[3:]))
    raise InvalidInput(
        f"`meeting` has no `{args[0].text[:40]}`.", "Type `help meeting` for the meeting commands."
    )


def _parse_ics(args: list[Token]) -> ast.Command:
    words = [t.text for t in args]
    revoke = bool(words) and words[0].lower() in ("revoke", "reset", "off")
    if revoke:
        words = words[1:]
    if len(words) > 1:
        raise _fail("meeting", "ics", "Give at most one project key.")
    key = _key(args[-1], "meeting", "ics") if words else None
    return ast.IcsLink(key, revoke)


def _parse_leave(args: list[Token]) -> ast.Command:
    words = [t.text for t in args]
    if not words:
        return ast.LeaveShow()
    if len(words) == 1 and words[0].lower() in ("cancel", "off", "end", "back"):
        return ast.LeaveCancel()
    text = " ".join(words)
    for sep in (" to ", " until ", " till ", " - ", " – "):  # noqa: RUF001 (en dash on purpose)
        if sep in text.lower():
            i = text.lower().index(sep)
            start, end = text[:i].strip(), text[i + len(sep) :].strip()
            if start and end:
                return ast.LeaveAdd(start, end)
    if len(words) == 2:
        return ast.LeaveAdd(words[0], words[1])
    if len(words) == 1:
        return ast.LeaveAdd(words[0], words[0])
    raise _fail("leave", "", "I couldn't tell where the leave starts and ends.")


def _parse_help(args: list[Token]) -> ast.Command:
    if not args:
        return ast.Help()
    word = args[0].text.lower()
    topic = GROUPS.get(word, word)
    if topic == "date":
        topic = "dates"
    if topic not in TOPICS:
        raise InvalidInput(
            f"There is no help on `{args[0].text[:40]}`.{_suggest(word, list(TOPICS))}",
            f"Topics: {', '.join(TOPICS)}.",
        )
    return ast.Help(topic)


def _project_new(args: list[Token]) -> ast.Command:
    key = _key(args[0] if args else None, "project", "new")
    pm: Mention | None = None
    private = False
    name: list[str] = []
    for tok in args[1:]:
        if tok.mention is not None:
            if pm is not None:
                raise _fail("project", "new", "Name one PM only.")
            pm = tok.mention
        elif not tok.quoted and tok.text.lower() in ("private", "--private"):
            private = True
        else:
            name.append(tok.text)
    if not " ".join(name).strip():
        raise _fail("project", "new", "The project name is missing.")
    return ast.ProjectNew(key=key, name=" ".join(name).strip(), pm=pm, private=private)


def _project_list(args: list[Token]) -> ast.Command:
    include_closed = bool(args) and args[0].text.lower() in ("all", "closed", "--all")
    _no_extra(args[1:] if include_closed else args, "project", "list")
    return ast.ProjectList(include_closed=include_closed)


def _project_show(args: list[Token]) -> ast.Command:
    key = _key(args[0] if args else None, "project", "show")
    _no_extra(args[1:], "project", "show")
    return ast.ProjectShow(key)


def _project_add(args: list[Token]) -> ast.Command:
    key = _key(args[0] if args else None, "project", "add")
    person = _mention(args[1] if len(args) > 1 else None, "project", "add")
    role = args[2].text if len(args) > 2 else "member"
    _no_extra(args[3:], "project", "add")
    return ast.ProjectAdd(key=key, person=person, role=role)


def _project_remove(args: list[Token]) -> ast.Command:
    key = _key(args[0] if args else None, "project", "remove")
    person = _mention(args[1] if len(args) > 1 else None, "project", "remove")
    _no_extra(args[2:], "project", "remove")
    return ast.ProjectRemove(key=key, person=person)


def _project_close(args: list[Token]) -> ast.Command:
    key = _key(args[0] if args else None, "project", "close")
    _no_extra(args[1:], "project", "close")
    return ast.ProjectClose(key)


def _project_set(args: list[Token]) -> ast.Command:
    key = _key(args[0] if args else None, "project", "set")
    if len(args) < 2:
        raise _fail("project", "set", "The field to change is missing.")
    field = args[1].text.lower().rstrip(":=")
    value = _rest_text(args[2:], "project", "set", "new value")
    return ast.ProjectSet(key=key, field=field, value=value)


def _action_add(args: list[Token]) -> ast.Command:
    item = _parse_item(args, "action", "add", key_required=False)
    return ast.ActionAdd(title=item.title, key=item.key, owner=item.owner, due=item.due)


def _action_list(args: list[Token]) -> ast.Command:
    if not args:
        return ast.ActionList()
    word = args[0].text.lower()
    _no_extra(args[1:], "action", "list")
    if word in ("mine", "my", "me"):
        return ast.ActionList("mine")
    if word in ("overdue", "late", "od"):
        return ast.ActionList("overdue")
    return ast.ActionList("project", _key(args[0], "action", "list"))


def _id_only(verb: str, cls: Callable[[int], ast.Command]) -> Callable[[list[Token]], ast.Command]:
    def parse_it(args: list[Token]) -> ast.Command:
        item_id = _id(args[0] if args else None, "action", verb)
        _no_extra(args[1:], "action", verb)
        return cls(item_id)

    return parse_it


def _action_snooze(args: list[Token]) -> ast.Command:
    item_id = _id(args[0] if args else None, "action", "snooze")
    return ast.ActionSnooze(item_id, _rest_text(args[1:], "action", "snooze", "date"))


def _action_assign(args: list[Token]) -> ast.Command:
    item_id = _id(args[0] if args else None, "action", "assign")
    owner = _mention(args[1] if len(args) > 1 else None, "action", "assign")
    _no_extra(args[2:], "action", "assign")
    return ast.ActionAssign(item_id, owner)


def _action_due(args: list[Token]) -> ast.Command:
    item_id = _id(args[0] if args else None, "action", "due")
    text = _rest_text(args[1:], "action", "due", "date")
    opt = _date_option(Token(text))
    return ast.ActionDue(item_id, opt if opt else text)


def _deliverable_add(args: list[Token]) -> ast.Command:
    item = _parse_item(args, "deliverable", "add", key_required=True)
    if item.due is None:
        raise _fail("deliverable", "add", "A deliverable needs a due date (due:<date>).")
    assert item.key is not None
    return ast.DeliverableAdd(key=item.key, title=item.title, due=item.due, owner=item.owner)


def _deliverable_list(args: list[Token]) -> ast.Command:
    key = _key(args[0] if args else None, "deliverable", "list")
    _no_extra(args[1:], "deliverable", "list")
    return ast.DeliverableList(key)


def _deliverable_forecast(args: list[Token]) -> ast.Command:
    d_id = _id(args[0] if args else None, "deliverable", "forecast", "deliverable")
    text = _rest_text(args[1:], "deliverable", "forecast", "date")
    opt = _date_option(Token(text))
    return ast.DeliverableForecast(d_id, opt if opt else text)


def _deliverable_done(args: list[Token]) -> ast.Command:
    d_id = _id(args[0] if args else None, "deliverable", "done", "deliverable")
    _no_extra(args[1:], "deliverable", "done")
    return ast.DeliverableDone(d_id)


def _admin_role(
    verb: str, cls: Callable[[Mention, str], ast.Command]
) -> Callable[[list[Token]], ast.Command]:
    def parse_it(args: list[Token]) -> ast.Command:
        person = _mention(args[0] if args else None, "admin", verb)
        if len(args) < 2:
            raise _fail("admin", verb, "The role is missing (admin or pmo_lead).")
        _no_extra(args[2:], "admin", verb)
        return cls(person, args[1].text)

    return parse_it


def _admin_roles(args: list[Token]) -> ast.Command:
    _no_extra(args, "admin", "roles")
    return ast.AdminRoles()


_PARSERS: dict[tuple[str, str], Callable[[list[Token]], ast.Command]] = {
    ("project", "new"): _project_new,
    ("project", "list"): _project_list,
    ("project", "show"): _project_show,
    ("project", "add"): _project_add,
    ("project", "remove"): _project_remove,
    ("project", "close"): _project_close,
    ("project", "set"): _project_set,
    ("action", "add"): _action_add,
    ("action", "list"): _action_list,
    ("action", "show"): _id_only("show", ast.ActionShow),
    ("action", "done"): _id_only("done", ast.ActionDone),
    ("action", "reopen"): _id_only("reopen", ast.ActionReopen),
    ("action", "cancel"): _id_only("cancel", ast.ActionCancel),
    ("action", "snooze"): _action_snooze,
    ("action", "assign"): _action_assign,
    ("action", "due"): _action_due,
    ("deliverable", "add"): _deliverable_add,
    ("deliverable", "list"): _deliverable_list,
    ("deliverable", "forecast"): _deliverable_forecast,
    ("deliverable", "done"): _deliverable_done,
    ("admin", "grant"): _admin_role("grant", ast.AdminGrant),
    ("admin", "revoke"): _admin_role("revoke", ast.AdminRevoke),
    ("admin", "roles"): _admin_roles,
}
