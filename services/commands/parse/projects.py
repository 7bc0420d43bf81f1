"""The `project` commands."""

from __future__ import annotations

from collections.abc import Callable

from services.commands import ast
from services.commands.parse.core import (
    Token,
    fail,
    no_extra,
    pick_verb,
    read_key,
    read_mention,
    read_rest,
)
from services.commands.parse.registers import parse_gate, parse_phases, parse_register
from services.core.people import Mention

VERBS = {
    "new": "new",
    "add-project": "new",
    "create": "new",
    "list": "list",
    "ls": "list",
    "show": "show",
    "info": "show",
    "view": "show",
    "add": "add",
    "member": "add",
    "remove": "remove",
    "rm": "remove",
    "kick": "remove",
    "close": "close",
    "archive": "close",
    "set": "set",
    "edit": "set",
    "update": "set",
    "register": "register",
    "phases": "phases",
    "gate": "gate",
    "gates": "gate",
}


def parse_project(args: list[Token]) -> ast.Command:
    """`project [<verb> …]`; alone it lists the projects, `project new` alone opens the form."""
    if not args:
        return ast.ProjectList()
    return PARSERS[pick_verb("project", args[0], VERBS)](args[1:])


def _new(args: list[Token]) -> ast.Command:
    if not args:
        return ast.ProjectForm()
    key = read_key(args[0] if args else None, "project", "new")
    pm: Mention | None = None
    private = False
    name: list[str] = []
    for tok in args[1:]:
        if tok.mention is not None:
            if pm is not None:
                raise fail("project", "new", "Name one PM only.")
            pm = tok.mention
        elif not tok.quoted and tok.text.lower() in ("private", "--private"):
            private = True
        else:
            name.append(tok.text)
    if not " ".join(name).strip():
        raise fail("project", "new", "The project name is missing.")
    return ast.ProjectNew(key=key, name=" ".join(name).strip(), pm=pm, private=private)


def _list(args: list[Token]) -> ast.Command:
    include_closed = bool(args) and args[0].text.lower() in ("all", "closed", "--all")
    no_extra(args[1:] if include_closed else args, "project", "list")
    return ast.ProjectList(include_closed=include_closed)


def _show(args: list[Token]) -> ast.Command:
    key = read_key(args[0] if args else None, "project", "show")
    no_extra(args[1:], "project", "show")
    return ast.ProjectShow(key)


def _add(args: list[Token]) -> ast.Command:
    key = read_key(args[0] if args else None, "project", "add")
    person = read_mention(args[1] if len(args) > 1 else None, "project", "add")
    role = args[2].text if len(args) > 2 else "member"
    no_extra(args[3:], "project", "add")
    return ast.ProjectAdd(key=key, person=person, role=role)


def _remove(args: list[Token]) -> ast.Command:
    key = read_key(args[0] if args else None, "project", "remove")
    person = read_mention(args[1] if len(args) > 1 else None, "project", "remove")
    no_extra(args[2:], "project", "remove")
    return ast.ProjectRemove(key=key, person=person)


def _close(args: list[Token]) -> ast.Command:
    key = read_key(args[0] if args else None, "project", "close")
    no_extra(args[1:], "project", "close")
    return ast.ProjectClose(key)


def _set(args: list[Token]) -> ast.Command:
    key = read_key(args[0] if args else None, "project", "set")
    if len(args) < 2:
        raise fail("project", "set", "The field to change is missing.")
    field = args[1].text.lower().rstrip(":=")
    value = read_rest(args[2:], "project", "set", "new value")
    return ast.ProjectSet(key=key, field=field, value=value)


PARSERS: dict[str, Callable[[list[Token]], ast.Command]] = {
    "new": _new,
    "list": _list,
    "show": _show,
    "add": _add,
    "remove": _remove,
    "close": _close,
    "set": _set,
    "register": parse_register,
    "phases": parse_phases,
    "gate": parse_gate,
}
