"""What the features tell the outbox, so that the outbox itself names no feature.

- `subjects`: per subject type (an action item, a deliverable), its current title and whether
  a reminder about it is still due (a row for a closed or snoozed item is skipped);
- `stale`: per rule, which queued messages became moot (a nudge for a round already answered);
- `attachments`: per payload key, the content built when the message goes out (a report,
  final minutes), and what to remember once it was sent (where the minutes landed).

The composition root assembles one `Contents` from the feature packages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Subject:
    """A reminder's subject as it stands now."""

    title: str
    due: Callable[[date], bool]  # still worth reminding on the recipient's `today`


@dataclass(frozen=True)
class Destination:
    """Where a message with an attachment goes."""

    workspace_id: int
    workspace_timezone: str
    channel: str | None
    recipient_timezone: str
    now: datetime


SubjectLoader = Callable[[Session, set[int]], dict[int, Subject]]
StaleCheck = Callable[[Session, set[int]], set[int]]
AttachmentBuilder = Callable[[Session, dict[str, Any], Destination], object]
AfterSent = Callable[[Session, object, dict[str, Any]], None]


@dataclass(frozen=True)
class Contents:
    subjects: Mapping[str, SubjectLoader] = field(default_factory=dict)
    stale: Mapping[str, StaleCheck] = field(default_factory=dict)
    attachments: Mapping[str, AttachmentBuilder] = field(default_factory=dict)
    after_sent: Mapping[type, AfterSent] = field(default_factory=dict)
