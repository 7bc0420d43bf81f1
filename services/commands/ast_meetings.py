"""Typed commands of the minutes, meetings and calendar-feed group."""

from __future__ import annotations

from dataclasses import dataclass

from services.core.people import Mention


@dataclass(frozen=True)
class MinutesStart:
    key: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class MinutesAdd:
    kind: str  # note | decision
    text: str


@dataclass(frozen=True)
class MinutesAction:
    owner: Mention | None
    due: str | None
    text: str


@dataclass(frozen=True)
class MinutesAttend:
    people: tuple[Mention, ...]
    present: bool = True


@dataclass(frozen=True)
class MinutesForm:
    """Open the form that adds attendees, notes, decisions and an action at once."""


@dataclass(frozen=True)
class MinutesEnd:
    pass


@dataclass(frozen=True)
class MinutesShow:
    minutes_id: int | None = None


@dataclass(frozen=True)
class MinutesList:
    key: str | None = None
    page: int = 1


@dataclass(frozen=True)
class MinutesExport:
    minutes_id: int


@dataclass(frozen=True)
class MinutesAmend:
    minutes_id: int
    op: str  # note | decision | edit | remove | title
    text: str = ""
    kind: str | None = None  # edit/remove: note | decision
    n: int | None = None


@dataclass(frozen=True)
class MeetingNew:
    key: str
    title: str
    recurrence: str


@dataclass(frozen=True)
class MeetingImport:
    key: str


@dataclass(frozen=True)
class MeetingList:
    key: str | None = None


@dataclass(frozen=True)
class MeetingCancel:
    series_id: int


@dataclass(frozen=True)
class IcsLink:
    key: str | None = None
    revoke: bool = False


MeetingCommand = (
    MinutesStart
    | MinutesAdd
    | MinutesAction
    | MinutesAttend
    | MinutesForm
    | MinutesEnd
    | MinutesShow
    | MinutesList
    | MinutesExport
    | MinutesAmend
    | MeetingNew
    | MeetingImport
    | MeetingList
    | MeetingCancel
    | IcsLink
)
