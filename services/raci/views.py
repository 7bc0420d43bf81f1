"""RACI as plain data for renderers and exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from models import RaciLetter, SignoffState
from services.core.views import DeliverableView, PersonRef

ORDER = "RACI"


@dataclass(frozen=True)
class RaciEntry:
    """One person holding one letter, and where it comes from."""

    letter: RaciLetter
    person: PersonRef
    source: str  # "own" (the deliverable's), "default" (the project's), "owner" (no R named)


@dataclass(frozen=True)
class SignoffView:
    id: int
    deliverable_id: int
    state: SignoffState
    accountable: PersonRef
    requested_by: PersonRef
    requested_at: datetime
    decided_by: PersonRef | None = None
    decided_at: datetime | None = None
    reason: str = ""


@dataclass(frozen=True)
class RaciCard:
    """The RACI of one deliverable (or, `deliverable` None, the project's default)."""

    project_key: str
    project_name: str
    private: bool
    deliverable: DeliverableView | None
    entries: tuple[RaciEntry, ...]
    signoff: SignoffView | None = None
    today: date | None = None

    def people(self, letter: RaciLetter) -> list[PersonRef]:
        return [e.person for e in self.entries if e.letter == letter]

    @property
    def accountable(self) -> PersonRef | None:
        found = self.people(RaciLetter.ACCOUNTABLE)
        return found[0] if found else None


@dataclass(frozen=True)
class RaciMatrix:
    """People by deliverables: the letters in each cell (the first column is the default)."""

    project_key: str
    project_name: str
    private: bool
    deliverables: list[DeliverableView]
    people: list[PersonRef]
    cells: dict[tuple[int, int | None], str]  # (person id, deliverable id or None) → "R/A"
    cards: list[RaciCard]  # the default first, then one per deliverable
    today: date

    def cell(self, person_id: int, deliverable_id: int | None) -> str:
        return self.cells.get((person_id, deliverable_id), "")

    def gaps(self) -> list[DeliverableView]:
        """Open deliverables with nobody Accountable."""
        return [
            card.deliverable
            for card in self.cards[1:]
            if card.deliverable is not None
            and card.accountable is None
            and card.deliverable.status.value in ("planned", "in_progress")
        ]
