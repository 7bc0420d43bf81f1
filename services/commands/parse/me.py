"""The `me` command: your own settings (time zone, working hours and days, quiet hours)."""

from __future__ import annotations

from services.commands import everyday_ast as ast
from services.commands.ast import Command
from services.commands.parse.core import Token, fail, suggest
from services.core.errors import InvalidInput

ME_FIELDS = {
    "timezone": "timezone",
    "tz": "timezone",
    "zone": "timezone",
    "time_zone": "timezone",
    "hours": "hours",
    "hrs": "hours",
    "days": "days",
    "workdays": "days",
    "quiet": "quiet",
    "dnd": "quiet",
}


def parse_me(args: list[Token]) -> Command:
    """`me` alone shows your settings; `me timezone|hours|days|quiet <value>` changes one."""
    if not args:
        return ast.MeShow()
    word = args[0].text.lower()
    field = ME_FIELDS.get(word) if not args[0].quoted else None
    if field is None:
        raise InvalidInput(
            f"`me` has no `{args[0].text[:40]}`.{suggest(word, list(ME_FIELDS))}",
            "Use: `me timezone Europe/London`, `me hours 08:00-16:30`, `me days mon-thu` "
            "or `me quiet 18:00-08:00` (`help people`).",
        )
    value = " ".join(t.text for t in args[1:]).strip()
    if not value:
        raise fail("people", f"me {field}", f"The new {field} is missing.")
    return ast.MeSet(field, value)
