"""What every command runs with: the session, who acts, when, where, and how mentions resolve."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from models import Person
from services.core.access import Actor
from services.core.dates import DateSense, local_today, read_date
from services.core.people import Mention, resolve_mention

MentionResolver = Callable[[Session, int, Mention], Person]


def default_resolver(session: Session, workspace_id: int, mention: Mention) -> Person:
    """Resolve a mention against people already known in the workspace."""
    return resolve_mention(session, workspace_id=workspace_id, mention=mention)


@dataclass(frozen=True)
class Ctx:
    """One command's surroundings; the edge owns the transaction `session` belongs to."""

    session: Session
    actor: Actor
    now: datetime
    resolve: MentionResolver = default_resolver
    channel: str | None = None  # where it was typed, when that matters (minutes)

    @property
    def today(self) -> date:
        """Today in the actor's zone."""
        return local_today(self.now, self.actor.timezone)

    def person(self, mention: Mention) -> Person:
        """The person a mention names (the channel decides how: a Slack id, a handle)."""
        return self.resolve(self.session, self.actor.workspace_id, mention)

    @property
    def sense(self) -> DateSense:
        """How the actor reads dates: their zone, their date order, now."""
        return self.actor.sense(self.now)

    def day(self, text: str, *, allow_past: bool = False) -> date:
        """A date as typed, read for the actor (`read_date`); past dates only if allowed."""
        return read_date(text, self.sense, allow_past=allow_past)

    def me(self) -> Person:
        """The acting person."""
        me = self.session.get(Person, self.actor.person_id)
        assert me is not None
        return me
