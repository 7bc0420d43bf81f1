"""The outbound port: what a message says and who gets it, independent of the platform and of
the feature that queued it. A channel's notifier renders a `Bundle`; the features fill it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Protocol

from services.core.refs import Text, from_json, to_json
from services.outbox.kinds import DigestKind, ReminderRule


@dataclass(frozen=True)
class Reminder:
    """One line of a bundled reminder."""

    rule: ReminderRule
    item_id: int
    title: str
    due_on: date | None
    project_key: str | None
    owner_handle: str
    owner_external_id: str
    days_overdue: int = 0
    note: str = ""
    kind: str = "action_item"  # or "deliverable"


@dataclass(frozen=True)
class DigestLine:
    """One entry of a digest: an item or deliverable with its date, or a project's counts."""

    kind: str  # action_item | deliverable | project | text (a paragraph someone wrote)
    id: int
    title: str
    due_on: date | None = None
    project_key: str | None = None
    owner_handle: str = ""
    owner_external_id: str = ""
    overdue_items: int = 0
    overdue_deliverables: int = 0
    escalations: int = 0


@dataclass(frozen=True)
class DigestSection:
    heading: str
    lines: list[DigestLine]
    total: int  # how many there are; `lines` may hold only the first ones


@dataclass(frozen=True)
class Digest:
    """A digest or a notice, as stored in the outbox payload."""

    kind: DigestKind
    title: str
    today: date
    sections: list[DigestSection]
    note: Text = ""  # may name commands and channels (a Phrase)
    project_key: str = ""  # status messages: the project (a "Submit update" button)
    channel: str = ""  # a channel to point to ("see #…")
    ref: str = ""  # what a button on it acts on (a meeting agenda: the occurrence)

    def to_payload(self) -> dict[str, Any]:
        def line(ln: DigestLine) -> dict[str, Any]:
            out = dict(ln.__dict__)
            out["due_on"] = ln.due_on.isoformat() if ln.due_on else None
            return out

        return {
            "kind": self.kind.value,
            "title": self.title,
            "today": self.today.isoformat(),
            "note": to_json(self.note),
            "project_key": self.project_key,
            "channel": self.channel,
            "ref": self.ref,
            "sections": [
                {"heading": s.heading, "total": s.total, "lines": [line(ln) for ln in s.lines]}
                for s in self.sections
            ],
        }

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> Digest:
        def line(ln: dict[str, Any]) -> DigestLine:
            due = date.fromisoformat(ln["due_on"]) if ln.get("due_on") else None
            return DigestLine(**{**ln, "due_on": due})

        return cls(
            kind=DigestKind(p["kind"]),
            title=p["title"],
            today=date.fromisoformat(p["today"]),
            note=from_json(p.get("note", "")),
            project_key=p.get("project_key", ""),
            channel=p.get("channel", ""),
            ref=p.get("ref", ""),
            sections=[
                DigestSection(s["heading"], [line(ln) for ln in s["lines"]], s["total"])
                for s in p["sections"]
            ],
        )


@dataclass(frozen=True)
class Bundle:
    """Everything due for one person (or channel) in one sweep: sent as one message.

    `attachment` is a feature's own content built when the message goes out (a portfolio
    report, final minutes); the channel's notifier knows how to render each kind. `progress`
    says which parts of a multi-part message already went out, so a retry resumes after them.
    """

    workspace_platform: str
    workspace_external_id: str
    recipient_external_id: str  # a person's DM, or a channel
    recipient_timezone: str
    today: date
    reminders: list[Reminder] = field(default_factory=list)
    digests: list[Digest] = field(default_factory=list)
    to_channel: bool = False
    attachment: object | None = None
    progress: dict[str, Any] = field(default_factory=dict)
    # The outbox rows this message delivers: the notifier marks the message with them, so a
    # retry after an answer that never came can see whether it landed (progress "uncertain").
    rows: tuple[int, ...] = ()
    # Where the notifier records a multi-part message's progress as it goes, each time in its
    # own short transaction (the edge provides it): before each part, the parts that went out
    # and the one about to go ("uncertain"), so a retry after a crash looks for that one first.
    checkpoint: Callable[[dict[str, Any]], None] | None = field(
        default=None, compare=False, repr=False
    )
    # The row of each part, reminders then digests, in order: a part the channel can't render
    # is left out of the message and only its row fails (see `REFUSED`).
    part_rows: tuple[int, ...] = ()

    def without(self, parts: set[int]) -> Bundle:
        """This bundle less the parts at these places (reminders first, then digests)."""
        n = len(self.reminders)
        gone = {self.part_rows[i] for i in parts}
        return replace(
            self,
            reminders=[r for i, r in enumerate(self.reminders) if i not in parts],
            digests=[d for i, d in enumerate(self.digests, n) if i not in parts],
            rows=tuple(r for r in self.rows if r not in gone),
            part_rows=tuple(r for i, r in enumerate(self.part_rows) if i not in parts),
        )


# What a notifier's `send` returns for the parts it left out of a message it did send:
# `{REFUSED: {row id: why}}`; those rows fail for good, the others are sent.
REFUSED = "refused"


class DeliveryError(Exception):
    """The platform refused a message. `permanent` ones are not retried.

    `progress` says which parts of a multi-part message (a report) did go out, so a retry
    resumes after them instead of posting them twice.
    """

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        progress: dict[str, Any] | None = None,
    ):
        super().__init__(reason)
        self.reason, self.permanent, self.retry_after = reason, permanent, retry_after
        self.progress = progress


class Notifier(Protocol):
    def send(self, bundle: Bundle) -> dict[str, Any] | None:
        """Deliver one bundle or raise DeliveryError; may say where it landed
        (`{"channel": …, "ts": [...]}`) so the message can be edited later, and which parts
        it left out (`{REFUSED: {row: why}}`)."""
        ...
