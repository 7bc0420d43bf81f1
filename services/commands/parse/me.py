"""The `me` commands: how the bot treats you. Here: `me dates [DMY|MDY|YMD|auto]`."""

from __future__ import annotations

from services.commands import ast
from services.commands.parse.core import Token
from services.core.errors import InvalidInput

USAGE = "Use: `me dates` to see how you write dates, `me dates DMY|MDY|YMD|auto` to change it."


def parse_me(args: list[Token]) -> ast.Command:
    """`me dates` shows how you write dates; `me dates MDY` changes it."""
    if not args or args[0].text.lower() not in ("dates", "date", "date_order", "dateorder"):
        raise InvalidInput("Say what to look at or change, e.g. `me dates`.", USAGE)
    if len(args) == 1:
        return ast.MeDates()
    if len(args) > 2:
        raise InvalidInput("Give one date order: DMY, MDY, YMD or auto.", USAGE)
    return ast.MeDates(args[1].text)
