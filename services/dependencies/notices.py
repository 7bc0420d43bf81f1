"""What the dependency handshake sends: the request (Accept / Propose another date / Decline)
to the PMs of the side that must answer, the answer to the other side, and risk alerts to
both sides' PMs. Keyed so that each goes once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Dependency, DependencySide, DependencyState, Person
from services.core.dates import day_label, local_today
from services.core.refs import Cmd, Part, Text, phrase
from services.dependencies.views import DependencyView
from services.outbox.contents import StaleCheck
from services.outbox.kinds import DigestKind
from services.outbox.notices import holidays_ahead, notice_row
from services.outbox.port import Digest, DigestLine, DigestSection
from services.outbox.rows import insert_notifications

REQUEST = "dependency_request"
ANSWER = "dependency_answer"
RISK = "dependency_risk"


def answer_commands(dep_id: int) -> tuple[Part, ...]:
    """The command forms of Accept / Propose another date / Decline."""
    return (
        Cmd(f"depend accept {dep_id}"),
        " · ",
        Cmd(f"depend propose {dep_id} <date>"),
        " · ",
        Cmd(f'depend decline {dep_id} "why"'),
    )


def _sections(v: DependencyView) -> list[DigestSection]:
    if v.deliverable is None:
        return []
    d = v.deliverable
    line = DigestLine("deliverable", d.id, d.title, d.forecast_on, v.upstream_key)
    return [DigestSection(f"{v.upstream_key}'s deliverable", [line], 1)]


def _send(
    session: Session,
    dep: Dependency,
    rule: str,
    occurrence: str,
    to: Sequence[Person],
    make: Digest,
    now: datetime,
    skip: int | None,
) -> int:
    off = holidays_ahead(session, dep.workspace_id, now)
    return insert_notifications(session, _rows(dep, rule, occurrence, to, make, now, skip, off))


def _rows(
    dep: Dependency,
    rule: str,
    occurrence: str,
    to: Sequence[Person],
    make: Digest,
    now: datetime,
    skip: int | None,
    off: frozenset[date],
) -> list[dict[str, Any]]:
    rows = []
    for p in {p.id: p for p in to}.values():
        if p.id == skip or not p.active:
            continue
        today = local_today(now, p.timezone)
        digest = Digest(make.kind, make.title, today, make.sections, make.note, ref=make.ref)
        rows.append(
            notice_row(
                dep.workspace_id,
                rule,
                ("dependency", dep.id),
                occurrence,
                digest,
                to=p,
                now=now,
                holidays=off,
            )
        )
    return rows


def ask(
    session: Session,
    dep: Dependency,
    v: DependencyView,
    to: Sequence[Person],
    by: int,
    now: datetime,
) -> None:
    """The request (or a counter-proposal) to the side that must answer."""
    today = now.date()
    needed = day_label(v.needed_by, today)
    if v.proposed_on is None:
        title = f"{v.downstream_key} asks {v.upstream_key}: “{v.what}” by {needed}"
        lead = (
            f"{v.downstream_key} depends on {v.upstream_key} for this. Can you commit to {needed}? "
        )
    else:
        asker = v.upstream_key if dep.awaiting == DependencySide.DOWNSTREAM else v.downstream_key
        proposed = day_label(v.proposed_on, today)
        title = f"{asker} proposes {proposed} for “{v.what}”"
        lead = (
            f"{v.downstream_key} needs it from {v.upstream_key}; the date asked was {needed}. "
            f"{asker} proposes {proposed}. "
        )
    note = phrase(lead, "Answer with the buttons or ", *answer_commands(dep.id), ".")
    digest = Digest(
        DigestKind.DEPENDENCY_REQUEST,
        f"Dependency #{dep.id}: {title}",
        today,
        _sections(v),
        note,
        ref=str(dep.id),
    )
    _send(session, dep, REQUEST, f"round{dep.round}", to, digest, now, by)


def answered(
    session: Session,
    dep: Dependency,
    v: DependencyView,
    to: Sequence[Person],
    by: int,
    now: datetime,
) -> None:
    """Tell the other side the answer (accepted, or declined and why)."""
    today = now.date()
    who = v.decided_by.handle if v.decided_by else "someone"
    if dep.state == DependencyState.ACCEPTED:
        needed = day_label(v.needed_by, today)
        title = f"✅ Dependency #{dep.id} agreed: {v.upstream_key} delivers “{v.what}” by {needed}"
        note: Text = (
            f"@{who} accepted. I watch it from now on: both PMs hear from me if it is at risk."
        )
    else:
        title = f"❌ Dependency #{dep.id} declined: “{v.what}”"
        note = f"@{who} declined: “{v.reason}”."
    digest = Digest(DigestKind.NOTICE, title, today, _sections(v), note)
    _send(session, dep, ANSWER, f"{dep.state.value}{dep.round}", to, digest, now, by)


def alert_rows(
    dep: Dependency,
    v: DependencyView,
    why: str,
    to: Sequence[Person],
    now: datetime,
    off: frozenset[date],
) -> list[dict[str, Any]]:
    """A risk alert to both sides' PMs (once per new risk: keyed by the alert's number)."""
    today = now.date()
    title = (
        f"⚠️ Dependency #{dep.id} at risk: {v.downstream_key} needs “{v.what}” from "
        f"{v.upstream_key} by {day_label(v.needed_by, today)}"
    )
    digest = Digest(DigestKind.NOTICE, title, today, _sections(v), why)
    return _rows(dep, RISK, f"risk{dep.alerts}", to, digest, now, None, off)


def stale_requests(session: Session, ids: set[int]) -> set[int]:
    """Dependencies no longer waiting for an answer (a queued request about them is moot)."""
    return set(
        session.scalars(
            select(Dependency.id).where(
                Dependency.id.in_(ids), Dependency.state != DependencyState.PROPOSED
            )
        )
    )


STALE: dict[str, StaleCheck] = {REQUEST: stale_requests}
