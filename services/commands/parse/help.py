"""The `help` command."""

from __future__ import annotations

from services.commands import ast
from services.commands.help import HELP_ALIASES, TOPICS
from services.commands.parse.core import GROUPS, Token, suggest
from services.core.errors import InvalidInput


def parse_help(args: list[Token]) -> ast.Command:
    """`help [<topic>]`; a command word (or its alias) names its topic."""
    if not args:
        return ast.Help()
    word = args[0].text.lower()
    topic = GROUPS.get(word, word)
    if topic == "date":
        topic = "dates"
    topic = HELP_ALIASES.get(topic, topic)
    if topic not in TOPICS:
        raise InvalidInput(
            f"There is no help on `{args[0].text[:40]}`.{suggest(word, list(TOPICS))}",
            f"Topics: {', '.join(TOPICS)}.",
        )
    return ast.Help(topic)
