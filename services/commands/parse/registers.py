"""The `raci`, `depend` and `doc` commands, `deliverable signoff`, and the register's
`project register`, `project phases` and `project gate`."""

from __future__ import annotations

import re

from services.commands import ast
from services.commands import ast_registers as reg
from services.commands.parse.core import (
    ID_TOKEN,
    Token,
    date_option,
    fail,
    no_extra,
    pick_verb,
    read_id,
    read_key,
    suggest,
)
from services.core.people import Mention

LETTERS = {
    "r": "R",
    "responsible": "R",
    "a": "A",
    "accountable": "A",
    "c": "C",
    "consulted": "C",
    "i": "I",
    "informed": "I",
    "-": "-",
    "remove": "-",
    "none": "-",
}
COMBO = re.compile(r"^[RACIraci](?:[/+]?[RACIraci]){1,3}$")
NO = ("no", "not", "notyet", "not-yet", "reject", "decline", "n")
YES = ("yes", "ok", "y", "approve", "signoff")
DELIVERABLE_REF = re.compile(r"^(?:#|d:|deliverable:)(\d{1,9})$", re.IGNORECASE)
VERSION = ("v:", "version:")


def _letters(tok: Token) -> list[str] | None:
    """The letters a token stands for (R, A/R, -), or None if it is not one."""
    if tok.quoted:
        return None
    word = tok.text.lower().rstrip(":")
    if word in LETTERS:
        return [LETTERS[word]]
    if COMBO.match(tok.text):
        return sorted({ch.upper() for ch in tok.text if ch.isalpha()}, key="RACI".index)
    return None


def _optional_id(args: list[Token]) -> tuple[int | None, list[Token]]:
    if args and not args[0].quoted and ID_TOKEN.match(args[0].text):
        return int(ID_TOKEN.match(args[0].text).group(1)), args[1:]  # type: ignore[union-attr]
    return None, args


def parse_raci(args: list[Token]) -> ast.Command:
    """`raci KEY [id]`, `raci set KEY [id] R @a A @b …`, `raci clear KEY [id]`, `raci export
    KEY`."""
    if not args:
        return ast.Help("raci")
    verb = args[0].text.lower() if not args[0].quoted else ""
    if verb in ("set", "assign"):
        key = read_key(args[1] if len(args) > 1 else None, "raci", "set")
        d_id, rest = _optional_id(args[2:])
        return reg.RaciSet(key, d_id, _groups(rest))
    if verb in ("clear", "reset"):
        key = read_key(args[1] if len(args) > 1 else None, "raci", "clear")
        d_id, rest = _optional_id(args[2:])
        no_extra(rest, "raci", "clear")
        return reg.RaciClear(key, d_id)
    if verb in ("export", "xlsx", "excel"):
        key = read_key(args[1] if len(args) > 1 else None, "raci", "export")
        no_extra(args[2:], "raci", "export")
        return reg.RaciExport(key)
    if verb in ("show", "matrix", "chart"):
        args = args[1:]
    key = read_key(args[0] if args else None, "raci", "<KEY>")
    d_id, rest = _optional_id(args[1:])
    no_extra(rest, "raci", "<KEY>")
    return reg.RaciShow(key, d_id)


def _groups(args: list[Token]) -> tuple[tuple[str, tuple[Mention, ...]], ...]:
    groups: list[tuple[list[str], list[Mention]]] = []
    for tok in args:
        letters = _letters(tok)
        if letters is not None:
            groups.append((letters, []))
        elif tok.mention is not None:
            if not groups:
                raise fail("raci", "set", "Start with a letter (R, A, C or I), then the people.")
            groups[-1][1].append(tok.mention)
        else:
            raise fail(
                "raci",
                "set",
                f"`{tok.text[:40]}` is neither a letter (R, A, C, I, -) nor @someone.",
            )
    if not groups:
        raise fail("raci", "set", "Name the letters and people, e.g. R @ana A @ben.")
    out: list[tuple[str, tuple[Mention, ...]]] = []
    for letters, people in groups:
        if not people:
            raise fail("raci", "set", f"Nobody is named after {'/'.join(letters)}.")
        out += [(letter, tuple(people)) for letter in letters]
    return tuple(out)


def parse_signoff(args: list[Token]) -> ast.Command:
    """`deliverable signoff <id> [no ["why"]]`."""
    d_id = read_id(args[0] if args else None, "deliverable", "signoff", "deliverable")
    rest = args[1:]
    if not rest or (not rest[0].quoted and rest[0].text.lower() in YES and len(rest) == 1):
        return reg.DeliverableSignoff(d_id)
    if rest[0].quoted or rest[0].text.lower() not in NO:
        raise fail("deliverable", "signoff", "Say `no` and why, or nothing to sign it off.")
    words = rest[1:]
    if words and not words[0].quoted and words[0].text.lower() == "yet":
        words = words[1:]
    reason = " ".join(t.text for t in words).strip()
    return reg.DeliverableSignoff(d_id, False, reason) if reason else reg.SignoffForm(d_id)


DEPEND_VERBS = {
    "list": "list",
    "ls": "list",
    "accept": "accept",
    "agree": "accept",
    "ok": "accept",
    "propose": "propose",
    "counter": "propose",
    "decline": "decline",
    "refuse": "decline",
}


def parse_depend(args: list[Token]) -> ast.Command:
    """`depend KEY on OTHER "<what>" by:<date> [#<deliverable>]`, `depend list [KEY]`,
    `depend accept|propose|decline <id> …`."""
    if not args:
        return reg.DependList()
    first = args[0]
    if not first.quoted and first.text.lower() in DEPEND_VERBS:
        verb = DEPEND_VERBS[first.text.lower()]
        rest = args[1:]
        if verb == "list":
            key = read_key(rest[0], "depend", "list") if rest else None
            no_extra(rest[1:], "depend", "list")
            return reg.DependList(key)
        dep_id = read_id(rest[0] if rest else None, "depend", verb, "dependency")
        more = rest[1:]
        if verb == "accept":
            no_extra(more, "depend", "accept")
            return reg.DependAccept(dep_id)
        if not more:
            return reg.DependForm(dep_id, verb)
        text = " ".join(t.text for t in more).strip()
        if verb == "propose":
            opt = date_option(Token(text))
            return reg.DependPropose(dep_id, opt if opt else text)
        return reg.DependDecline(dep_id, text)
    if first.quoted or not re.match(r"^[A-Za-z][A-Za-z0-9]{1,15}$", first.text):
        raise fail(
            "depend",
            "<KEY>",
            f"`{first.text[:40]}` is neither a project key nor list, accept, propose or decline.",
        )
    key = first.text.upper()
    if len(args) < 3 or args[1].quoted or args[1].text.lower() not in ("on", "needs", "from"):
        hint = suggest(first.text, list(DEPEND_VERBS))
        raise fail("depend", "<KEY>", f"Say which project it depends on: `APOLLO on HERMES`.{hint}")
    other = read_key(args[2], "depend", "<KEY>")
    what: list[str] = []
    by: list[str] | None = None
    d_id: int | None = None
    for tok in args[3:]:
        ref = DELIVERABLE_REF.match(tok.text) if not tok.quoted else None
        opt = date_option(tok) if not tok.quoted else None
        if ref:
            d_id = int(ref.group(1))
        elif opt is not None:
            by = [opt] if opt else []
        elif by is not None and not tok.quoted:
            by.append(tok.text)
        else:
            what.append(tok.text)
    if not " ".join(what).strip():
        raise fail("depend", "<KEY>", 'Say what you need, in quotes: "API v2 in staging".')
    if not by or not " ".join(by).strip():
        raise fail("depend", "<KEY>", "Say by when you need it: by:<date>.")
    return reg.DependNew(key, other, " ".join(what).strip(), " ".join(by).strip(), d_id)


DOC_VERBS = {
    "add": "add",
    "new": "add",
    "version": "version",
    "ver": "version",
    "approvers": "approvers",
    "approver": "approvers",
    "list": "list",
    "ls": "list",
    "show": "show",
    "info": "show",
    "approve": "approve",
    "changes": "changes",
    "reject": "changes",
}


def _version(tok: Token) -> str | None:
    low = tok.text.lower()
    for opt in VERSION:
        if low.startswith(opt) and not tok.quoted:
            return tok.text[len(opt) :]
    return None


def parse_doc(args: list[Token]) -> ast.Command:
    """`doc add|version|approvers|list|show|approve|changes …`."""
    if not args:
        return ast.Help("doc")
    verb = pick_verb("doc", args[0], DOC_VERBS)
    rest = args[1:]
    if verb == "list":
        key = read_key(rest[0] if rest else None, "doc", "list")
        no_extra(rest[1:], "doc", "list")
        return reg.DocList(key)
    if verb == "add":
        key = read_key(rest[0] if rest else None, "doc", "add")
        title, url, version = _title_url_version(rest[1:], "add")
        if not title:
            raise fail("doc", "add", 'The title is missing: doc add KEY "Title" <link>.')
        return reg.DocAdd(key, title, url, version)
    doc_id = read_id(rest[0] if rest else None, "doc", verb, "document")
    more = rest[1:]
    match verb:
        case "version":
            note, url, version = _title_url_version(more, "version")
            return reg.DocVersion(doc_id, url, version, note)
        case "approvers":
            people = [t.mention for t in more if t.mention is not None]
            dates = [date_option(t) for t in more if t.mention is None]
            if any(d is None for d in dates) or not people:
                raise fail("doc", "approvers", "Name the approvers as @name (and by:<date>).")
            due = " ".join(d for d in dates if d) or None
            return reg.DocApprovers(doc_id, tuple(people), due)
        case "show":
            no_extra(more, "doc", "show")
            return reg.DocShow(doc_id)
        case "approve":
            version = _version(more[0]) if more else None
            no_extra(more[1:] if version else more, "doc", "approve")
            return reg.DocApprove(doc_id, version)
        case _:
            comment = " ".join(t.text for t in more).strip()
            return reg.DocChanges(doc_id, comment) if comment else reg.DocChangesForm(doc_id)


def _title_url_version(args: list[Token], verb: str) -> tuple[str, str, str | None]:
    words: list[str] = []
    url: str | None = None
    version: str | None = None
    for tok in args:
        v = _version(tok)
        link = tok.text.strip("<>").split("|")[0]
        if v is not None:
            version = v
        elif not tok.quoted and link.lower().startswith(("http://", "https://")):
            if url is not None:
                raise fail("doc", verb, "Give one link.")
            url = tok.text
        else:
            words.append(tok.text)
    if url is None:
        raise fail("doc", verb, "The link (https://…) is missing.")
    return " ".join(words).strip(), url, version


def parse_register(args: list[Token]) -> ast.Command:
    """`project register [csv|xlsx|KEY]`."""
    if not args:
        return reg.ProjectRegister()
    word = args[0].text.lower()
    no_extra(args[1:], "project", "register")
    if word in ("csv", "xlsx", "excel"):
        return reg.ProjectRegister("csv" if word == "csv" else "xlsx")
    return reg.ProjectGates(read_key(args[0], "project", "register"))


def parse_phases(args: list[Token]) -> ast.Command:
    """`project phases [<phase> …]` (quote phases of several words)."""
    return reg.ProjectPhases(tuple(t.text.strip(",") for t in args if t.text.strip(",")))


def parse_gate(args: list[Token]) -> ast.Command:
    """`project gate KEY`, `project gate KEY <phase> @approver`, `project gate KEY approve`,
    `project gate KEY reject ["why"]`."""
    key = read_key(args[0] if args else None, "project", "gate")
    rest = args[1:]
    if not rest:
        return reg.ProjectGates(key)
    word = rest[0].text.lower() if not rest[0].quoted else ""
    if word in ("approve", "ok", "yes"):
        no_extra(rest[1:], "project", "gate")
        return reg.ProjectGateDecide(key, True)
    if word in ("reject", "no", "decline"):
        why = " ".join(t.text for t in rest[1:]).strip()
        return reg.ProjectGateDecide(key, False, why) if why else reg.GateRejectForm(key)
    people = [t.mention for t in rest if t.mention is not None]
    phase = " ".join(t.text for t in rest if t.mention is None).strip()
    if len(people) != 1 or not phase:
        raise fail("project", "gate", "Name the phase and one approver: Executing @sponsor.")
    return reg.ProjectGateSet(key, phase, people[0])
