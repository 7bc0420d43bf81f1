"""The outbound port: what a reminder says and who gets it, independent of the platform."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol


@dataclass(frozen=True)
class Reminder:
    """One line of a bundled reminder."""

    rule: str  # heads_up | due_today | overdue | overdue_on_leave | escalate_pm | escalate_lead
    item_id: int
    title: str
    due_on: date
    project_key: str | None
    owner_handle: str
    owner_external_id: str
    days_overdue: int = 0
    note: str = ""
    kind: str = "action_item"  # or "deliverable"


@dataclass(frozen=True)
class Bundle:
    """Everything due for one person in one sweep: sent as one message."""

    workspace_platform: str
    workspace_external_id: str
    recipient_external_id: str
    recipient_timezone: str
    today: date
    reminders: list[Reminder] = field(default_factory=list)


class DeliveryError(Exception):
    """The platform refused a message. `permanent` ones are not retried."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None):
        super().__init__(reason)
        self.reason, self.permanent, self.retry_after = reason, permanent, retry_after


class Notifier(Protocol):
    def send(self, bundle: Bundle) -> None:
        """Deliver one bundle or raise DeliveryError."""
        ...
