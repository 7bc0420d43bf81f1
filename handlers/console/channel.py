"""Run commands typed in the local console as a named person."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import session_scope
from handlers.console.render import render, render_error
from models import Person, Platform
from services.commands.execute import run_text
from services.commands.results import StatusResult
from services.core import people
from services.core.access import actor_for
from services.core.errors import DomainError, InvalidInput

log = logging.getLogger(__name__)

CONSOLE_WORKSPACE_ID = "local"
HANDLE_RE = re.compile(r"^[A-Za-z0-9][\w.\-]{0,79}$")


@dataclass(frozen=True)
class Reply:
    ok: bool
    text: str
    form: str | None = None  # a project key: the caller may run the guided status form


def system_now() -> datetime:
    """The real current time, aware UTC."""
    return datetime.now(UTC)


class ConsoleChannel:
    """The console as a chat channel: a workspace of its own, people by handle."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        defaults: people.PersonDefaults | None = None,
        clock: Callable[[], datetime] = system_now,
    ) -> None:
        self.sessions = sessions
        self.defaults = defaults or people.PersonDefaults()
        self.clock = clock

    def _person(self, session: Session, handle: str, now: datetime) -> Person:
        if not HANDLE_RE.match(handle):
            raise InvalidInput(
                f"{handle!r} can't be a console name.", "Use letters, digits, dots and dashes."
            )
        ws = people.ensure_workspace(
            session,
            platform=Platform.CONSOLE,
            external_id=CONSOLE_WORKSPACE_ID,
            name="Local console",
            now=now,
        )
        existing = session.scalar(
            select(Person).where(Person.workspace_id == ws.id, Person.external_id == handle.lower())
        )
        if existing is not None:
            return existing
        return people.upsert_person(
            session,
            workspace_id=ws.id,
            external_id=handle.lower(),
            handle=handle.lower(),
            display_name=handle.capitalize(),
            now=now,
            defaults=self.defaults,
        )

    def run(self, handle: str, text: str) -> Reply:
        """Run one command as `handle`; a failed command changes nothing."""
        now = self.clock()
        try:
            with session_scope(self.sessions) as session:
                person = self._person(session, handle, now)
                result = run_text(
                    session, actor_for(session, person), text, now=now, channel="console"
                )
                out = render(result)
                if isinstance(result, StatusResult) and result.event == "form":
                    return Reply(True, out, form=result.key)
        except DomainError as err:
            return Reply(False, render_error(err))
        except Exception:
            log.exception("console command failed: %r", text[:200])
            return Reply(
                False,
                "Something went wrong on my side and nothing was saved. "
                "Try again; if it keeps happening, run with --verbose and report the log.",
            )
        return Reply(True, out)


STATUS_PROMPTS = [
    ("overall", "Overall RAG (green/amber/red)"),
    ("schedule", "Schedule RAG (or -)"),
    ("scope", "Scope RAG (or -)"),
    ("budget", "Budget RAG (or -)"),
    ("resources", "Resources RAG (or -)"),
    ("percent_complete", "% complete (or -)"),
    ("summary", "Summary"),
    ("highlights", "Highlights"),
    ("blockers", "Blockers"),
    ("escalate", "Escalate the blockers to the PMO? (y/n)"),
    ("asks", "Asks (decisions or help needed)"),
    ("next_steps", "Next steps"),
]


def guided_status(
    channel: ConsoleChannel, handle: str, key: str, ask: Callable[[str, str], str]
) -> Reply:
    """Ask for each part of the update (Enter keeps last week's answer), then submit it."""
    from services.status import update as status

    now = channel.clock()
    try:
        with session_scope(channel.sessions) as session:
            person = channel._person(session, handle, now)
            actor = actor_for(session, person)
            project, prev = status.prefill(session, actor, key=key)
            values: dict[str, object] = {}
            for name, label in STATUS_PROMPTS:
                old = getattr(prev, name) if prev else None
                shown = getattr(old, "value", old)
                default = "" if shown is None else str(shown)
                if isinstance(shown, bool):
                    default = "y" if shown else "n"
                raw = ask(label, default).strip()
                if name == "overall":
                    values[name] = status.parse_rag(raw or default)
                elif name in ("schedule", "scope", "budget", "resources"):
                    values[name] = None if raw in ("", "-") else status.parse_rag(raw)
                elif name == "percent_complete":
                    try:
                        values[name] = None if raw in ("", "-") else int(raw.rstrip("%"))
                    except ValueError:
                        raise InvalidInput(f"{raw!r} is not a percentage.") from None
                elif name == "escalate":
                    values[name] = raw.lower() in ("y", "yes", "true")
                else:
                    values[name] = raw
            fields_ = status.UpdateFields(**values)  # type: ignore[arg-type]
            view, note = status.submit(session, actor, key=project.key, fields_=fields_, now=now)
            out = render(StatusResult(view, "submitted" if view.version == 1 else "edited", note))
    except DomainError as err:
        return Reply(False, render_error(err))
    return Reply(True, out)
