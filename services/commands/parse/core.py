"""What every command group shares: tokens, the command words, and readers of keys, numbers,
mentions and dates that fail with the right usage line."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from services.commands.help import usage
from services.core.date_grammar import MAX_WORDS, date_words
from services.core.errors import InvalidInput
from services.core.people import Mention

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
    "me": "me",
    # the RAID log
    "risk": "risk",
    "risks": "risk",
    "issue": "issue",
    "issues": "issue",
    "assumption": "assumption",
    "assumptions": "assumption",
    "dependency": "dependency",
    "dependencies": "dependency",
    "dep": "dependency",
    "decision": "decision",
    "decisions": "decision",
    "raid": "raid",
    "raci": "raci",
    # cross-project dependencies (`dependency` is the RAID log's: something outside the project)
    "depend": "depend",
    "depends": "depend",
    "doc": "doc",
    "docs": "doc",
    "document": "doc",
    "documents": "doc",
    "people": "people",
    "person": "people",
    "team": "people",
    "directory": "people",
    "whoami": "whoami",
}


@dataclass(frozen=True)
class Token:
    """One word of a command, or one "quoted run" (then `quoted` is set)."""

    text: str
    quoted: bool = False

    @property
    def mention(self) -> Mention | None:
        """The person this token names (Slack, Teams or @handle), if it is a mention."""
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


def suggest(word: str, choices: list[str]) -> str:
    """` Did you mean `x`?` for the closest choice, or nothing."""
    close = difflib.get_close_matches(word.lower(), choices, n=1, cutoff=0.6)
    return f" Did you mean `{close[0]}`?" if close else ""


def pick_verb(group: str, tok: Token, verbs: dict[str, str]) -> str:
    """The verb a group's word stands for; unknown words fail with a suggestion."""
    word = tok.text.lower()
    verb = verbs.get(word) if not tok.quoted else None
    if verb is None:
        raise InvalidInput(
            f"`{group}` has no `{tok.text[:40]}`.{suggest(word, list(verbs))}",
            f"Type `help {group}` for the {group} commands.",
        )
    return verb


def fail(topic: str, verb: str, problem: str) -> InvalidInput:
    """The error for `problem`, with the usage line of `topic verb` as the hint."""
    return InvalidInput(problem, f"Use: `{usage(topic, verb)}`")


def read_key(tok: Token | None, topic: str, verb: str) -> str:
    """A project key (upper-cased), or fail."""
    if tok is None:
        raise fail(topic, verb, "A project key is missing.")
    key = tok.text.strip().upper()
    if not re.match(r"^[A-Z][A-Z0-9]{1,15}$", key):
        raise fail(topic, verb, f"`{tok.text[:40]}` is not a project key.")
    return key


def read_id(tok: Token | None, topic: str, verb: str, what: str = "item") -> int:
    """A number such as 12 or #12, or fail naming `what` it should number."""
    if tok is None:
        raise fail(topic, verb, f"The {what} number is missing.")
    m = ID_TOKEN.match(tok.text.strip())
    if not m:
        raise fail(topic, verb, f"`{tok.text[:40]}` is not an {what} number.")
    return int(m.group(1))


def read_mention(tok: Token | None, topic: str, verb: str) -> Mention:
    """A mentioned person, or fail."""
    if tok is None or tok.mention is None:
        got = f"`{tok.text[:40]}` is not a mention." if tok else "A person is missing."
        raise fail(topic, verb, f"{got} Mention people as @name.")
    return tok.mention


def read_rest(tokens: list[Token], topic: str, verb: str, what: str) -> str:
    """The remaining words as one text, or fail saying `what` is missing."""
    text = " ".join(t.text for t in tokens).strip()
    if not text:
        raise fail(topic, verb, f"The {what} is missing.")
    return text


def no_extra(tokens: list[Token], topic: str, verb: str) -> None:
    """Fail if anything is left over."""
    if tokens:
        extra = " ".join(t.text for t in tokens)[:60]
        raise fail(topic, verb, f"I don't know what to do with `{extra}`.")


def date_option(tok: Token) -> str | None:
    """The text after `due:`, `by:` or `on:` if the token starts with one, else None."""
    low = tok.text.lower()
    for opt in DATE_OPTIONS:
        if low.startswith(opt):
            return tok.text[len(opt) :]
    return None


def take_date(opt: str, following: list[Token]) -> tuple[str, int]:
    """The date that starts after `due:` (`opt`, the rest of that token) and how many of the
    `following` tokens belong to it: the longest run of words that reads as a date
    (`due:in 3 days Send the plan`), else one word (so a bad date is reported, not eaten)."""
    if " " in opt.strip():  # it was quoted: due:"next tue"
        return opt.strip(), 0
    words = [opt] if opt else []
    for tok in following:
        if len(words) >= MAX_WORDS or tok.quoted or tok.mention is not None:
            break
        if date_option(tok) is not None:
            break
        words.append(tok.text)
    n = date_words(words) or min(1, len(words))
    return " ".join(words[:n]), max(0, n - (1 if opt else 0))
