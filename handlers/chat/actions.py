"""What a click or a message shortcut asks for, whatever the channel it came from.

Slack maps its action ids and payloads to these, Teams its card verbs; the chat edge runs
them. Buttons that only run a command carry the command itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from services.commands import ast


@dataclass(frozen=True)
class RunCommand:
    """A button that runs a command of the language (New item, My items, Submit update…)."""

    command: ast.Command


@dataclass(frozen=True)
class ChangeItem:
    """Done / Reopen / Snooze / Reassign on an item's message; it updates in place."""

    item_id: int
    change: Literal["done", "reopen", "snooze", "reassign"]
    days: int = 0  # snooze
    pick: str = ""  # reassign: the person picked (a platform id)


@dataclass(frozen=True)
class MinutesButton:
    """Add… (a form) or End on the live minutes message."""

    minutes_id: int
    op: Literal["add", "end"]


@dataclass(frozen=True)
class StartMinutes:
    """Start minutes from a meeting's agenda (linked to that occurrence)."""

    occurrence_id: int


@dataclass(frozen=True)
class FromMessage:
    """A message shortcut: make an action item of it, or add it to the open minutes."""

    to: Literal["item", "minutes", "raid"]  # raid: log it as a risk or an issue
    text: str
    author: str | None = None  # the message's author (a platform id)
    link: str | None = None  # a permalink to it


@dataclass(frozen=True)
class ChangeEntry:
    """A button on a RAID entry (Still valid, Close, Confirmed, Met …); it updates in place."""

    entry_id: int
    change: Literal["review", "closed", "confirmed", "invalid", "met", "missed", "open"]


@dataclass(frozen=True)
class TakeOffer:
    """Log as issue (or risk) / Dismiss on an offer; it updates in place."""

    offer_id: int
    op: Literal["log", "dismiss"]


Action = (
    RunCommand | ChangeItem | MinutesButton | StartMinutes | FromMessage | ChangeEntry | TakeOffer
)
