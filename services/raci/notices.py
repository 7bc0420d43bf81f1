"""What the RACI sends: the sign-off request to the Accountable (Sign off / Not yet), the
question to the Consulted, the decision to whoever asked and the Responsible, and the news to
the Informed (done, re-forecast, slipping). Each is an outbox row keyed so it goes once, at
the start of the recipient's working day."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from models import Deliverable, Person, Project, SignoffRequest, SignoffState
from services.core.dates import day_label, local_today
from services.core.people import person_ref
from services.core.refs import Cmd, Part, Text, phrase
from services.outbox.kinds import DigestKind
from services.outbox.notices import holidays_ahead, notice_row
from services.outbox.port import Digest, DigestLine, DigestSection
from services.outbox.rows import insert_notifications
from services.raci.routing import Route

SIGNOFF = "raci_signoff"
CONSULT = "raci_consult"
DECISION = "raci_decision"
INFORMED = "raci_informed"


def _line(d: Deliverable, key: str, owner: Person | None) -> DigestSection:
    line = DigestLine(
        "deliverable",
        d.id,
        d.title,
        d.forecast_on,
        key,
        owner.handle if owner else "",
        owner.external_id if owner else "",
    )
    return DigestSection("Deliverable", [line], 1)


def _send(
    session: Session,
    project: Project,
    rule: str,
    subject: tuple[str, int],
    occurrence: str,
    to: Iterable[Person],
    digest_for: Digest,
    now: datetime,
    *,
    skip: Sequence[int] = (),
) -> int:
    off = holidays_ahead(session, project.workspace_id, now)
    rows = _rows(project, rule, subject, occurrence, to, digest_for, now, skip=skip, off=off)
    return insert_notifications(session, rows)


def _rows(
    project: Project,
    rule: str,
    subject: tuple[str, int],
    occurrence: str,
    to: Iterable[Person],
    digest_for: Digest,
    now: datetime,
    *,
    skip: Sequence[int] = (),
    off: frozenset[date] = frozenset(),
) -> list[dict[str, Any]]:
    seen: set[int] = set(skip)
    rows = []
    for p in to:
        if p.id in seen or not p.active:
            continue
        seen.add(p.id)
        digest = Digest(
            digest_for.kind,
            digest_for.title,
            local_today(now, p.timezone),
            digest_for.sections,
            digest_for.note,
            digest_for.project_key,
            digest_for.channel,
            digest_for.ref,
        )
        rows.append(
            notice_row(
                project.workspace_id, rule, subject, occurrence, digest, to=p, now=now, holidays=off
            )
        )
    return rows


def signoff_commands(d_id: int) -> tuple[Part, ...]:
    """The command forms of Sign off / Not yet."""
    return (Cmd(f"deliverable signoff {d_id}"), " · ", Cmd(f'deliverable signoff {d_id} no "why"'))


def ask_signoff(
    session: Session,
    req: SignoffRequest,
    d: Deliverable,
    project: Project,
    route: Route,
    by: Person,
    now: datetime,
) -> None:
    """Ask the Accountable to sign off (buttons) and the Consulted for their input."""
    owner = route.responsible[0] if route.responsible else None
    section = _line(d, project.key, owner)
    accountable = route.accountable
    assert accountable is not None
    consulted = [p for p in route.consulted if p.id not in (by.id, accountable.id)]
    asked: list[Part] = []
    if consulted:
        asked = [" I asked the Consulted too: "]
        for i, p in enumerate(consulted):
            asked += [", " if i else "", person_ref(p)]
        asked.append(".")
    ask = Digest(
        DigestKind.SIGNOFF_REQUEST,
        f"Sign-off asked: {project.key} #{d.id} {d.title}",
        now.date(),
        [section],
        phrase(
            person_ref(by),
            " marked it done. You are its Accountable: sign it off, or say why not yet (",
            *signoff_commands(d.id),
            ").",
            *asked,
        ),
        project.key,
        ref=str(d.id),
    )
    subject = ("deliverable_signoff", req.id)
    _send(session, project, SIGNOFF, subject, "ask", [accountable], ask, now)
    question = Digest(
        DigestKind.NOTICE,
        f"Your input is asked: {project.key} #{d.id} {d.title}",
        now.date(),
        [section],
        phrase(
            person_ref(by),
            " marked it done and ",
            person_ref(accountable),
            " signs it off. You are Consulted: if anything is missing, tell ",
            person_ref(accountable),
            " before they do.",
        ),
        project.key,
    )
    _send(session, project, CONSULT, subject, "ask", consulted, question, now)


def tell_decision(
    session: Session,
    req: SignoffRequest,
    d: Deliverable,
    project: Project,
    route: Route,
    by: Person,
    requester: Person | None,
    now: datetime,
) -> None:
    """Tell whoever asked for the sign-off, and the Responsible, what the Accountable said."""
    owner = route.responsible[0] if route.responsible else None
    if req.state == SignoffState.SIGNED_OFF:
        title = f"✅ Signed off: {project.key} #{d.id} {d.title}"
        note: Text = phrase(person_ref(by), " signed it off; it is done.")
    else:
        title = f"↩️ Not yet: {project.key} #{d.id} {d.title}"
        note = phrase(
            person_ref(by),
            f" did not sign it off: “{req.reason}”. When it is ready, ask again with ",
            Cmd(f"deliverable done {d.id}"),
            ".",
        )
    digest = Digest(
        DigestKind.NOTICE, title, now.date(), [_line(d, project.key, owner)], note, project.key
    )
    to = ([requester] if requester else []) + list(route.responsible)
    subject = ("deliverable_signoff", req.id)
    _send(session, project, DECISION, subject, req.state.value, to, digest, now, skip=[by.id])


def tell_informed(
    session: Session,
    d: Deliverable,
    project: Project,
    route: Route,
    what: str,
    now: datetime,
    *,
    by: Person | None = None,
    was: date | None = None,
) -> int:
    """News for the Informed: `done`, `forecast` (moved from `was`) or `slipped`."""
    if not route.informed:
        return 0
    off = holidays_ahead(session, project.workspace_id, now)
    rows = informed_rows(d, project, route, what, now, by=by, was=was, off=off)
    return insert_notifications(session, rows)


def informed_rows(
    d: Deliverable,
    project: Project,
    route: Route,
    what: str,
    now: datetime,
    *,
    by: Person | None = None,
    was: date | None = None,
    off: frozenset[date] = frozenset(),
) -> list[dict[str, Any]]:
    """The outbox rows of one piece of news for the Informed."""
    owner = route.responsible[0] if route.responsible else None
    today = now.date()
    if what == "done":
        title = f"🏁 Done: {project.key} #{d.id} {d.title}"
        note: Text = phrase(person_ref(by), " completed it.") if by else "It is done."
        occurrence = "done"
    elif what == "forecast":
        title = f"📅 Re-forecast: {project.key} #{d.id} {d.title}"
        moved = f"from {day_label(was, today)} " if was else ""
        note = (
            f"The forecast moved {moved}to {day_label(d.forecast_on, today)} "
            f"(baseline {day_label(d.baseline_on, today)})."
        )
        occurrence = f"forecast:{d.forecast_on.isoformat()}"
    else:
        title = f"🔴 Slipping: {project.key} #{d.id} {d.title}"
        note = f"It was forecast for {day_label(d.forecast_on, today)} and is not done yet."
        occurrence = f"slipped:{d.forecast_on.isoformat()}"
    digest = Digest(
        DigestKind.NOTICE, title, today, [_line(d, project.key, owner)], note, project.key
    )
    skip = [by.id] if by else []
    return _rows(
        project,
        INFORMED,
        ("deliverable", d.id),
        occurrence,
        route.informed,
        digest,
        now,
        skip=skip,
        off=off,
    )
