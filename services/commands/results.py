"""What a command produced, as data. Each channel renders these its own way.

Results say what happened (`event`, a closed vocabulary) and to whom it happened; who may see
them is decided once, at the chat edge (handlers/chat/audience.py), not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from models.enums import WorkspaceRoleName
from services.commands.everyday_results import (
    ActionBatchResult,
    ActionCardResult,
    DeliverableCardResult,
    MeResult,
    PeopleResult,
)
from services.commands.help import HelpEntry
from services.commands.results_registers import RegistersResult
from services.core.forms import FormRequest
from services.core.views import ActionItemView, DeliverableView, Page, PersonRef, ProjectView
from services.digests.personal import MyDigest
from services.meetings.feeds import FeedLink
from services.meetings.series import SeriesView
from services.meetings.views import MinutesLine, MinutesView
from services.raid.policy import RaidPolicy
from services.raid.views import OfferView, RaidEntryView
from services.status.cadence import CadenceView
from services.status.report import Report
from services.status.update import UpdateView
from services.workspace.date_prefs import DatesView
from services.workspace.settings import WorkspaceSettings

ProjectEvent = Literal["created", "updated", "closed", "member_added", "member_removed", "shown"]
ActionEvent = Literal[
    "created",
    "given",  # a notice to the new owner of an item someone else created
    "done",
    "reopened",
    "cancelled",
    "snoozed",
    "assigned",
    "rescheduled",
    "edited",
    "shown",
]
DeliverableEvent = Literal["created", "forecast", "done"]
LeaveEvent = Literal["shown", "recorded", "cancelled"]
DigestEvent = Literal["shown", "on", "off", "moved"]
StatusEvent = Literal["submitted", "edited", "shown"]
MinutesEvent = Literal[
    "started", "note", "decision", "action", "attendance", "ended", "shown", "amended", "added"
]
MeetingEvent = Literal["created", "cancelled", "imported"]
RaidEvent = Literal[
    "created", "scored", "reviewed", "status", "responded", "assigned", "edited", "shown", "logged"
]


@dataclass(frozen=True)
class HelpResult:
    topic: str | None
    entries: list[HelpEntry]
    extra: str | None = None


@dataclass(frozen=True)
class RolesResult:
    roles: list[tuple[PersonRef, WorkspaceRoleName]]


@dataclass(frozen=True)
class RoleChanged:
    person: PersonRef
    role: WorkspaceRoleName
    granted: bool


@dataclass(frozen=True)
class ProjectResult:
    project: ProjectView
    event: ProjectEvent
    today: date


@dataclass(frozen=True)
class ProjectListResult:
    projects: list[ProjectView]
    include_closed: bool
    today: date
    total: int = 0  # across all pages (0: the list is not paged)
    offset: int = 0  # how many come before this page
    rest: str = ""  # the command for the next page, when the list is cut


@dataclass(frozen=True)
class ActionResult:
    item: ActionItemView
    event: ActionEvent
    today: date
    by: PersonRef | None = None  # who made the change (shown on buttons and notices)


@dataclass(frozen=True)
class ActionListResult:
    title: str
    page: Page[ActionItemView]
    today: date
    empty_text: str
    rest: str = ""  # the command that shows the next page, when the list is cut


@dataclass(frozen=True)
class DeliverableResult:
    deliverable: DeliverableView
    event: DeliverableEvent
    today: date


@dataclass(frozen=True)
class DeliverableListResult:
    key: str
    deliverables: list[DeliverableView]
    today: date


@dataclass(frozen=True)
class LeaveResult:
    periods: list[tuple[date, date]]
    event: LeaveEvent
    today: date
    ids: tuple[int, ...] = ()  # each period's id (for `leave cancel <id>`), when known


@dataclass(frozen=True)
class SettingsResult:
    settings: WorkspaceSettings
    changed: bool


@dataclass(frozen=True)
class DigestResult:
    mine: MyDigest
    event: DigestEvent


@dataclass(frozen=True)
class StatusResult:
    update: UpdateView | None
    event: StatusEvent
    note: str = ""
    versions: int = 0
    key: str = ""
    carried: tuple[str, ...] = ()  # what a one-liner kept from the last update, in words


@dataclass(frozen=True)
class CadenceResult:
    cadence: CadenceView
    changed: bool


@dataclass(frozen=True)
class ReportResult:
    report: Report
    stats_only: bool = False


@dataclass(frozen=True)
class MinutesResult:
    minutes: MinutesView
    event: MinutesEvent
    item: ActionItemView | None = None
    today: date | None = None


@dataclass(frozen=True)
class MinutesListResult:
    page: Page[MinutesLine]
    key: str | None = None
    rest: str = ""  # the command for the next page ('' when the list is whole)

    @property
    def minutes(self) -> list[MinutesLine]:
        return self.page.items


@dataclass(frozen=True)
class MinutesExportResult:
    minutes: MinutesView
    markdown: str

    @property
    def filename(self) -> str:
        return f"minutes-{self.minutes.id}-{self.minutes.started_at:%Y-%m-%d}.md"


@dataclass(frozen=True)
class MeetingResult:
    series: SeriesView
    event: MeetingEvent


@dataclass(frozen=True)
class MeetingListResult:
    series: list[SeriesView]
    key: str | None = None
    imported: bool = False  # the series an import just added or updated
    notes: list[str] = field(default_factory=list)  # what the import decided (a time zone)


@dataclass(frozen=True)
class IcsResult:
    link: FeedLink | None
    key: str | None
    revoked: int = 0


@dataclass(frozen=True)
class FormResult:
    """A form to fill in (a modal, a dialog, a guided prompt); `shown` is what a channel
    that prefers not to open it now shows instead (the settings as they stand)."""

    request: FormRequest
    shown: CadenceResult | None = None


@dataclass(frozen=True)
class DatesResult:
    """How the person writes dates (`me dates`), and whether they just changed it."""

    dates: DatesView
    changed: bool


# --- the RAID log ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RaidEntryResult:
    """An entry added, changed or shown; `linked` is the issue an occurred risk became,
    `offer` the risk an invalid assumption is offered as."""

    entry: RaidEntryView
    event: RaidEvent
    today: date
    by: PersonRef | None = None
    linked: RaidEntryView | None = None
    offer: OfferView | None = None


@dataclass(frozen=True)
class RaidListResult:
    title: str
    page: Page[RaidEntryView]
    today: date
    empty_text: str
    rest: str = ""  # the command for the next page ('' when the list is whole)


@dataclass(frozen=True)
class RaidSettingsResult:
    policy: RaidPolicy
    changed: bool


@dataclass(frozen=True)
class RaidOfferResult:
    """An offer dismissed (taking one shows the entry it made)."""

    offer: OfferView


Result = (
    HelpResult
    | RolesResult
    | RoleChanged
    | ProjectResult
    | ProjectListResult
    | ActionResult
    | ActionListResult
    | DeliverableResult
    | DeliverableListResult
    | LeaveResult
    | SettingsResult
    | DigestResult
    | StatusResult
    | CadenceResult
    | ReportResult
    | MinutesResult
    | MinutesListResult
    | MinutesExportResult
    | MeetingResult
    | MeetingListResult
    | IcsResult
    | FormResult
    | DatesResult
    | RaidEntryResult
    | RaidListResult
    | RaidSettingsResult
    | RaidOfferResult
    | RegistersResult
    | PeopleResult
    | MeResult
    | ActionCardResult
    | ActionBatchResult
    | DeliverableCardResult
)
