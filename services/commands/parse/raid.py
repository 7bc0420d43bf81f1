"""The RAID-log commands: `risk`, `issue`, `assumption`, `dependency`, `decision` and `raid`.

Entries are named as `R-3` (the kind's letter and its number in the project), with the
project key when more than one project has one (`APOLLO R-3`); after a kind's own word a
bare number will do (`risk close 3`). Options are `name:value` words: `p:4 i:3`,
`severity:high`, `due:friday` (date words may follow unquoted), `@owner`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from services.commands import ast_raid as ast
from services.commands.ast import Command, Help
from services.commands.parse.core import (
    KEY_TOKEN,
    Token,
    fail,
    no_extra,
    pick_verb,
    read_key,
    read_mention,
)
from services.commands.parse.people import split_page
from services.core.people import Mention

REF = re.compile(r"^#?(?:([A-Za-z][A-Za-z0-9]{1,15})-)?(DEC|R|A|I|D)-?(\d{1,6})$", re.IGNORECASE)
NUMBER = re.compile(r"^#?(\d{1,6})$")
DATE_OPTIONS = {
    "due": "due",
    "by": "due",
    "review": "due",
    "on": "due",
    "needed": "due",
    "validate": "due",
    "date": "due",
}
OPTIONS = {
    "p": "p",
    "prob": "p",
    "probability": "p",
    "likelihood": "p",
    "i": "i",
    "impact": "i",
    "rp": "rp",
    "ri": "ri",
    "severity": "severity",
    "sev": "severity",
    "priority": "priority",
    "prio": "priority",
    "type": "type",
    "category": "category",
    "cat": "category",
    "proximity": "proximity",
    "prox": "proximity",
    **DATE_OPTIONS,
}
ADD_VERBS = {"add": "add", "new": "add", "create": "add", "raise": "add", "log": "add"}
STATUS_VERBS = {
    "risk": {
        "close": "closed",
        "accept": "accepted",
        "occurred": "occurred",
        "happened": "occurred",
        "mitigate": "mitigating",
        "mitigating": "mitigating",
    },
    "issue": {"resolve": "resolved", "close": "closed"},
    "assumption": {
        "confirm": "confirmed",
        "confirmed": "confirmed",
        "valid": "confirmed",
        "invalid": "invalid",
        "wrong": "invalid",
        "invalidate": "invalid",
    },
    "dependency": {
        "met": "met",
        "delivered": "met",
        "missed": "missed",
        "late": "missed",
        "close": "closed",
    },
    "decision": {"withdraw": "withdrawn"},
}
COMMON = {
    "show": "show",
    "info": "show",
    "edit": "edit",
    "reopen": "reopen",
    "assign": "assign",
    "owner": "assign",
    "list": "list",
    "ls": "list",
}
KIND_WORDS = {
    "risks": "risk",
    "risk": "risk",
    "r": "risk",
    "issues": "issue",
    "issue": "issue",
    "i": "issue",
    "assumptions": "assumption",
    "assumption": "assumption",
    "a": "assumption",
    "dependencies": "dependency",
    "dependency": "dependency",
    "deps": "dependency",
    "d": "dependency",
    "decisions": "decision",
    "decision": "decision",
}


def ref_of(tok: Token) -> ast.RaidRef | None:
    """`R-3`, `APOLLO-R-3` as a ref, or None."""
    m = REF.match(tok.text.strip()) if not tok.quoted else None
    if m is None:
        return None
    kind = ast.KIND_OF_LETTER[m.group(2).upper()]
    key = m.group(1).upper() if m.group(1) else None
    return ast.RaidRef(kind, int(m.group(3)), key)


def read_ref(
    args: list[Token], topic: str, verb: str, kind: str | None
) -> tuple[ast.RaidRef, list[Token]]:
    """An entry (`R-3`, `APOLLO R-3`, or a bare number after its kind's word) and the rest."""
    if not args:
        raise fail(topic, verb, "Which entry? e.g. R-3, or APOLLO R-3.")
    first = ref_of(args[0])
    if first is not None:
        return first, args[1:]
    if KEY_TOKEN.match(args[0].text) and len(args) > 1 and (second := ref_of(args[1])):
        return ast.RaidRef(second.kind, second.number, args[0].text), args[2:]
    m = NUMBER.match(args[0].text)
    if m and kind:
        return ast.RaidRef(kind, int(m.group(1))), args[1:]
    raise fail(topic, verb, f"`{args[0].text[:40]}` is not an entry like R-3 or I-7.")


def options(
    args: list[Token],
    topic: str,
    verb: str,
) -> tuple[list[str], dict[str, str], Mention | None, bool]:
    """Free words, `name:value` options (date words may follow a date option unquoted), the
    one @mention, and whether `residual` came before `p:`/`i:` (they then mean rp/ri)."""
    words: list[str] = []
    found: dict[str, str] = {}
    owner: Mention | None = None
    in_date = residual = False
    for tok in args:
        if tok.mention is not None:
            if owner is not None:
                raise fail(topic, verb, "Name one owner only.")
            owner, in_date = tok.mention, False
            continue
        name, sep, value = tok.text.partition(":")
        opt = OPTIONS.get(name.lower()) if sep and (not tok.quoted or ":" in tok.text) else None
        if opt is None and not tok.quoted and tok.text.lower() in ("residual", "res", "after"):
            residual, in_date = True, False
            continue
        if opt is not None:
            if residual and opt in ("p", "i"):
                opt = "r" + opt
            if opt in found:
                raise fail(topic, verb, f"Give `{name}:` once only.")
            found[opt] = value.strip()
            in_date = opt == "due"
            continue
        if in_date and not tok.quoted:
            found["due"] = f"{found['due']} {tok.text}".strip()
        else:
            words.append(tok.text)
    if "due" in found and not found["due"]:
        raise fail(topic, verb, "The date after `due:` is missing.")
    return words, found, owner, residual


def _level(found: dict[str, str], name: str, topic: str, verb: str) -> int | None:
    value = found.get(name)
    if value is None:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 5:
        what = {
            "p": "probability",
            "i": "impact",
            "rp": "residual probability",
            "ri": "residual impact",
        }[name]
        raise fail(topic, verb, f"The {what} is from 1 to 5, not `{value[:10]}`.")
    return int(value)


def _add(kind: str) -> Callable[[list[Token]], Command]:
    def parse_it(args: list[Token]) -> Command:
        if not args:
            return ast.RaidForm(kind)
        key = read_key(args[0], kind, "add")
        if len(args) == 1:
            return ast.RaidForm(kind, key)
        words, found, owner, _ = options(args[1:], kind, "add")
        title = " ".join(words).strip()
        if not title:
            raise fail(kind, "add", "The title is missing.")
        p, i = _level(found, "p", kind, "add"), _level(found, "i", kind, "add")
        if kind == "risk" and (p is None or i is None):
            raise fail(kind, "add", "A risk needs its probability and impact: p:<1-5> i:<1-5>.")
        kind_word = (found.get("type") or "").lower()
        return ast.RaidAdd(
            kind=kind,
            key=key,
            title=title,
            owner=owner,
            due=found.get("due"),
            probability=p,
            impact=i,
            severity=found.get("severity"),
            priority=found.get("priority"),
            issue_type=found.get("type") if kind == "issue" else None,
            category=found.get("category"),
            proximity=found.get("proximity"),
            opportunity=kind == "risk" and kind_word in ("opportunity", "opp", "upside"),
        )

    return parse_it


def _score(args: list[Token]) -> Command:
    ref, rest = read_ref(args, "risk", "score", "risk")
    if not rest:
        return ast.RaidRescoreForm(ref)
    words, found, owner, _ = options(rest, "risk", "score")
    p, i = _level(found, "p", "risk", "score"), _level(found, "i", "risk", "score")
    if p is None or i is None or owner is not None:
        raise fail("risk", "score", "Give the new probability and impact: p:<1-5> i:<1-5>.")
    rp, ri = _level(found, "rp", "risk", "score"), _level(found, "ri", "risk", "score")
    return ast.RiskScore(ref, p, i, rp, ri, " ".join(words))


def _respond(args: list[Token]) -> Command:
    ref, rest = read_ref(args, "risk", "respond", "risk")
    if not rest:
        raise fail("risk", "respond", "Which response? avoid, reduce, fallback, transfer, …")
    words, found, owner, _ = options(rest[1:], "risk", "respond")
    return ast.RiskRespond(ref, rest[0].text.lower(), " ".join(words), owner, found.get("due"))


def _group(kind: str) -> Callable[[list[Token]], Command]:
    statuses = STATUS_VERBS[kind]
    verbs = {**ADD_VERBS, **COMMON, **{v: v for v in statuses}}
    if kind == "risk":
        verbs.update(
            score="score",
            rescore="score",
            review="review",
            valid="review",
            respond="respond",
            response="respond",
        )
    if kind == "decision":
        verbs.pop("log")

    def parse_it(args: list[Token]) -> Command:
        if not args:
            return Help(kind)
        verb = pick_verb(kind, args[0], verbs)
        rest = args[1:]
        if verb == "add":
            if kind == "decision":
                return _decision_add(rest)
            return _add(kind)(rest)
        if verb == "list":
            if kind == "decision":
                rest, page = split_page(rest, "decision", "list")
                key = read_key(rest[0] if rest else None, "decision", "list")
                no_extra(rest[1:], "decision", "list")
                return ast.DecisionList(key, page)
            return _list([*rest, Token(kind)])
        if verb == "score":
            return _score(rest)
        if verb == "respond":
            return _respond(rest)
        ref, tail = read_ref(rest, kind, verb, kind)
        if verb == "assign":
            owner = read_mention(tail[0] if tail else None, kind, verb)
            no_extra(tail[1:], kind, verb)
            return ast.RaidAssign(ref, owner)
        if verb == "resolve" and not tail:
            return ast.RaidResolveForm(ref)
        if verb == "resolve":
            return ast.RaidSetStatus(ref, "resolved", " ".join(t.text for t in tail))
        no_extra(tail, kind, verb)
        if verb == "show":
            return ast.RaidShow(ref)
        if verb == "edit":
            return ast.RaidEditForm(ref)
        if verb == "review":
            return ast.RaidReview(ref)
        if verb == "reopen":
            return ast.RaidSetStatus(ref, "open")
        return ast.RaidSetStatus(ref, statuses[verb])

    return parse_it


def _decision_add(args: list[Token]) -> Command:
    key = read_key(args[0] if args else None, "decision", "add")
    words, found, _, _ = options(args[1:], "decision", "add")
    text = " ".join(words).strip()
    if not text:
        raise fail("decision", "add", "The decision is missing.")
    return ast.DecisionAdd(key, text, found.get("due"))


def _list(args: list[Token]) -> Command:
    scope, key, kinds, closed = "mine", None, [], False
    args, page = split_page(args, "raid", "")
    for tok in args:
        word = tok.text.lower()
        if word in ("mine", "my", "me"):
            scope = "mine"
        elif word in ("all", "portfolio", "everything"):
            scope = "all"
        elif word in KIND_WORDS and not tok.quoted:
            kinds.append(KIND_WORDS[word])
        elif word in ("closed", "history", "done"):
            closed = True
        else:
            scope, key = "project", read_key(tok, "raid", "")
    return ast.RaidList(scope, key, tuple(dict.fromkeys(kinds)), closed, page)


def parse_raid(args: list[Token]) -> Command:
    """`raid [<KEY>|mine|all] [risks|issues|…] [closed]`, `raid show <ref>`, offers."""
    head = args[0].text.lower() if args and not args[0].quoted else ""
    if head == "show":
        ref, rest = read_ref(args[1:], "raid", "show", None)
        no_extra(rest, "raid", "show")
        return ast.RaidShow(ref)
    if head in ("log", "take", "dismiss", "offer") and len(args) > 1:
        m = NUMBER.match(args[1].text)
        if not m:
            raise fail("raid", head, f"`{args[1].text[:20]}` is not an offer number.")
        no_extra(args[2:], "raid", head)
        return ast.RaidOffer(int(m.group(1)), "dismiss" if head == "dismiss" else "log")
    return _list(args)


def parse_settings_raid(words: list[str]) -> Command:
    """`settings raid …` (the rest is checked when it runs)."""
    return ast.RaidSettings(tuple(words))


parse_risk = _group("risk")
parse_issue = _group("issue")
parse_assumption = _group("assumption")
parse_dependency = _group("dependency")
parse_decision = _group("decision")
