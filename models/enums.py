"""Enumerations shared by models and services."""

from __future__ import annotations

import enum


class Platform(enum.StrEnum):
    SLACK = "slack"
    TEAMS = "teams"
    CONSOLE = "console"


class WorkspaceRoleName(enum.StrEnum):
    ADMIN = "admin"
    PMO_LEAD = "pmo_lead"


class ProjectRole(enum.StrEnum):
    PMO_LEAD = "pmo_lead"
    PM = "pm"
    SPONSOR = "sponsor"
    MEMBER = "member"
    VIEWER = "viewer"


class ProjectState(enum.StrEnum):
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    CLOSED = "closed"


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class DeliverableStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class SourceKind(enum.StrEnum):
    COMMAND = "command"
    MESSAGE = "message"
    MINUTES = "minutes"
    IMPORT = "import"


class NotificationState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # its item was done, cancelled or snoozed before delivery


class Rag(enum.StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class CycleState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    SKIPPED = "skipped"  # a holiday week with no working day, or every reporter on leave


class MinutesState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class EntryKind(enum.StrEnum):
    NOTE = "note"
    DECISION = "decision"


class DateOrder(enum.StrEnum):
    """How a person writes numeric dates: 31/12 (DMY), 12/31 (MDY) or 2026/12/31 (YMD)."""

    DMY = "DMY"
    MDY = "MDY"
    YMD = "YMD"
