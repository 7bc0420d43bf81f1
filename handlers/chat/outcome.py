"""What running something in chat produced: a result for the person, how to show it, and
the follow-ups a channel carries out after it answered (each in its own way)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from services.commands.results import Result
from services.core.forms import FormRequest
from services.core.views import PersonRef


class Reply(enum.StrEnum):
    """How the result reaches people."""

    PRIVATE = "private"  # only the person who asked (Slack: ephemeral; Teams: their chat)
    CHANNEL = "channel"  # everyone where it was asked
    REPLACE = "replace"  # the message the button was on, updated in place
    NONE = "none"  # nothing now (a form opens, a follow-up answers)


@dataclass(frozen=True)
class OpenForm:
    """Show a form (a modal, a dialog, a guided prompt)."""

    request: FormRequest


@dataclass(frozen=True)
class Announce:
    """Post a result for others to see: in `channel`, or (None) in the actor's own chat. A
    channel that refuses falls back to the actor's chat, saying why."""

    result: Result
    channel: str | None


@dataclass(frozen=True)
class Notify:
    """Tell one person, in their own chat."""

    person: PersonRef
    result: Result


@dataclass(frozen=True)
class RefreshHome:
    """Bring a person's home (App Home, the personal "My work" card) up to date."""

    person: PersonRef


@dataclass(frozen=True)
class RefreshLive:
    """Update the live minutes message in place (or, `post_in`, post it there first)."""

    minutes_id: int
    post_in: str | None = None


@dataclass(frozen=True)
class DeliverNow:
    """Send what the outbox holds for this workspace now (final minutes, owners' notices)."""

    workspace_id: int


@dataclass(frozen=True)
class SendFile:
    """Send the actor a file in their own chat."""

    filename: str
    title: str
    content: bytes


FollowUp = OpenForm | Announce | Notify | RefreshHome | RefreshLive | DeliverNow | SendFile


@dataclass(frozen=True)
class Outcome:
    result: Result | None
    reply: Reply
    follow_ups: tuple[FollowUp, ...] = ()

    def forms(self) -> list[FormRequest]:
        """The forms this outcome opens."""
        return [f.request for f in self.follow_ups if isinstance(f, OpenForm)]
