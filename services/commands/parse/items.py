"""Everyday forms of the `action`, `deliverable` and `leave` commands, parsed before the
group's own parser: one person's items, done ones, `page N` of any list, one field at a
time, notes, several ids at once, a deliverable's card, one leave period by number."""

from __future__ import annotations

from services.commands import ast, everyday_ast
from services.commands.parse.core import (
    ID_TOKEN,
    Token,
    fail,
    no_extra,
    read_id,
    read_key,
    read_rest,
)
from services.commands.parse.people import split_page
from services.commands.parse.projects import parse_project
from services.commands.parse.work import parse_action, parse_deliverable
from services.commands.parse.workspace import parse_leave

EDIT_FIELDS = {
    "title": "title",
    "name": "title",
    "due": "due",
    "date": "due",
    "owner": "owner",
    "assignee": "owner",
    "notes": "notes",
}
MANY = {
    "done": "done",
    "complete": "done",
    "finish": "done",
    "close": "done",
    "reopen": "reopen",
    "undo": "reopen",
    "cancel": "cancel",
    "drop": "cancel",
    "snooze": "snooze",
    "later": "snooze",
    "due": "due",
    "reschedule": "due",
    "move": "due",
    "assign": "assign",
    "reassign": "assign",
    "give": "assign",
}
LIST_WORDS = ("list", "ls")
CANCEL_WORDS = ("cancel", "off", "end", "back")


def parse_action_everyday(args: list[Token]) -> ast.Command:
    """`action …`, with the everyday forms; anything else goes to the `action` parser."""
    verb = args[0].text.lower() if args and not args[0].quoted else ""
    rest = args[1:]
    if verb in LIST_WORDS:
        return _list(rest)
    if verb == "note":
        item_id = read_id(rest[0] if rest else None, "action", "note")
        return everyday_ast.ActionNote(item_id, read_rest(rest[1:], "action", "note", "note"))
    if verb == "edit" and len(rest) >= 2:
        return _edit(rest)
    if verb in MANY:
        ids, after = _ids(rest)
        if len(ids) > 1:
            return _many(MANY[verb], tuple(ids), after)
    return parse_action(args)


def _list(args: list[Token]) -> ast.Command:
    args, page = split_page(args, "action", "list")
    words = [t.text.lower() for t in args]
    if args and args[0].mention is not None:
        no_extra(args[1:], "action", "list")
        return everyday_ast.ActionListOf(args[0].mention, page)
    if "done" in words:
        others = [t for t in args if t.text.lower() != "done"]
        key = read_key(others[0], "action", "list") if others else None
        no_extra(others[1:], "action", "list")
        return everyday_ast.ActionListDone(key, page)
    parsed = parse_action([Token("list"), *args])
    if isinstance(parsed, ast.ActionList) and page != 1:
        return ast.ActionList(parsed.scope, parsed.key, page)
    return parsed


def _edit(args: list[Token]) -> ast.Command:
    item_id = read_id(args[0], "action", "edit")
    field = EDIT_FIELDS.get(args[1].text.lower()) if not args[1].quoted else None
    if field is None:
        raise fail(
            "action",
            "edit",
            f"An action item has no field `{args[1].text[:40]}`; change its title, due, "
            "owner or notes.",
        )
    if field == "owner":
        owner = args[2].mention if len(args) == 3 else None
        if owner is None:
            raise fail("action", "edit", "Name the new owner as @name.")
        return everyday_ast.ActionEditField(item_id, "owner", args[2].text, owner)
    value = " ".join(t.text for t in args[2:]).strip()
    if field == "due" and value.lower().startswith(("due:", "by:", "on:")):
        value = value.split(":", 1)[1]
    if not value and field != "notes":
        raise fail("action", "edit", f"The new {field} is missing.")
    return everyday_ast.ActionEditField(item_id, field, value)


def _ids(args: list[Token]) -> tuple[list[int], list[Token]]:
    """Leading item numbers (`14 15 16`, `#14,#15`), and what follows them."""
    ids: list[int] = []
    for n, tok in enumerate(args):
        parts = [p for p in tok.text.split(",") if p] if not tok.quoted else [tok.text]
        matches = [ID_TOKEN.match(p.strip()) for p in parts]
        if not parts or not all(matches):
            return ids, args[n:]
        ids += [int(m.group(1)) for m in matches if m]
    return ids, []


def _many(verb: str, ids: tuple[int, ...], after: list[Token]) -> ast.Command:
    if verb in ("done", "reopen", "cancel"):
        no_extra(after, "action", verb)
        return everyday_ast.ActionMany(verb, ids)
    if verb == "assign":
        owner = after[0].mention if len(after) == 1 else None
        if owner is None:
            raise fail("action", "assign", "Name the new owner as @name after the item numbers.")
        return everyday_ast.ActionMany(verb, ids, owner=owner)
    text = read_rest(after, "action", verb, "date")
    if text.lower().startswith(("due:", "by:", "on:")):
        text = text.split(":", 1)[1]
    return everyday_ast.ActionMany(verb, ids, text)


def parse_project_everyday(args: list[Token]) -> ast.Command:
    """`project list [all] page N`, else the `project` parser."""
    if args and not args[0].quoted and args[0].text.lower() in LIST_WORDS:
        rest, page = split_page(args, "project", "list")
        parsed = parse_project(rest)
        if isinstance(parsed, ast.ProjectList) and page != 1:
            return ast.ProjectList(parsed.include_closed, page)
        return parsed
    return parse_project(args)


def parse_deliverable_everyday(args: list[Token]) -> ast.Command:
    """`deliverable show <id>`, else the `deliverable` parser."""
    if args and not args[0].quoted and args[0].text.lower() in ("show", "info"):
        d_id = read_id(args[1] if len(args) > 1 else None, "deliverable", "show", "deliverable")
        no_extra(args[2:], "deliverable", "show")
        return everyday_ast.DeliverableShow(d_id)
    return parse_deliverable(args)


def parse_leave_everyday(args: list[Token]) -> ast.Command:
    """`leave cancel <id>` and `leave list`, else the `leave` parser."""
    words = [t.text.lower() for t in args]
    if len(words) == 2 and words[0] in CANCEL_WORDS:
        return everyday_ast.LeaveCancelOne(read_id(args[1], "leave", "cancel", "leave"))
    if words == ["list"]:
        return ast.LeaveShow()
    return parse_leave(args)
