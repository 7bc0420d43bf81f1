"""The `me` command: your own settings — time zone, working hours and days, quiet hours, and
how you write dates."""

from __future__ import annotations

from services.commands import ast, everyday_ast
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
DATE_WORDS = ("dates", "date", "date_order", "dateorder")
DATES_USAGE = (
    "Use: `me dates` to see how you write dates, `me dates DMY|MDY|YMD|auto` to change it."
)


def parse_me(args: list[Token]) -> ast.Command:
    """`me` alone shows your settings; `me timezone|hours|days|quiet <value>` changes one;
    `me dates [DMY|MDY|YMD|auto]` shows or changes how you write dates."""
    if not args:
        return everyday_ast.MeShow()
    word = args[0].text.lower()
    if word in DATE_WORDS and not args[0].quoted:
        if len(args) == 1:
            return ast.MeDates()
        if len(args) > 2:
            raise InvalidInput("Give one date order: DMY, MDY, YMD or auto.", DATES_USAGE)
        return ast.MeDates(args[1].text)
    field = ME_FIELDS.get(word) if not args[0].quoted else None
    if field is None:
        choices = [*ME_FIELDS, "dates"]
        raise InvalidInput(
            f"`me` has no `{args[0].text[:40]}`.{suggest(word, choices)}",
            "Use: `me timezone Europe/London`, `me hours 08:00-16:30`, `me days mon-thu`, "
            "`me quiet 18:00-08:00` or `me dates DMY` (`help people`).",
        )
    value = " ".join(t.text for t in args[1:]).strip()
    if not value:
        raise fail("people", f"me {field}", f"The new {field} is missing.")
    return everyday_ast.MeSet(field, value)
