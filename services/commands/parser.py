"""Parse the text of a command (after the slash command, or typed in the console).

The parser is pure: it looks nothing up. Dates stay as text (they are read later in the
actor's time zone) and mentions stay as `Mention`s (resolved against the workspace later).
Any input either parses or raises `InvalidInput` with the right form to use.

This module is the entry: it finds the command word and hands the rest to the group's
parser in `services.commands.parse` (one module per command group).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from services.commands import ast, ast_meetings
from services.commands.parse.core import GROUPS, Token, suggest, tokenize
from services.commands.parse.help import parse_help
from services.commands.parse.items import (
    parse_action_everyday,
    parse_deliverable_everyday,
    parse_leave_everyday,
    parse_project_everyday,
)
from services.commands.parse.me import parse_me
from services.commands.parse.meetings import parse_ics, parse_meeting, parse_minutes
from services.commands.parse.people import parse_people, parse_whoami
from services.commands.parse.raid import (
    parse_assumption,
    parse_decision,
    parse_dependency,
    parse_issue,
    parse_raid,
    parse_risk,
)
from services.commands.parse.registers import parse_depend, parse_doc, parse_raci
from services.commands.parse.status import parse_report, parse_status
from services.commands.parse.workspace import (
    parse_admin,
    parse_digest,
    parse_settings,
)
from services.core.errors import InvalidInput

__all__ = ["GROUPS", "MAX_COMMAND_LENGTH", "Token", "parse", "tokenize"]

MAX_COMMAND_LENGTH = 4000
FREE_TEXT = re.compile(
    r"^\s*(?:minutes|minute|mins)\s+(note|n|decision|decide|decided)\b\s*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
SHORTCUTS = {
    "mine": ("action", ["list", "mine"]),
    "overdue": ("action", ["list", "overdue"]),
    "new": ("action", ["add"]),  # alone: the new-item form; with a title: `action add`
}
ALONE: dict[str, Callable[[], ast.Command]] = {"todo": ast.ActionForm}  # a word on its own
GROUP_PARSERS: dict[str, Callable[[list[Token]], ast.Command]] = {
    "help": parse_help,
    "project": parse_project_everyday,
    "action": parse_action_everyday,
    "deliverable": parse_deliverable_everyday,
    "status": parse_status,
    "report": parse_report,
    "minutes": parse_minutes,
    "meeting": parse_meeting,
    "ics": parse_ics,
    "settings": parse_settings,
    "digest": parse_digest,
    "leave": parse_leave_everyday,
    "admin": parse_admin,
    "me": parse_me,
    "risk": parse_risk,
    "issue": parse_issue,
    "assumption": parse_assumption,
    "dependency": parse_dependency,
    "decision": parse_decision,
    "raid": parse_raid,
    "raci": parse_raci,
    "depend": parse_depend,
    "doc": parse_doc,
    "people": parse_people,
    "whoami": parse_whoami,
}


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
        return ast_meetings.MinutesAdd(kind, free.group(2).strip())
    tokens = tokenize(text.strip())
    if not tokens:
        return ast.Help()
    head = tokens[0].text.lower()
    if head in ALONE and len(tokens) == 1 and not tokens[0].quoted:
        return ALONE[head]()
    if head in SHORTCUTS and not tokens[0].quoted:
        target, extra = SHORTCUTS[head]
        tokens = [Token(target), *[Token(e) for e in extra], *tokens[1:]]
        head = target
    group = GROUPS.get(head) if not tokens[0].quoted else None
    if group is None:
        names = sorted({*GROUPS, *SHORTCUTS} - {"?", "p", "a", "d", "ai"})
        raise InvalidInput(
            f"I don't know the command `{tokens[0].text[:40]}`.{suggest(head, names)}",
            "Type `help` to see what I can do.",
        )
    return GROUP_PARSERS[group](tokens[1:])
