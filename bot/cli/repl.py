"""The local console's read-eval-print loop: commands of the language, guided forms, and the
console's own words — `as NAME`, `clock …`, `person add …`, `feed full|brief`, `quit`.

What the sweeps deliver while you type is printed above the prompt, and the line you were
typing is shown again. Ctrl-C clears the line (or cancels a form); Ctrl-D or `quit` leaves.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.local import LocalMode
from handlers.console import prompt
from handlers.console.channel import CONSOLE_WORKSPACE_ID, ConsoleChannel, Reply
from handlers.console.clock import target
from handlers.console.everyday import days_text, span
from handlers.console.render import render_error
from models import Person, Platform, Workspace
from services.commands.parse.core import tokenize
from services.core.access import actor_for
from services.core.dates import zone
from services.core.errors import DomainError, InvalidInput, NotFound
from services.core.people import Mention, PersonDefaults, resolve_mention
from services.people.directory import add_person

try:  # line editing and history where the platform has it
    import readline
except ImportError:  # pragma: no cover (Windows without pyreadline)
    readline = None  # type: ignore[assignment]

PERSON_ADD = 'person add @handle "Full Name" tz:Area/City'


def is_local(text: str) -> bool:
    """Whether a line is one of the console's own words rather than a command."""
    words = text.lower().split()
    return bool(words) and (
        words[0] in ("as", "clock", "feed") or words[:2] in (["person", "add"], ["people", "add"])
    )


class Screen:
    """Prints what arrives while someone types without mangling their line."""

    def __init__(self, write: Callable[[str], object] | None = None) -> None:
        self._write = write or (lambda text: sys.stdout.write(text))  # the stdout of the moment
        self._prompt: str | None = None
        self.lock = threading.Lock()

    def out(self, text: str) -> None:
        with self.lock:
            waiting = self._prompt
            if waiting is not None and sys.stdout.isatty():
                typed = readline.get_line_buffer() if readline else ""
                self._write(f"\r\x1b[K{text}\n{waiting}{typed}")
            else:
                self._write(f"{text}\n" if waiting is None else f"\n{text}\n{waiting}")
            sys.stdout.flush()

    def ask(self, prompt_text: str) -> str:
        with self.lock:
            self._prompt = prompt_text
        try:
            return input(prompt_text)
        finally:
            with self.lock:
                self._prompt = None


class Repl:
    """One console session: who is typing, the channel, and local mode's sweeps."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        channel: ConsoleChannel,
        handle: str,
        *,
        screen: Screen,
        local: LocalMode | None = None,
        defaults: PersonDefaults | None = None,
    ) -> None:
        self.sessions = sessions
        self.channel = channel
        self.handle = handle
        self.screen = screen
        self.local = local
        self.defaults = defaults or PersonDefaults()
        self.tz = "UTC"
        self._own_lock = threading.RLock()

    @property
    def lock(self) -> threading.RLock:
        """Held while a command runs, so a sweep never prints in the middle of it."""
        return self.local.lock if self.local is not None else self._own_lock

    def reader(self) -> tuple[str, str]:
        """Who is at the keyboard: (handle, time zone)."""
        return self.handle, self.tz

    def refresh_zone(self) -> None:
        """Read the time zone of the person at the keyboard again."""
        with self.sessions() as s:
            ws = self._workspace(s)
            tz = s.scalar(
                select(Person.timezone).where(
                    Person.workspace_id == (ws.id if ws else -1), Person.external_id == self.handle
                )
            )
        self.tz = tz or self.defaults.timezone

    @staticmethod
    def _workspace(s: Session) -> Workspace | None:
        return s.scalar(
            select(Workspace).where(
                Workspace.platform == Platform.CONSOLE,
                Workspace.external_id == CONSOLE_WORKSPACE_ID,
            )
        )

    def loop(self) -> None:
        """Read and run lines until `quit` or end of input."""
        self.refresh_zone()
        moved = (
            " and `clock +1d` to move time forward" if self.local and not self.local.blocked else ""
        )
        self.screen.out(
            f"PMO Bot local console — you are @{self.handle}. Type `help`, `as <name>` to switch "
            f"person{moved}, `quit` to leave."
        )
        if self.local is not None:
            if self.local.blocked:
                self.screen.out(self.local.blocked)
            self.local.start()
        try:
            while True:
                try:
                    line = self.screen.ask(f"{self.handle}> ")
                except EOFError:
                    self.screen.out("")
                    return
                except KeyboardInterrupt:
                    self.screen.out("\n(Ctrl-D or `quit` leaves the console.)")
                    continue
                if not self.one(line):
                    return
        finally:
            if self.local is not None:
                self.local.stop()

    def one(self, line: str) -> bool:
        """Run one line; False when it asks to leave."""
        text = line.strip()
        if not text:
            return True
        word = text.split()[0].lower()
        if word in ("quit", "exit", ":q"):
            return False
        if text.startswith("/pmo"):
            text = text[4:].strip()
        if is_local(text):
            self.local_word(text)
        else:
            self.command(text)
        return True

    def local_word(self, text: str) -> bool:
        """Run one of the console's own words; False (after saying why) when it failed."""
        word = text.split()[0].lower()
        words = {"as": self.switch, "clock": self.clock, "feed": self.feed}
        try:
            if word in words:
                words[word](text[len(word) :].strip())
            else:
                self.add(text.split(None, 2)[2] if len(text.split()) > 2 else "")
        except DomainError as err:
            self.screen.out(render_error(err))
            return False
        return True

    def command(self, text: str) -> None:
        """A command of the language, its form if it opens one, then what falls due."""
        with self.lock:
            reply = self.channel.run(self.handle, text, interactive=True)
        if reply.text:
            self.screen.out(reply.text)
        form = reply.form
        if form is not None and reply.text and not self._yes("Change them? [y/N] "):
            form = None
        if form is not None:
            self.screen.out(
                f"{form.form.title} (Enter keeps the value in brackets, `back` goes back, "
                "`skip` leaves an optional field empty, `-` clears, Ctrl-C cancels):"
            )
            filled = prompt.fill(
                form,
                self._ask_field,
                functools.partial(self._submit, form),
                echo=self.screen.out,
            )
            self.screen.out(filled.text)
        self.refresh_zone()
        if self.local is not None:
            self.local.sweep()

    def _submit(self, form: object, values: dict) -> Reply:
        with self.lock:
            return self.channel.submit(self.handle, form, values)  # type: ignore[arg-type]

    def _ask_field(self, label: str, default: str) -> str:
        shown = f" [{default}]" if default else ""
        return self.screen.ask(f"  {label}{shown}: ")

    def _yes(self, question: str) -> bool:
        try:
            return self.screen.ask(question).strip().lower() in ("y", "yes")
        except (KeyboardInterrupt, EOFError):
            self.screen.out("")
            return False

    def switch(self, name: str) -> None:
        """`as NAME`: act as someone the bot knows (the nearest name is suggested)."""
        name = name.strip().lstrip("@").lower()
        if not name:
            raise InvalidInput("Who do you want to be?", "e.g. `as maria` (`people` lists them).")
        with self.sessions() as s:
            ws = self._workspace(s)
            if ws is None:
                raise NotFound("Nobody is here yet.", f"Add someone: `{PERSON_ADD}`.")
            try:
                person = resolve_mention(s, workspace_id=ws.id, mention=Mention(handle=name))
            except NotFound as err:
                hint = f"{err.hint} " if err.hint and "Did you mean" in str(err.hint) else ""
                raise NotFound(
                    f"There is no one called @{name} here, so you are still @{self.handle}.",
                    f"{hint}`people` lists everyone; `{PERSON_ADD}` adds someone.",
                ) from None
            self.handle, self.tz = person.external_id, person.timezone
        self.screen.out(f"You are now @{self.handle} ({person.display_name}, {self.tz}).")

    def add(self, rest: str) -> None:
        """`person add @tom "Tom Lee" tz:Europe/London`."""
        tokens = tokenize(rest)
        if not tokens:
            raise InvalidInput("Who should I add?", f"Use: `{PERSON_ADD}`.")
        handle = tokens[0].text
        tz = next((t.text[3:] for t in tokens[1:] if t.text.lower().startswith("tz:")), None)
        name = " ".join(t.text for t in tokens[1:] if not t.text.lower().startswith("tz:"))
        with self.lock, self.sessions.begin() as s:
            ws = self._workspace(s)
            me = s.scalar(
                select(Person).where(
                    Person.workspace_id == (ws.id if ws else -1), Person.external_id == self.handle
                )
            )
            if me is None:
                raise NotFound("I couldn't work out who you are.", "Switch with `as <name>`.")
            card = add_person(
                s,
                actor_for(s, me),
                handle=handle,
                name=name,
                timezone=tz,
                now=self.channel.clock(),
                defaults=self.defaults,
            )
        p = card.person
        self.screen.out(
            f"Added @{p.handle} ({p.display_name}, {card.timezone}, "
            f"{days_text(card.working_days)} {span(card.work_start, card.work_end)}). "
            f"`as {p.handle}` acts as them."
        )

    def clock(self, text: str) -> None:
        """`clock` shows the local time; `clock +3d`, `clock next thu 10:00` move it on."""
        now = self.channel.clock()
        if not text:
            self.screen.out(self._time_line(now))
            return
        if self.local is None or self.local.blocked:
            raise InvalidInput(
                "The clock moves only in local mode.",
                self.local.blocked if self.local and self.local.blocked else None,
            )
        to = target(text, now=now, tz=self.tz)
        there = to.astimezone(zone(self.tz))
        self.screen.out(f"Moving the clock to {there:%a} {there.day} {there:%b %H:%M}…")
        self.local.advance(to)
        self.screen.out(self._time_line(self.channel.clock()))

    def _time_line(self, now: datetime) -> str:
        here = now.astimezone(zone(self.tz))
        lead = self.local.clock.moved if self.local else None
        ahead = ""
        if lead:
            days, hours = lead.days, lead.seconds // 3600
            bits = [f"{days} day{'s' if days != 1 else ''}"] if days else []
            bits += [f"{hours} hour{'s' if hours != 1 else ''}"] if hours or not days else []
            ahead = f", {' '.join(bits)} ahead of the real time (`pmo-bot demo` starts over)"
        return f"Local clock: {here:%a} {here.day} {here:%b %Y %H:%M} ({self.tz}){ahead}."

    def feed(self, text: str) -> None:
        """`feed full` prints everyone's messages in full; `feed brief` one line each."""
        if self.local is None:
            raise InvalidInput("Nothing is swept here.")
        choice = text.strip().lower()
        if choice not in ("full", "brief"):
            raise InvalidInput("Use `feed full` or `feed brief`.")
        self.local.feed.full = choice == "full"
        self.screen.out(
            "Everyone's messages print in full."
            if self.local.feed.full
            else "Messages for others print in one line; yours in full."
        )
