"""The `me` commands: how the bot treats you. Here: `me dates [DMY|MDY|YMD|auto]`."""

from __future__ import annotations

from services.commands import ast
from services.commands.parse.core import Token, fail, no_extra


def parse_me(args: list[Token]) -> ast.Command:
    """`me dates` shows how you write dates; `me dates MDY` changes it."""
    if not args or args[0].text.lower() not in ("dates", "date", "date_order", "dateorder"):
        raise fail("me", "dates", "Say what to look at or change, e.g. `me dates`.")
    if len(args) == 1:
        return ast.MeDates()
    no_extra(args[2:], "me", "dates")
    return ast.MeDates(args[1].text)
