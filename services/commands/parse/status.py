"""The `status` and `report` commands."""

from __future__ import annotations

from services.commands import ast
from services.commands.parse.core import Token, fail, read_key
from services.status.carry import CLEAR_WORDS

RAG_WORD = ("green", "amber", "red", "g", "a", "r", "yellow")


def parse_status(args: list[Token]) -> ast.Command:
    """`status <KEY> [<rag> <summary>]`, `status show <KEY>`, `status settings <KEY> …`."""
    if not args:
        raise fail("status", "", "Which project? e.g. `status APOLLO`.")
    head = args[0].text.lower()
    if head == "show" and not args[0].quoted:
        return ast.StatusShow(read_key(args[1] if len(args) > 1 else None, "status", "show"))
    if head in ("settings", "setting", "cadence", "schedule") and not args[0].quoted:
        key = read_key(args[1] if len(args) > 1 else None, "status", "settings")
        if len(args) <= 2:
            return ast.StatusSettings(key)
        people = tuple(m for t in args[3:] if (m := t.mention) is not None)
        value = " ".join(t.text for t in args[3:])
        return ast.StatusSettings(key, args[2].text.lower(), value, people)
    key = read_key(args[0], "status", "")
    if len(args) == 1:
        return ast.StatusForm(key)
    rag = args[1].text.lower()
    if rag not in RAG_WORD:
        raise fail("status", "", f"{args[1].text[:20]!r} is not green, amber or red.")
    rest = args[2:]
    clear = bool(rest) and not rest[-1].quoted and rest[-1].text.lower() in CLEAR_WORDS
    summary = " ".join(t.text for t in (rest[:-1] if clear else rest))
    return ast.StatusQuick(key, rag, summary, clear)


def parse_report(args: list[Token]) -> ast.Command:
    """`report [<week>]` or `report stats`."""
    words = [t.text for t in args]
    if words and words[0].lower() in ("stats", "participation"):
        return ast.ReportStats()
    if len(words) > 1:
        raise fail("report", "", "Give one week, like 2026-W47.")
    return ast.ReportShow(words[0] if words else None)
