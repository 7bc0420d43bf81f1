"""Dependencies as plain data for renderers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models import DeliverableStatus, DependencySide, DependencyState
from services.core.views import PersonRef


@dataclass(frozen=True)
class UpstreamDeliverable:
    id: int
    title: str
    forecast_on: date
    status: DeliverableStatus


@dataclass(frozen=True)
class DependencyView:
    """`downstream` needs `what` from `upstream` by `needed_by`."""

    id: int
    downstream_key: str
    upstream_key: str
    what: str
    needed_by: date
    state: DependencyState
    awaiting: DependencySide | None
    proposed_on: date | None = None
    deliverable: UpstreamDeliverable | None = None
    asked_by: PersonRef | None = None
    decided_by: PersonRef | None = None
    reason: str = ""
    risk: str | None = None  # why it is at risk, in words (accepted ones only)
    private: bool = False  # either project is private
    round: int = 1

    @property
    def awaiting_key(self) -> str | None:
        """The project whose PM must answer now."""
        if self.awaiting is None:
            return None
        return (
            self.upstream_key if self.awaiting == DependencySide.UPSTREAM else self.downstream_key
        )

    @property
    def on_the_table(self) -> date:
        """The date being agreed: a counter-proposal if there is one, else the date asked."""
        return self.proposed_on or self.needed_by
