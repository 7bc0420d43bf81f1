"""What the register commands produce, as data (RACI, dependencies, the project register,
documents). Each channel renders these its own way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from services.dependencies.views import DependencyView
from services.documents.views import DocumentView
from services.projects.gates import GateEvent
from services.projects.portfolio import Register, RegisterCard
from services.raci.views import RaciCard, RaciMatrix

RaciEvent = Literal["shown", "set", "cleared"]
SignoffEvent = Literal["done", "requested", "signed_off", "not_yet"]
DependencyEvent = Literal["requested", "accepted", "proposed", "declined"]


@dataclass(frozen=True)
class RaciResult:
    card: RaciCard
    event: RaciEvent


@dataclass(frozen=True)
class RaciMatrixResult:
    matrix: RaciMatrix


@dataclass(frozen=True)
class SignoffResult:
    card: RaciCard
    event: SignoffEvent


@dataclass(frozen=True)
class FileResult:
    """A file for the person (an export): sent to their own chat."""

    filename: str
    title: str
    content: bytes
    summary: str  # what it holds, said when it is sent


@dataclass(frozen=True)
class DependencyResult:
    dependency: DependencyView
    event: DependencyEvent
    today: date


@dataclass(frozen=True)
class DependencyListResult:
    key: str | None
    needs: list[DependencyView]
    provides: list[DependencyView]
    today: date


@dataclass(frozen=True)
class RegisterResult:
    register: Register


@dataclass(frozen=True)
class RegisterCardResult:
    """One project's register entry; `event` says what just happened to its phase or gates."""

    card: RegisterCard
    event: GateEvent
    phase: str = ""  # the phase the event is about


@dataclass(frozen=True)
class PhasesResult:
    phases: tuple[str, ...]
    changed: bool


DocumentEvent = Literal["added", "version", "approvers", "approved", "changes", "shown"]


@dataclass(frozen=True)
class DocumentResult:
    document: DocumentView
    event: DocumentEvent
    today: date


@dataclass(frozen=True)
class DocumentListResult:
    key: str
    documents: list[DocumentView]
    today: date


RegistersResult = (
    RaciResult
    | RaciMatrixResult
    | SignoffResult
    | FileResult
    | DependencyResult
    | DependencyListResult
    | RegisterResult
    | RegisterCardResult
    | PhasesResult
    | DocumentResult
    | DocumentListResult
)
