"""The buttons a notice carries, and what each asks for, whatever the channel.

A digest kind that asks someone to decide (sign off a deliverable, accept a dependency, approve a
document or a phase gate, log an offered RAID entry) or offers a next step (open the escalated
entry, start minutes from an agenda, show an escalated update) carries buttons. A channel renders
`buttons(digest)` in its own way and sends back (key, ref) when one is clicked; `action(key,
ref)` is the same core action on every channel, so a click leaves the same rows wherever it
came from. Buttons with `opens_form` ask for more first (a reason, another date): channels open
the form the action returns.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from handlers.chat.actions import Action, RunCommand, StartMinutes, TakeOffer
from services.commands import ast
from services.commands import ast_raid as raid_ast
from services.commands import ast_registers as reg
from services.outbox.kinds import DigestKind
from services.outbox.port import Digest


class Key(enum.StrEnum):
    """Which button of a notice (carried back by the click with the notice's ref)."""

    RAID_SHOW = "raid.show"
    OFFER_LOG = "offer.log"
    OFFER_EDIT = "offer.edit"
    OFFER_DISMISS = "offer.dismiss"
    SIGNOFF = "signoff.yes"
    SIGNOFF_NOT_YET = "signoff.no"
    DEPEND_ACCEPT = "depend.accept"
    DEPEND_PROPOSE = "depend.propose"
    DEPEND_DECLINE = "depend.decline"
    DOC_APPROVE = "doc.approve"
    DOC_CHANGES = "doc.changes"
    GATE_APPROVE = "gate.approve"
    GATE_REJECT = "gate.reject"
    MINUTES_START = "minutes.start"
    STATUS_SHOW = "status.show"


FORMS = frozenset(
    {Key.OFFER_EDIT, Key.SIGNOFF_NOT_YET, Key.DEPEND_PROPOSE, Key.DEPEND_DECLINE}
    | {Key.DOC_CHANGES, Key.GATE_REJECT}
)


@dataclass(frozen=True)
class Button:
    label: str
    key: Key
    ref: str
    primary: bool = False
    danger: bool = False

    @property
    def opens_form(self) -> bool:
        return self.key in FORMS


def buttons(d: Digest) -> list[Button]:
    """The buttons of a notice (none for digests that only inform; the status nudge's
    Submit update is the channel's own form button)."""
    ref = d.ref
    match d.kind:
        case DigestKind.RAID_ESCALATION if ref:
            return [Button("Open the entry", Key.RAID_SHOW, ref, primary=True)]
        case DigestKind.RAID_OFFER if ref:
            kind, _, offer = ref.partition(":")  # "issue:12"
            return [
                Button(f"Log as {kind}", Key.OFFER_LOG, offer, primary=True),
                Button("Edit first…", Key.OFFER_EDIT, offer),
                Button("Dismiss", Key.OFFER_DISMISS, offer),
            ]
        case DigestKind.SIGNOFF_REQUEST if ref:
            return [
                Button("Sign off", Key.SIGNOFF, ref, primary=True),
                Button("Not yet", Key.SIGNOFF_NOT_YET, ref),
            ]
        case DigestKind.DEPENDENCY_REQUEST if ref:
            return [
                Button("Accept", Key.DEPEND_ACCEPT, ref, primary=True),
                Button("Propose another date", Key.DEPEND_PROPOSE, ref),
                Button("Decline", Key.DEPEND_DECLINE, ref, danger=True),
            ]
        case DigestKind.DOCUMENT_REVIEW if ref:
            return [
                Button("Approve", Key.DOC_APPROVE, ref, primary=True),
                Button("Request changes", Key.DOC_CHANGES, ref),
            ]
        case DigestKind.GATE_REQUEST if ref:
            return [
                Button("Approve", Key.GATE_APPROVE, ref, primary=True),
                Button("Reject", Key.GATE_REJECT, ref, danger=True),
            ]
        case DigestKind.MEETING_AGENDA if ref:
            return [Button("Start minutes", Key.MINUTES_START, ref, primary=True)]
        case DigestKind.STATUS_ESCALATION if d.project_key:
            return [Button("Show the update", Key.STATUS_SHOW, d.project_key)]
        case _:
            return []


def action(key: Key, ref: str) -> Action:
    """What a click on a notice's button asks for (ValueError for a ref that can't be)."""
    match key:
        case Key.RAID_SHOW:
            return RunCommand(raid_ast.RaidShow(raid_ast.RaidRef(entry_id=int(ref))))
        case Key.OFFER_LOG:
            return TakeOffer(int(ref), "log")
        case Key.OFFER_DISMISS:
            return TakeOffer(int(ref), "dismiss")
        case Key.OFFER_EDIT:
            return RunCommand(raid_ast.RaidOffer(int(ref), "edit"))
        case Key.SIGNOFF:
            return RunCommand(reg.DeliverableSignoff(int(ref)))
        case Key.SIGNOFF_NOT_YET:
            return RunCommand(reg.SignoffForm(int(ref)))
        case Key.DEPEND_ACCEPT:
            return RunCommand(reg.DependAccept(int(ref)))
        case Key.DEPEND_PROPOSE:
            return RunCommand(reg.DependForm(int(ref), "propose"))
        case Key.DEPEND_DECLINE:
            return RunCommand(reg.DependForm(int(ref), "decline"))
        case Key.DOC_APPROVE:
            return RunCommand(reg.DocApprove(*_document(ref)))
        case Key.DOC_CHANGES:
            return RunCommand(reg.DocChangesForm(*_document(ref)))
        case Key.GATE_APPROVE:
            key_, phase = _gate(ref)
            return RunCommand(reg.ProjectGateDecide(key_, True, "", phase))
        case Key.GATE_REJECT:
            return RunCommand(reg.GateRejectForm(*_gate(ref)))
        case Key.MINUTES_START:
            return StartMinutes(int(ref))
        case Key.STATUS_SHOW:
            return RunCommand(ast.StatusShow(ref))


def _gate(ref: str) -> tuple[str, str]:
    """A gate notice's ref, `KEY:phase`."""
    key, sep, phase = ref.partition(":")
    if not (key and sep and phase):
        raise ValueError(f"not a gate: {ref!r}")
    return key, phase


def _document(ref: str) -> tuple[int, str]:
    """A document notice's ref, `id:version`."""
    doc_id, sep, version = ref.partition(":")
    if not sep:
        raise ValueError(f"not a document version: {ref!r}")
    return int(doc_id), version
