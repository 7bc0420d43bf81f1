"""Typed commands of the PMO's registers: RACI charts and sign-offs, cross-project
dependencies, the project register (phases, stage gates) and the document register."""

from __future__ import annotations

from dataclasses import dataclass

from services.core.people import Mention


@dataclass(frozen=True)
class RaciShow:
    """`raci KEY` (the chart) or `raci KEY 12` (one deliverable)."""

    key: str
    deliverable_id: int | None = None


@dataclass(frozen=True)
class RaciSet:
    """`raci set KEY [12] R @a @b A @c C @d I @e - @x`: letter → people (`-` removes)."""

    key: str
    deliverable_id: int | None
    groups: tuple[tuple[str, tuple[Mention, ...]], ...]


@dataclass(frozen=True)
class RaciClear:
    key: str
    deliverable_id: int | None = None


@dataclass(frozen=True)
class RaciExport:
    key: str


@dataclass(frozen=True)
class DeliverableSignoff:
    """`deliverable signoff 12` (Sign off) or `deliverable signoff 12 no "why"` (Not yet)."""

    deliverable_id: int
    approve: bool = True
    reason: str = ""


@dataclass(frozen=True)
class SignoffForm:
    """Open the "not yet" form (`deliverable signoff 12 no` without a reason; the button)."""

    deliverable_id: int


@dataclass(frozen=True)
class DependNew:
    key: str
    other: str
    what: str
    by: str
    deliverable_id: int | None = None


@dataclass(frozen=True)
class DependList:
    key: str | None = None


@dataclass(frozen=True)
class DependAccept:
    dependency_id: int


@dataclass(frozen=True)
class DependPropose:
    dependency_id: int
    on: str


@dataclass(frozen=True)
class DependDecline:
    dependency_id: int
    reason: str


@dataclass(frozen=True)
class DependForm:
    """Open the form to propose another date or to decline (the buttons)."""

    dependency_id: int
    answer: str  # propose | decline


@dataclass(frozen=True)
class ProjectRegister:
    """`project register [csv|xlsx]`: the whole register, shown or as a file."""

    fmt: str | None = None


@dataclass(frozen=True)
class ProjectPhases:
    """`project phases [<phase> …]`: show or set the workspace's phases."""

    phases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectGates:
    """`project gate KEY`: the project's phases, gates and who approves each."""

    key: str


@dataclass(frozen=True)
class ProjectGateSet:
    """`project gate KEY <phase> @approver`."""

    key: str
    phase: str
    approver: Mention


@dataclass(frozen=True)
class ProjectGateDecide:
    """`project gate KEY approve` / `project gate KEY reject "why"` (the buttons)."""

    key: str
    approve: bool
    reason: str = ""
    phase: str | None = None  # from a button: the gate it was about


@dataclass(frozen=True)
class GateRejectForm:
    key: str
    phase: str | None = None


@dataclass(frozen=True)
class DocAdd:
    key: str
    title: str
    url: str
    version: str | None = None


@dataclass(frozen=True)
class DocVersion:
    document_id: int
    url: str
    version: str | None = None
    note: str = ""


@dataclass(frozen=True)
class DocApprovers:
    document_id: int
    people: tuple[Mention, ...]
    due: str | None = None


@dataclass(frozen=True)
class DocList:
    key: str


@dataclass(frozen=True)
class DocShow:
    document_id: int


@dataclass(frozen=True)
class DocApprove:
    document_id: int
    version: str | None = None  # from a button: the version it asked about


@dataclass(frozen=True)
class DocChanges:
    document_id: int
    comment: str
    version: str | None = None


@dataclass(frozen=True)
class DocChangesForm:
    document_id: int
    version: str | None = None


RaciCommand = RaciShow | RaciSet | RaciClear | RaciExport | DeliverableSignoff | SignoffForm
DependencyCommand = (
    DependNew | DependList | DependAccept | DependPropose | DependDecline | DependForm
)
RegisterCommand = (
    ProjectRegister
    | ProjectPhases
    | ProjectGates
    | ProjectGateSet
    | ProjectGateDecide
    | GateRejectForm
)
DocumentCommand = (
    DocAdd
    | DocVersion
    | DocApprovers
    | DocList
    | DocShow
    | DocApprove
    | DocChanges
    | DocChangesForm
)
RegistersCommand = RaciCommand | DependencyCommand | RegisterCommand | DocumentCommand
