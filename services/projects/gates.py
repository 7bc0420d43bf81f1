"""Stage gates: each phase of a project may name who approves entering it. A phase change
through a gate with an approver waits for them (a button in their chat); the approver's own
change, or one through a gate nobody holds, happens at once. Every step is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import GateState, Membership, Person, Project, ProjectState, StageGate
from services.core import audit
from services.core.access import Actor, get_project, project_role, require_manager
from services.core.errors import Conflict, InvalidInput, PermissionDenied
from services.core.locks import lock
from services.core.people import person_ref
from services.core.refs import Cmd, phrase
from services.outbox.contents import StaleCheck
from services.outbox.kinds import DigestKind
from services.outbox.notices import holidays_ahead, notice_row
from services.outbox.port import Digest
from services.outbox.rows import insert_notifications
from services.projects.phases import match_phase, workspace_phases

GateEvent = Literal["shown", "set", "changed", "requested", "approved", "rejected"]
REQUEST = "gate_request"
DECISION = "gate_decision"
MAX_NOTE = 1000


def _gate(session: Session, project: Project, phase: str) -> StageGate | None:
    return session.scalar(
        select(StageGate).where(StageGate.project_id == project.id, StageGate.phase == phase)
    )


def _audit_gate(
    session: Session, actor: Actor, gate: StageGate, action: str, now: datetime
) -> None:
    audit.record_by(
        session,
        actor,
        entity_type="stage_gate",
        entity_id=gate.id,
        action=action,
        before=None,
        after=audit.snapshot(
            gate, ("project_id", "phase", "approver_id", "state", "from_phase", "note")
        ),
        now=now,
    )


def _move(session: Session, actor: Actor, project: Project, phase: str, now: datetime) -> None:
    before = {"phase": project.phase}
    project.phase = phase
    session.flush()
    audit.record_by(
        session,
        actor,
        entity_type="project",
        entity_id=project.id,
        action="phase",
        before=before,
        after={"phase": phase},
        now=now,
    )


def set_approver(
    session: Session, actor: Actor, *, key: str, phase: str, approver: Person, now: datetime
) -> str:
    """Name who approves entering `phase` (PM or PMO lead); returns the phase's name."""
    project = get_project(session, actor, key)
    require_manager(
        actor, project_role(session, actor.person_id, project.id), project, "set its stage gates"
    )
    name = match_phase(workspace_phases(session, actor.workspace_id), phase)
    if approver.workspace_id != actor.workspace_id or not approver.active:
        raise InvalidInput(f"@{approver.handle} can't approve gates here.")
    if project.private and not session.scalar(
        select(Membership.id).where(
            Membership.project_id == project.id, Membership.person_id == approver.id
        )
    ):
        raise InvalidInput(
            f"@{approver.handle} is not a member of {project.key}, which is private.",
            phrase(
                "Add them first: ", Cmd(f"project add {project.key} @{approver.handle} sponsor")
            ),
        )
    gate = _gate(session, project, name)
    if gate is None:
        gate = StageGate(
            workspace_id=actor.workspace_id,
            project_id=project.id,
            phase=name,
            state=GateState.OPEN,
            note="",
            created_at=now,
        )
        session.add(gate)
    gate.approver_id = approver.id
    session.flush()
    _audit_gate(session, actor, gate, "approver", now)
    if gate.state == GateState.PENDING and gate.requested_by_id:
        requester = session.get(Person, gate.requested_by_id)
        if requester is not None:
            _ask(session, project, gate, approver, requester, now)
    return name


def _ask(
    session: Session,
    project: Project,
    gate: StageGate,
    approver: Person,
    requester: Person,
    now: datetime,
) -> None:
    ref = f"{project.key}:{gate.phase}"
    frm = f" from {gate.from_phase}" if gate.from_phase else ""
    digest = Digest(
        DigestKind.GATE_REQUEST,
        f"Stage gate: {project.key} asks to move{frm} to {gate.phase}",
        now.date(),
        [],
        phrase(
            person_ref(requester),
            f" asks to move {project.key} ({project.name}) into {gate.phase}. You approve this "
            "gate: ",
            Cmd(f"project gate {project.key} approve"),
            " · ",
            Cmd(f'project gate {project.key} reject "why"'),
            ".",
        ),
        project.key,
        ref=ref,
    )
    assert gate.requested_at is not None
    occurrence = f"{approver.id}@{gate.requested_at:%Y%m%d%H%M%S}"
    off = holidays_ahead(session, project.workspace_id, now)
    row = notice_row(
        project.workspace_id,
        REQUEST,
        ("stage_gate", gate.id),
        occurrence,
        digest,
        to=approver,
        now=now,
        holidays=off,
    )
    insert_notifications(session, [row])


def change_phase(
    session: Session, actor: Actor, *, key: str, phase: str, now: datetime
) -> tuple[str, GateEvent]:
    """Move a project to `phase` (PM or PMO lead): at once, or asked of the gate's approver."""
    project = get_project(session, actor, key)
    require_manager(
        actor, project_role(session, actor.person_id, project.id), project, "change its phase"
    )
    lock(session, Project, project.id)
    if project.state == ProjectState.CLOSED:
        raise Conflict(f"{project.key} is closed.")
    name = match_phase(workspace_phases(session, actor.workspace_id), phase)
    if project.phase == name:
        raise Conflict(f"{project.key} is already in {name}.")
    waiting = session.scalar(
        select(StageGate).where(
            StageGate.project_id == project.id, StageGate.state == GateState.PENDING
        )
    )
    if waiting is not None:
        approver = session.get(Person, waiting.approver_id) if waiting.approver_id else None
        raise Conflict(
            f"{project.key} already waits for @{approver.handle if approver else '?'} to approve "
            f"entering {waiting.phase}.",
            phrase("See ", Cmd(f"project gate {project.key}"), "."),
        )
    gate = _gate(session, project, name)
    approver = session.get(Person, gate.approver_id) if gate and gate.approver_id else None
    if gate is None or approver is None or approver.id == actor.person_id:
        if gate is not None:
            gate.from_phase, gate.state = project.phase, GateState.APPROVED
            gate.requested_by_id, gate.requested_at = actor.person_id, now
            gate.decided_by_id, gate.decided_at = actor.person_id, now
            _audit_gate(session, actor, gate, "approve", now)
        _move(session, actor, project, name, now)
        return name, "changed"
    me = session.get(Person, actor.person_id)
    assert me is not None
    gate.state, gate.from_phase, gate.note = GateState.PENDING, project.phase, ""
    gate.requested_by_id, gate.requested_at = me.id, now
    gate.decided_by_id = gate.decided_at = None
    session.flush()
    _audit_gate(session, actor, gate, "request", now)
    _ask(session, project, gate, approver, me, now)
    return name, "requested"


def decide(
    session: Session,
    actor: Actor,
    *,
    key: str,
    approve: bool,
    reason: str,
    phase: str | None,
    now: datetime,
) -> tuple[str, GateEvent]:
    """The gate's approver lets the project into the phase, or rejects it saying why."""
    project = get_project(session, actor, key)
    lock(session, Project, project.id)
    gate = session.scalar(
        select(StageGate).where(
            StageGate.project_id == project.id, StageGate.state == GateState.PENDING
        )
    )
    if gate is None or (phase is not None and gate.phase != phase):
        raise Conflict(f"No phase change of {project.key} waits for approval.")
    if gate.approver_id != actor.person_id:
        approver = session.get(Person, gate.approver_id) if gate.approver_id else None
        who = f"@{approver.handle}" if approver else "its approver"
        raise PermissionDenied(f"Only {who} approves {project.key} entering {gate.phase}.")
    reason = " ".join(reason.split())
    if not approve and not reason:
        raise InvalidInput("Say why you reject it.", field="reason")
    if len(reason) > MAX_NOTE:
        raise InvalidInput(f"Keep it under {MAX_NOTE} characters.", field="reason")
    gate.state = GateState.APPROVED if approve else GateState.REJECTED
    gate.decided_by_id, gate.decided_at, gate.note = actor.person_id, now, reason
    session.flush()
    _audit_gate(session, actor, gate, "approve" if approve else "reject", now)
    if approve:
        _move(session, actor, project, gate.phase, now)
    requester = session.get(Person, gate.requested_by_id) if gate.requested_by_id else None
    if requester is not None and requester.id != actor.person_id:
        me = session.get(Person, actor.person_id)
        assert me is not None
        if approve:
            title = f"✅ {project.key} is now in {gate.phase}"
            note = phrase(person_ref(me), " approved the stage gate.")
        else:
            title = f"❌ {project.key} stays in {gate.from_phase or 'its phase'}"
            note = phrase(person_ref(me), f" rejected entering {gate.phase}: “{reason}”.")
        digest = Digest(DigestKind.NOTICE, title, now.date(), [], note, project.key)
        occurrence = f"{gate.state.value}@{now:%Y%m%d%H%M%S}"
        row = notice_row(
            project.workspace_id,
            DECISION,
            ("stage_gate", gate.id),
            occurrence,
            digest,
            to=requester,
            now=now,
            holidays=holidays_ahead(session, project.workspace_id, now),
        )
        insert_notifications(session, [row])
    return gate.phase, "approved" if approve else "rejected"


def stale_gates(session: Session, ids: set[int]) -> set[int]:
    """Gates no longer waiting (a queued request about them is moot)."""
    return set(
        session.scalars(
            select(StageGate.id).where(StageGate.id.in_(ids), StageGate.state != GateState.PENDING)
        )
    )


STALE: dict[str, StaleCheck] = {REQUEST: stale_gates}
