"""The More button under a cut list, whatever the channel: it carries the command that
shows the next page, and runs it as the person who clicked (with their own rights)."""

from __future__ import annotations

from services.commands import ast, ast_meetings, ast_raid, everyday_ast
from services.commands.parser import parse
from services.core.errors import InvalidInput, NotFound

PAGED = (
    ast.ProjectList,
    ast.ActionList,
    everyday_ast.ActionListOf,
    everyday_ast.ActionListDone,
    everyday_ast.PeopleList,
    ast_raid.RaidList,
    ast_raid.DecisionList,
    ast_meetings.MinutesList,
)


def next_page(value: str) -> ast.Command:
    """The list command a More button carries; anything else is refused."""
    try:
        cmd = parse(value)
    except InvalidInput:
        raise NotFound("I couldn't read that button.") from None
    if not isinstance(cmd, PAGED):
        raise NotFound("I couldn't read that button.")
    return cmd
