"""Results of the everyday-use commands (issue 14), as data; each channel renders them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from services.core.views import ActionItemView, DeliverableView, Page, PersonRef
from services.people.directory import PersonCard
from services.people.me import MySettings
from services.work.history import HistoryEntry

MeEvent = Literal["shown", "whoami", "timezone", "hours", "days", "quiet"]
BatchEvent = Literal["done", "reopened", "cancelled", "snoozed", "rescheduled", "assigned"]


@dataclass(frozen=True)
class PeopleResult:
    people: Page[PersonCard]


@dataclass(frozen=True)
class MeResult:
    me: MySettings
    event: MeEvent


@dataclass(frozen=True)
class ActionCardResult:
    """One action item with its notes and its history."""

    item: ActionItemView
    history: list[HistoryEntry]
    today: date
    changed: bool = False  # shown after an edit or a note (not just looked at)


@dataclass(frozen=True)
class ActionBatchResult:
    """The same change made to several items at once."""

    items: list[ActionItemView]
    event: BatchEvent
    today: date
    by: PersonRef | None = None


@dataclass(frozen=True)
class DeliverableCardResult:
    """One deliverable with its slip history."""

    deliverable: DeliverableView
    history: list[HistoryEntry]
    today: date
