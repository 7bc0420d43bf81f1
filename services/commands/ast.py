"""Typed commands: what the text after `/pmo` means, before anything is looked up."""

from __future__ import annotations

from dataclasses import dataclass

from services.commands.ast_meetings import MeetingCommand
from services.commands.ast_raid import RaidCommand
from services.commands.ast_registers import RegistersCommand
from services.commands.everyday_ast import ItemCommand, PeopleCommand
from services.core.people import Mention


@dataclass(frozen=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True)
class AdminGrant:
    person: Mention
    role: str


@dataclass(frozen=True)
class AdminRevoke:
    person: Mention
    role: str


@dataclass(frozen=True)
class AdminRoles:
    pass


@dataclass(frozen=True)
class ProjectNew:
    key: str
    name: str
    pm: Mention | None = None
    private: bool = False


@dataclass(frozen=True)
class ProjectForm:
    """Open the new-project form (`project new` alone)."""


@dataclass(frozen=True)
class ProjectList:
    include_closed: bool = False
    page: int = 1


@dataclass(frozen=True)
class ProjectShow:
    key: str


@dataclass(frozen=True)
class ProjectAdd:
    key: str
    person: Mention
    role: str = "member"


@dataclass(frozen=True)
class ProjectRemove:
    key: str
    person: Mention


@dataclass(frozen=True)
class ProjectClose:
    key: str


@dataclass(frozen=True)
class ProjectSet:
    key: str
    field: str
    value: str


@dataclass(frozen=True)
class ActionAdd:
    title: str
    key: str | None = None
    owner: Mention | None = None
    due: str | None = None


@dataclass(frozen=True)
class ActionForm:
    """Open the new-item form (`new`, `todo`, `action new` or `action add` alone)."""


@dataclass(frozen=True)
class ActionEditForm:
    """Open the edit form of an item (`action edit 12`)."""

    item_id: int


@dataclass(frozen=True)
class ActionList:
    scope: str = "mine"  # mine | overdue | project
    key: str | None = None
    page: int = 1


@dataclass(frozen=True)
class ActionShow:
    item_id: int


@dataclass(frozen=True)
class ActionDone:
    item_id: int


@dataclass(frozen=True)
class ActionReopen:
    item_id: int


@dataclass(frozen=True)
class ActionCancel:
    item_id: int


@dataclass(frozen=True)
class ActionSnooze:
    item_id: int
    until: str


@dataclass(frozen=True)
class ActionAssign:
    item_id: int
    owner: Mention


@dataclass(frozen=True)
class ActionDue:
    item_id: int
    due: str


@dataclass(frozen=True)
class DeliverableAdd:
    key: str
    title: str
    due: str
    owner: Mention | None = None


@dataclass(frozen=True)
class DeliverableForm:
    """Open the new-deliverable form (`deliverable new` or `deliverable add` alone)."""


@dataclass(frozen=True)
class DeliverableList:
    key: str


@dataclass(frozen=True)
class DeliverableForecast:
    deliverable_id: int
    on: str


@dataclass(frozen=True)
class DeliverableDone:
    deliverable_id: int


@dataclass(frozen=True)
class LeaveShow:
    pass


@dataclass(frozen=True)
class LeaveAdd:
    start: str
    end: str


@dataclass(frozen=True)
class LeaveCancel:
    pass


@dataclass(frozen=True)
class SettingsShow:
    pass


@dataclass(frozen=True)
class SettingsSet:
    section: str  # reminders | digests | "" (pmo_channel, timezone)
    key: str
    value: str


@dataclass(frozen=True)
class DigestShow:
    pass


@dataclass(frozen=True)
class DigestSet:
    enabled: bool | None = None
    at: str | None = None


@dataclass(frozen=True)
class MeDates:
    order: str | None = None  # DMY | MDY | YMD | auto (follow locale, workspace); None: show


@dataclass(frozen=True)
class StatusForm:
    """Open the full update form (a modal in Slack, a guided prompt in the console)."""

    key: str


@dataclass(frozen=True)
class StatusQuick:
    key: str
    overall: str
    summary: str = ""
    clear: bool = False  # --clear: drop the blockers, escalation, asks carried over


@dataclass(frozen=True)
class StatusShow:
    key: str


@dataclass(frozen=True)
class StatusSettings:
    key: str
    setting: str | None = None
    value: str = ""
    people: tuple[Mention, ...] = ()


@dataclass(frozen=True)
class ReportShow:
    week: str | None = None


@dataclass(frozen=True)
class ReportStats:
    pass


AdminCommand = AdminGrant | AdminRevoke | AdminRoles
ProjectCommand = (
    ProjectNew
    | ProjectForm
    | ProjectList
    | ProjectShow
    | ProjectAdd
    | ProjectRemove
    | ProjectClose
    | ProjectSet
)
WorkCommand = (
    ActionAdd
    | ActionForm
    | ActionEditForm
    | ActionList
    | ActionShow
    | ActionDone
    | ActionReopen
    | ActionCancel
    | ActionSnooze
    | ActionAssign
    | ActionDue
    | DeliverableAdd
    | DeliverableForm
    | DeliverableList
    | DeliverableForecast
    | DeliverableDone
)
WorkspaceCommand = (
    LeaveShow | LeaveAdd | LeaveCancel | SettingsShow | SettingsSet | DigestShow | DigestSet
) | MeDates
StatusCommand = StatusForm | StatusQuick | StatusShow | StatusSettings | ReportShow | ReportStats
Command = (
    Help
    | AdminCommand
    | ProjectCommand
    | WorkCommand
    | WorkspaceCommand
    | StatusCommand
    | MeetingCommand
    | RaidCommand
    | RegistersCommand
    | PeopleCommand
    | ItemCommand
)
