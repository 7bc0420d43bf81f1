"""What a command produced, as data. Each channel renders these its own way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models.enums import WorkspaceRoleName
from services.commands.help import HelpEntry
from services.core.views import ActionItemView, DeliverableView, Page, PersonRef, ProjectView
from services.digests.personal import MyDigest
from services.meetings.feeds import FeedLink
from services.meetings.series import SeriesView
from services.meetings.views import MinutesView
from services.status.cadence import CadenceView
from services.status.report import Report
from services.status.update import UpdateView
from services.workspace.settings import WorkspaceSettings


@dataclass(frozen=True)
class HelpResult:
    topic: str | None
    entries: list[HelpEntry]
    extra: str | None = None
    public: bool = False


@dataclass(frozen=True)
class RolesResult:
    roles: list[tuple[PersonRef, WorkspaceRoleName]]
    public: bool = False


@dataclass(frozen=True)
class RoleChanged:
    person: PersonRef
    role: WorkspaceRoleName
    granted: bool
    public: bool = False


@dataclass(frozen=True)
class ProjectResult:
    project: ProjectView
    event: str  # created | updated | closed | member_added | member_removed | shown
    today: date
    public: bool = False


@dataclass(frozen=True)
class ProjectListResult:
    projects: list[ProjectView]
    include_closed: bool
    today: date
    public: bool = False


@dataclass(frozen=True)
class ActionResult:
    item: ActionItemView
    event: str  # created | done | reopened | cancelled | snoozed | assigned | rescheduled | shown
    today: date
    public: bool = False


@dataclass(frozen=True)
class ActionListResult:
    title: str
    page: Page[ActionItemView]
    today: date
    empty_text: str
    public: bool = False


@dataclass(frozen=True)
class DeliverableResult:
    deliverable: DeliverableView
    event: str  # created | forecast | done
    today: date
    public: bool = False


@dataclass(frozen=True)
class DeliverableListResult:
    key: str
    deliverables: list[DeliverableView]
    today: date
    public: bool = False


@dataclass(frozen=True)
class LeaveResult:
    periods: list[tuple[date, date]]
    event: str  # shown | recorded | cancelled
    today: date
    public: bool = False


@dataclass(frozen=True)
class SettingsResult:
    settings: WorkspaceSettings
    changed: bool
    public: bool = False


@dataclass(frozen=True)
class DigestResult:
    mine: MyDigest
    event: str  # shown | on | off | moved
    public: bool = False


@dataclass(frozen=True)
class StatusResult:
    update: UpdateView | None
    event: str  # submitted | edited | shown | form
    note: str = ""
    versions: int = 0
    key: str = ""
    public: bool = False


@dataclass(frozen=True)
class CadenceResult:
    cadence: CadenceView
    changed: bool
    public: bool = False


@dataclass(frozen=True)
class ReportResult:
    report: Report
    stats_only: bool = False
    public: bool = False


@dataclass(frozen=True)
class MinutesResult:
    minutes: MinutesView
    event: str  # started | note | decision | action | attendance | ended | shown | amended
    item: ActionItemView | None = None
    today: date | None = None


@dataclass(frozen=True)
class MinutesListResult:
    minutes: list[MinutesView]
    key: str | None = None


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
    event: str  # created | cancelled


@dataclass(frozen=True)
class MeetingImportForm:
    """Ask for an .ics file (a modal with a file field in Slack)."""

    key: str


@dataclass(frozen=True)
class MeetingListResult:
    series: list[SeriesView]
    key: str | None = None


@dataclass(frozen=True)
class IcsResult:
    link: FeedLink | None
    key: str | None
    revoked: int = 0


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
    | MeetingImportForm
    | MeetingListResult
    | IcsResult
)
