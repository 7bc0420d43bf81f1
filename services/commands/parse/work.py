"""The `action` and `deliverable` commands (the free-form item parts are shared)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from services.commands import ast
from services.commands.parse.core import (
    KEY_TOKEN,
    Token,
    date_option,
    fail,
    no_extra,
    pick_verb,
    read_id,
    read_key,
    read_mention,
    read_rest,
    take_date,
)
from services.commands.parse.registers import parse_signoff
from services.core.people import Mention

ACTION_VERBS = {
    "add": "add",
    "new": "add",
    "create": "add",
    "list": "list",
    "ls": "list",
    "show": "show",
    "info": "show",
    "done": "done",
    "complete": "done",
    "finish": "done",
    "close": "done",
    "snooze": "snooze",
    "later": "snooze",
    "assign": "assign",
    "reassign": "assign",
    "give": "assign",
    "due": "due",
    "reschedule": "due",
    "move": "due",
    "reopen": "reopen",
    "undo": "reopen",
    "cancel": "cancel",
    "drop": "cancel",
    "edit": "edit",
    "note": "note",
}
DELIVERABLE_VERBS = {
    "add": "add",
    "new": "add",
    "create": "add",
    "list": "list",
    "ls": "list",
    "forecast": "forecast",
    "reforecast": "forecast",
    "move": "forecast",
    "done": "done",
    "complete": "done",
    "deliver": "done",
    "signoff": "signoff",
    "sign-off": "signoff",
    "sign": "signoff",
    "show": "show",
}


def parse_action(args: list[Token]) -> ast.Command:
    """`action [<verb> …]`; alone it lists your items, `action add` alone opens the form."""
    if not args:
        return ast.ActionList()
    return ACTION_PARSERS[pick_verb("action", args[0], ACTION_VERBS)](args[1:])


def parse_deliverable(args: list[Token]) -> ast.Command:
    """`deliverable <verb> …`; alone it shows its help, `deliverable add` alone the form."""
    if not args:
        return ast.Help("deliverable")
    return DELIVERABLE_PARSERS[pick_verb("deliverable", args[0], DELIVERABLE_VERBS)](args[1:])


@dataclass
class Item:
    """The free-form parts of `action add` / `deliverable add`."""

    key: str | None
    title: str
    owner: Mention | None
    due: str | None


def read_item(args: list[Token], topic: str, verb: str, *, key_required: bool) -> Item:
    """`[<KEY>] <title words> [@owner] [due:<date words>]` in any order after the key."""
    key: str | None = None
    if args and not args[0].quoted and KEY_TOKEN.match(args[0].text):
        key, args = args[0].text, args[1:]
    elif key_required:
        if args and not args[0].quoted and re.match(r"^[A-Za-z][A-Za-z0-9]{1,15}$", args[0].text):
            key, args = args[0].text.upper(), args[1:]
        else:
            raise fail(topic, verb, "A project key is missing.")
    title: list[str] = []
    due: str | None = None
    owner: Mention | None = None
    i = 0
    while i < len(args):
        tok = args[i]
        i += 1
        if tok.mention is not None:
            if owner is not None:
                raise fail(topic, verb, "Name one owner only.")
            owner = tok.mention
            continue
        opt = date_option(tok) if not tok.quoted or ":" in tok.text else None
        if opt is not None:
            if due is not None:
                raise fail(topic, verb, "Give one due date only.")
            due, used = take_date(opt, args[i:])
            i += used
            continue
        title.append(tok.text)
    text = " ".join(title).strip()
    if not text:
        raise fail(topic, verb, "The title is missing.")
    if due is not None and not due:
        raise fail(topic, verb, "The date after `due:` is missing.")
    return Item(key, text, owner, due)


def _action_add(args: list[Token]) -> ast.Command:
    if not args:
        return ast.ActionForm()
    item = read_item(args, "action", "add", key_required=False)
    return ast.ActionAdd(title=item.title, key=item.key, owner=item.owner, due=item.due)


def _action_list(args: list[Token]) -> ast.Command:
    if not args:
        return ast.ActionList()
    word = args[0].text.lower()
    no_extra(args[1:], "action", "list")
    if word in ("mine", "my", "me"):
        return ast.ActionList("mine")
    if word in ("overdue", "late", "od"):
        return ast.ActionList("overdue")
    return ast.ActionList("project", read_key(args[0], "action", "list"))


def _id_only(verb: str, cls: Callable[[int], ast.Command]) -> Callable[[list[Token]], ast.Command]:
    def parse_it(args: list[Token]) -> ast.Command:
        item_id = read_id(args[0] if args else None, "action", verb)
        no_extra(args[1:], "action", verb)
        return cls(item_id)

    return parse_it


def _action_edit(args: list[Token]) -> ast.Command:
    item_id = read_id(args[0] if args else None, "action", "edit")
    if args[1:]:
        raise fail("action", "edit", "Give only the item number; change the fields in the form.")
    return ast.ActionEditForm(item_id)


def _action_snooze(args: list[Token]) -> ast.Command:
    item_id = read_id(args[0] if args else None, "action", "snooze")
    return ast.ActionSnooze(item_id, read_rest(args[1:], "action", "snooze", "date"))


def _action_assign(args: list[Token]) -> ast.Command:
    item_id = read_id(args[0] if args else None, "action", "assign")
    owner = read_mention(args[1] if len(args) > 1 else None, "action", "assign")
    no_extra(args[2:], "action", "assign")
    return ast.ActionAssign(item_id, owner)


def _action_due(args: list[Token]) -> ast.Command:
    item_id = read_id(args[0] if args else None, "action", "due")
    text = read_rest(args[1:], "action", "due", "date")
    opt = date_option(Token(text))
    return ast.ActionDue(item_id, opt if opt else text)


def _deliverable_add(args: list[Token]) -> ast.Command:
    if not args:
        return ast.DeliverableForm()
    item = read_item(args, "deliverable", "add", key_required=True)
    if item.due is None:
        raise fail("deliverable", "add", "A deliverable needs a due date (due:<date>).")
    assert item.key is not None
    return ast.DeliverableAdd(key=item.key, title=item.title, due=item.due, owner=item.owner)


def _deliverable_list(args: list[Token]) -> ast.Command:
    key = read_key(args[0] if args else None, "deliverable", "list")
    no_extra(args[1:], "deliverable", "list")
    return ast.DeliverableList(key)


def _deliverable_forecast(args: list[Token]) -> ast.Command:
    d_id = read_id(args[0] if args else None, "deliverable", "forecast", "deliverable")
    text = read_rest(args[1:], "deliverable", "forecast", "date")
    opt = date_option(Token(text))
    return ast.DeliverableForecast(d_id, opt if opt else text)


def _deliverable_done(args: list[Token]) -> ast.Command:
    d_id = read_id(args[0] if args else None, "deliverable", "done", "deliverable")
    no_extra(args[1:], "deliverable", "done")
    return ast.DeliverableDone(d_id)


ACTION_PARSERS: dict[str, Callable[[list[Token]], ast.Command]] = {
    "add": _action_add,
    "list": _action_list,
    "show": _id_only("show", ast.ActionShow),
    "done": _id_only("done", ast.ActionDone),
    "reopen": _id_only("reopen", ast.ActionReopen),
    "cancel": _id_only("cancel", ast.ActionCancel),
    "snooze": _action_snooze,
    "assign": _action_assign,
    "due": _action_due,
    "edit": _action_edit,
}
DELIVERABLE_PARSERS: dict[str, Callable[[list[Token]], ast.Command]] = {
    "add": _deliverable_add,
    "list": _deliverable_list,
    "forecast": _deliverable_forecast,
    "done": _deliverable_done,
    "signoff": parse_signoff,
}
