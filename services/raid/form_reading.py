"""Reading the RAID forms back: one function per form, every field checked before anything
is saved, errors on the field they belong to."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from models import IssueType, Level, Person, Proximity, RaidEntry, RaidKind, RaidStatus, Strategy
from services.commands.ast_raid import RaidRef
from services.core.access import Actor
from services.core.errors import DomainError
from services.core.forms import Form, Raw, Reader, Ref
from services.raid import changes, proposals
from services.raid.entries import NewEntry, add
from services.raid.forms import (
    ISSUE_FIELDS,
    ISSUE_FORM,
    LOG_FORM,
    RESCORE_FORM,
    RESOLVE_FORM,
    RISK_FIELDS,
    RISK_FORM,
    entry_form,
)

Pick = Callable[[str, str], Person]  # (field, raw pick) → the person, or a field error


def _person(r: Reader, pick: Pick, name: str) -> Person | None:
    raw = r.pick(name)
    if raw is None:
        return None
    try:
        return pick(name, raw)
    except DomainError as err:
        r.fail(name, err.message)
        return None


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def _risk(r: Reader, pick: Pick, actor: Actor, now: datetime) -> NewEntry:
    description, category = r.text("description"), r.text("category")
    opportunity = r.flag("opportunity")
    owner, actionee = _person(r, pick, "owner"), _person(r, pick, "actionee")
    p, i = r.choice("probability"), r.choice("impact")
    rp, ri = r.choice("residual_probability"), r.choice("residual_impact")
    proximity, strategy = r.choice("proximity"), r.choice("strategy")
    review = r.date("review", actor.sense(now))
    return NewEntry(
        owner=owner,
        description=description,
        category=category or None,
        actionee=actionee,
        probability=_int(p),
        impact=_int(i),
        residual_probability=_int(rp),
        residual_impact=_int(ri),
        proximity=Proximity(proximity) if proximity else None,
        strategy=Strategy(strategy) if strategy else None,
        opportunity=opportunity,
        review_on=review,
    )


def _issue(r: Reader, pick: Pick, actor: Actor, now: datetime) -> NewEntry:
    description = r.text("description")
    issue_type, severity, priority = (
        r.choice("issue_type"),
        r.choice("severity"),
        r.choice("priority"),
    )
    owner = _person(r, pick, "owner")
    due = r.date("due", actor.sense(now))
    return NewEntry(
        owner=owner,
        description=description,
        issue_type=IssueType(issue_type) if issue_type else None,
        severity=Level(severity) if severity else None,
        priority=Level(priority) if priority else None,
        due_on=due,
    )


def _other(r: Reader, pick: Pick, actor: Actor, now: datetime, kind: RaidKind) -> NewEntry:
    description = r.text("description")
    owner = _person(r, pick, "owner")
    day = r.date("due", actor.sense(now), allow_past=kind == RaidKind.DECISION)
    if kind == RaidKind.DECISION:
        return NewEntry(owner=owner, description=description, decided_on=day or now.date())
    return NewEntry(owner=owner, description=description, due_on=day)


def _kind(ref: Mapping[str, Ref], form_kind: RaidKind) -> RaidKind:
    return RaidKind(str(ref.get("kind") or form_kind.value))


def submit_entry(
    session: Session,
    actor: Actor,
    *,
    form: Form,
    values: Mapping[str, Raw],
    ref: Mapping[str, Ref],
    pick: Pick,
    now: datetime,
) -> tuple[RaidEntry, bool]:
    """A new or edited risk, issue, assumption, dependency or decision (or an offer taken
    after editing). Returns the entry and whether it is new."""
    entry_id = int(str(ref["entry_id"])) if ref.get("entry_id") else None
    kind = {"raid_risk": RaidKind.RISK, "raid_issue": RaidKind.ISSUE}.get(form.id.value)
    kind = kind or _kind(ref, RaidKind.ASSUMPTION)
    if entry_id is not None:
        fields = RISK_FIELDS if kind == RaidKind.RISK else ISSUE_FIELDS
        definition = (
            Form(form.id, form.title, "Save", fields)
            if kind in (RaidKind.RISK, RaidKind.ISSUE)
            else entry_form(kind, edit=True)
        )
    else:
        definition = {RaidKind.RISK: RISK_FORM, RaidKind.ISSUE: ISSUE_FORM}.get(kind) or entry_form(
            kind, edit=False
        )
    r = Reader(definition, values)
    key = r.text("project") if entry_id is None else ""
    title = r.text("title")
    if kind == RaidKind.RISK:
        new = _risk(r, pick, actor, now)
    elif kind == RaidKind.ISSUE:
        new = _issue(r, pick, actor, now)
    else:
        new = _other(r, pick, actor, now, kind)
    r.done()
    if entry_id is not None:
        if r.kept("description"):  # left as shown, cut: the whole text stays
            stored = session.get(RaidEntry, entry_id)
            if stored is not None and stored.workspace_id == actor.workspace_id:
                new = replace(new, description=stored.description)
        return changes.edit(
            session, actor, ref=RaidRef(entry_id=entry_id), title=title, new=new, now=now
        ), False
    if ref.get("offer_id"):
        offer_id = int(str(ref["offer_id"]))
        return proposals.log(session, actor, offer_id=offer_id, now=now, title=title, new=new), True
    return add(session, actor, kind=kind, key=key, title=title, new=new, now=now), True


def submit_rescore(
    session: Session,
    actor: Actor,
    *,
    values: Mapping[str, Raw],
    ref: Mapping[str, Ref],
    now: datetime,
) -> RaidEntry:
    r = Reader(RESCORE_FORM, values)
    p, i = r.choice("probability"), r.choice("impact")
    rp, ri = r.choice("residual_probability"), r.choice("residual_impact")
    note = r.text("note")
    r.done()
    assert p is not None and i is not None
    return changes.score(
        session,
        actor,
        ref=RaidRef(entry_id=int(str(ref.get("entry_id") or 0))),
        probability=int(p),
        impact=int(i),
        residual=(_int(rp), _int(ri)),
        note=note,
        now=now,
    )


def submit_resolve(
    session: Session,
    actor: Actor,
    *,
    values: Mapping[str, Raw],
    ref: Mapping[str, Ref],
    now: datetime,
) -> RaidEntry:
    r = Reader(RESOLVE_FORM, values)
    text = r.text("resolution")
    r.done()
    entry = RaidRef(entry_id=int(str(ref.get("entry_id") or 0)))
    return changes.set_status(
        session, actor, ref=entry, to=RaidStatus.RESOLVED, text=text, now=now
    ).entry


def submit_log(
    session: Session,
    actor: Actor,
    *,
    values: Mapping[str, Raw],
    ref: Mapping[str, Ref],
    pick: Pick,
    now: datetime,
) -> RaidEntry:
    """A chat message logged as a risk or an issue (linked to the message)."""
    r = Reader(LOG_FORM, values)
    kind = RaidKind(r.choice("kind") or "risk")
    key, title, description = r.text("project"), r.text("title"), r.text("description")
    owner = _person(r, pick, "owner")
    p, i, severity = r.choice("probability"), r.choice("impact"), r.choice("severity")
    day = r.date("due", actor.sense(now))
    if kind == RaidKind.RISK:
        for name, value in (("probability", p), ("impact", i)):
            if not value:
                r.fail(name, f"A risk needs its {name} (1 to 5).")
    r.done()
    source = str(ref["source_ref"]) if ref.get("source_ref") else None
    new = (
        NewEntry(
            owner=owner,
            description=description,
            probability=_int(p),
            impact=_int(i),
            review_on=day,
            source_ref=source,
        )
        if kind == RaidKind.RISK
        else NewEntry(
            owner=owner,
            description=description,
            due_on=day,
            source_ref=source,
            severity=Level(severity) if severity else Level.MEDIUM,
        )
    )
    return add(session, actor, kind=kind, key=key, title=title, new=new, now=now)
