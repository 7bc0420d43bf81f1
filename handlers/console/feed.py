"""What the sweeps send, as the local console shows it: everything that falls due, addressed
to whom it is for — in full for the person you are acting as, one line for everyone else
(`feed full` shows everyone's in full). Each batch is stamped with the local clock's time in
your zone, so a moved clock reads like a diary."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from handlers.console.notifier import bundle_text
from handlers.console.text import plural, words
from services.core.dates import zone
from services.meetings.outbox import FinalMinutes
from services.outbox.port import Bundle
from services.status.report import Report


def addressee(bundle: Bundle) -> str:
    """`@maria` for a direct message, `#channel` for a channel post."""
    to = bundle.recipient_external_id
    if bundle.to_channel:
        return to if to.startswith("#") else f"#{to}"
    return f"@{to}"


def brief(bundle: Bundle) -> str:
    """One line saying what a message holds."""
    to = addressee(bundle)
    if isinstance(bundle.attachment, Report):
        return f"To {to}: the portfolio report of {bundle.attachment.period}."
    if isinstance(bundle.attachment, FinalMinutes):
        return f"To {to}: the minutes of {bundle.attachment.minutes.title}."
    parts: list[str] = []
    if bundle.reminders:
        first = bundle.reminders[0]
        more = len(bundle.reminders) - 1
        parts.append(
            f"{plural(len(bundle.reminders), 'reminder')} (#{first.item_id} {first.title}"
            + (f" and {more} more" if more else "")
            + ")"
        )
    for d in bundle.digests:
        entries = sum(s.total for s in d.sections)
        note = f" — {words(d.note)}" if d.note and not d.sections else ""
        count = f" ({plural(entries, 'entry', 'entries')})" if entries else ""
        parts.append(f"{d.title}{count}{note}")
    return f"To {to}: " + "; ".join(parts or ["a message"])


class LocalFeed:
    """The Notifier of local mode: prints each bundle as it is delivered."""

    def __init__(
        self,
        echo: Callable[[str], None],
        *,
        reader: Callable[[], tuple[str, str]],
    ) -> None:
        """`reader` says who is at the keyboard now: (handle, time zone)."""
        self.echo = echo
        self.reader = reader
        self.full = False
        self._stamp: str | None = None
        self._lock = threading.Lock()

    def at(self, now: datetime) -> None:
        """Start a batch delivered at `now`: its first message prints the time first."""
        _, tz = self.reader()
        with self._lock:
            t = now.astimezone(zone(tz))
            self._stamp = f"── {t:%a} {t.day} {t:%b %H:%M} ──"

    def send(self, bundle: Bundle) -> None:
        handle, _ = self.reader()
        mine = not bundle.to_channel and bundle.recipient_external_id == handle
        text = bundle_text(bundle) if (mine or self.full) else brief(bundle)
        with self._lock:
            stamp, self._stamp = self._stamp, None
        self.echo(f"{stamp}\n{text}" if stamp else text)
