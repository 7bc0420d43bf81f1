"""SQLAlchemy models: one aggregate per module, all sharing `Base.metadata`."""

from models.audit import AuditEvent
from models.base import Base, UTCDateTime
from models.enums import (
    ActionStatus,
    CycleState,
    DeliverableStatus,
    EntryKind,
    MinutesState,
    NotificationState,
    Platform,
    ProjectRole,
    ProjectState,
    Rag,
    SourceKind,
    WorkspaceRoleName,
)
from models.holiday import Holiday
from models.inbound import ProcessedEvent
from models.meeting import (
    CalendarToken,
    MeetingOccurrence,
    MeetingSeries,
    Minutes,
    MinutesAttendee,
    MinutesEntry,
)
from models.notification import Notification
from models.person import LeavePeriod, Person
from models.project import Membership, Project
from models.raid import (
    IssueType,
    Level,
    ProposalState,
    Proximity,
    RaidAction,
    RaidEntry,
    RaidKind,
    RaidProposal,
    RaidScore,
    RaidStatus,
    Strategy,
)
from models.status import StatusCadence, StatusCycle, StatusUpdate
from models.work import ActionItem, Deliverable
from models.workspace import Workspace, WorkspaceRole

__all__ = [
    "ActionItem",
    "ActionStatus",
    "AuditEvent",
    "Base",
    "CalendarToken",
    "CycleState",
    "Deliverable",
    "DeliverableStatus",
    "EntryKind",
    "Holiday",
    "IssueType",
    "LeavePeriod",
    "Level",
    "MeetingOccurrence",
    "MeetingSeries",
    "Membership",
    "Minutes",
    "MinutesAttendee",
    "MinutesEntry",
    "MinutesState",
    "Notification",
    "NotificationState",
    "Person",
    "Platform",
    "ProcessedEvent",
    "Project",
    "ProjectRole",
    "ProjectState",
    "ProposalState",
    "Proximity",
    "Rag",
    "RaidAction",
    "RaidEntry",
    "RaidKind",
    "RaidProposal",
    "RaidScore",
    "RaidStatus",
    "SourceKind",
    "StatusCadence",
    "StatusCycle",
    "StatusUpdate",
    "Strategy",
    "UTCDateTime",
    "Workspace",
    "WorkspaceRole",
    "WorkspaceRoleName",
]
