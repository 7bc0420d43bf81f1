"""The `people` and `whoami` commands, and the `page N` ending every cut list accepts."""

from __future__ import annotations

from services.commands import everyday_ast as ast
from services.commands.ast import Command
from services.commands.parse.core import Token, fail, no_extra

PAGE_WORDS = ("page", "p", "pg")


def split_page(args: list[Token], topic: str, verb: str) -> tuple[list[Token], int]:
    """The tokens before a trailing `page N`, and N (1 when there is none)."""
    if len(args) >= 2 and args[-2].text.lower() in PAGE_WORDS and not args[-2].quoted:
        raw = args[-1].text.strip()
        if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
            raise fail(topic, verb, f"`{raw[:20]}` is not a page number.")
        return args[:-2], int(raw)
    return args, 1


def parse_people(args: list[Token]) -> Command:
    """`people [page N]`: who the bot knows here."""
    rest, page = split_page(args, "people", "")
    no_extra(rest, "people", "")
    return ast.PeopleList(page)


def parse_whoami(args: list[Token]) -> Command:
    """`whoami`: who you are here, your roles and your time."""
    no_extra(args, "people", "whoami")
    return ast.WhoAmI()
