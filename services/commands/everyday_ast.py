"""Typed commands of everyday use (issue 14): people, personal settings, and action items
the way a PMO works them (one person's, done ones, one field, notes, several at once)."""

from __future__ import annotations

from dataclasses import dataclass

from services.core.people import Mention


@dataclass(frozen=True)
class PeopleList:
    page: int = 1


@dataclass(frozen=True)
class WhoAmI:
    pass


@dataclass(frozen=True)
class MeShow:
    pass


@dataclass(frozen=True)
class MeSet:
    field: str  # timezone | hours | days | quiet
    value: str


@dataclass(frozen=True)
class LeaveCancelOne:
    period_id: int


@dataclass(frozen=True)
class ActionListOf:
    """What one person owes (`action list @tom`)."""

    person: Mention
    page: int = 1


@dataclass(frozen=True)
class ActionListDone:
    key: str | None = None
    page: int = 1


@dataclass(frozen=True)
class ActionEditField:
    item_id: int
    field: str  # title | due | owner | notes
    value: str
    owner: Mention | None = None


@dataclass(frozen=True)
class ActionNote:
    item_id: int
    text: str


@dataclass(frozen=True)
class ActionMany:
    """One change to several items at once (`action done 14 15 16`): all or nothing."""

    verb: str  # done | reopen | cancel | snooze | due | assign
    item_ids: tuple[int, ...]
    value: str = ""  # snooze, due: the date
    owner: Mention | None = None  # assign


@dataclass(frozen=True)
class DeliverableShow:
    deliverable_id: int


PeopleCommand = PeopleList | WhoAmI | MeShow | MeSet | LeaveCancelOne
ItemCommand = (
    ActionListOf | ActionListDone | ActionEditField | ActionNote | ActionMany | DeliverableShow
)
