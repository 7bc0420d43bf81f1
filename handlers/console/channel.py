"""The local console as a chat channel: a workspace of its own, people by handle.

It sits on the same chat edge as Slack and Teams: a command or a form leaves the same rows
in the database. What Slack posts in a channel or sends by DM is printed here, addressed to
whom it is for.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from handlers.chat.delivery import deliver_due
from handlers.chat.dispatch import Core, Turn, run_command
from handlers.chat.forms import submit_form
from handlers.chat.outcome import (
    Announce,
    DeliverNow,
    Notify,
    OpenForm,
    Outcome,
    RefreshHome,
    RefreshLive,
    SendFile,
)
from handlers.console.notifier import ConsoleNotifier
from handlers.console.render import LOCAL_URL, render, render_error
from models import Person, Platform
from services.commands.results import FormResult
from services.core import people
from services.core.errors import DomainError, InvalidInput
from services.core.forms import FormRequest, Raw
from services.core.people import Mention

log = logging.getLogger(__name__)

CONSOLE_WORKSPACE_ID = "local"
HANDLE_RE = re.compile(r"^[A-Za-z0-9][\w.\-]{0,79}$")
OOPS = (
    "Something went wrong on my side and nothing was saved. "
    "Try again; if it keeps happening, run with --verbose and report the log."
)


@dataclass(frozen=True)
class Reply:
    ok: bool
    text: str
    form: FormRequest | None = None  # a form the caller may fill in (a guided prompt)


def system_now() -> datetime:
    """The real current time, aware UTC."""
    return datetime.now(UTC)


class ConsolePeople:
    """How the console names people: by handle (`@maria`, or `maria` in a form)."""

    def resolve(self, session: Session, workspace_id: int, mention: Mention) -> Person:
        """A person known in the console workspace."""
        return people.resolve_mention(session, workspace_id=workspace_id, mention=mention)

    def mention(self, raw: str) -> Mention:
        """A person as typed in a guided form."""
        return Mention(handle=raw.strip().lstrip("@").lower())


class ConsoleChannel:
    """Runs what is typed in the console as a named person and prints what follows."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        defaults: people.PersonDefaults | None = None,
        clock: Callable[[], datetime] = system_now,
        echo: Callable[[str], None] = print,
        public_url: str = LOCAL_URL,
        downloads: Path | None = None,
    ) -> None:
        """`downloads`: where files sent to the person (exports) are saved; None: not saved."""
        self.sessions = sessions
        self.downloads = downloads
        self.defaults = defaults or people.PersonDefaults()
        self.clock = clock
        self.echo = echo
        self.public_url = public_url
        self.core = Core(sessions, self._now)
        self.zones: dict[str, str] = {}  # each console person's zone, as last seen

    def _now(self) -> datetime:
        return self.clock()

    def turn(self, handle: str) -> Turn:
        """The console person `handle` (created on first use) as a turn of this channel."""
        if not HANDLE_RE.match(handle):
            raise InvalidInput(
                f"{handle!r} can't be a console name.", "Use letters, digits, dots and dashes."
            )
        now = self.clock()
        with self.sessions.begin() as s:
            ws = people.ensure_workspace(
                s,
                platform=Platform.CONSOLE,
                external_id=CONSOLE_WORKSPACE_ID,
                name="Local console",
                now=now,
            )
            person = s.scalar(
                select(Person).where(
                    Person.workspace_id == ws.id, Person.external_id == handle.lower()
                )
            ) or people.upsert_person(
                s,
                workspace_id=ws.id,
                external_id=handle.lower(),
                handle=handle.lower(),
                display_name=handle.capitalize(),
                now=now,
                defaults=self.defaults,
            )
            self.zones[handle.lower()] = person.timezone
            return Turn(ws.id, person.id, "console", ConsolePeople())

    def run(self, handle: str, text: str, *, interactive: bool = False) -> Reply:
        """Run one command as `handle`; a failed command changes nothing. A command that
        opens a form returns it for an interactive console to ask; otherwise says so."""

        def work() -> Reply:
            turn = self.turn(handle)
            reply = self._show(run_command(self.core, turn, text), self.zones[handle.lower()])
            if reply.form is not None and not interactive and not reply.text:
                return Reply(True, render(FormResult(reply.form)))
            return reply

        return self._guarded(work)

    def submit(self, handle: str, request: FormRequest, values: Mapping[str, Raw]) -> Reply:
        """Submit a filled-in form; field errors are raised for the prompt to re-ask."""
        # The console is no chat channel: nothing made here gets it as a home channel.
        ref = {**request.ref, "channel": None}
        outcome = submit_form(self.core, self.turn(handle), request.form.id, values, ref)
        return self._show(outcome, self.zones[handle.lower()])

    def _guarded(self, work: Callable[[], Reply]) -> Reply:
        try:
            return work()
        except DomainError as err:
            return Reply(False, render_error(err))
        except Exception:
            log.exception("console command failed")
            return Reply(False, OOPS)

    def _show(self, outcome: Outcome, tz: str = "UTC") -> Reply:
        """The reply text, with what Slack would post elsewhere printed as addressed here
        (times in the reader's zone `tz`)."""
        lines: list[str] = []
        if outcome.result is not None:
            lines.append(render(outcome.result, public_url=self.public_url, tz=tz))
        form = None
        for f in outcome.follow_ups:
            match f:
                case OpenForm(request):
                    form = request
                case Announce(result, channel):
                    if result is not outcome.result:
                        lines.append(render(result, public_url=self.public_url, tz=tz))
                    if channel and channel != "console":
                        lines.append(f"(posted to #{channel})")
                case Notify(person, result):
                    first = render(result, tz=tz).splitlines()[0]
                    lines.append(f"To @{person.handle}: {first}")
                case DeliverNow():
                    deliver_due(
                        self.sessions,
                        ConsoleNotifier(self.echo),
                        now=self.clock(),
                        clock=self.clock,
                    )
                case SendFile(filename, _title, content) if self.downloads is not None:
                    path = self.downloads / Path(filename).name
                    path.write_bytes(content)
                    lines.append(f"(saved to {path})")
                case RefreshHome() | RefreshLive() | SendFile():
                    pass  # no home tab or live message here; exports print as the reply
        return Reply(True, "\n".join(lines), form)
