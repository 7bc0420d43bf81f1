"""Everyone's own settings: time zone, working hours, working days and quiet hours.

Reminders come at the start of your working day, on your working days, never in your quiet
hours; dates you type are read in your zone and times are shown in it. Each change is
audited; a daily digest time that no longer fits the new hours goes back to their start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy.orm import Session

from models import Person
from services.core import audit
from services.core.access import Actor
from services.core.dates import parse_time
from services.core.errors import InvalidInput
from services.core.worktime import in_quiet
from services.people.directory import PersonCard, card_of, check_zone

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_WORDS = {
    "weekdays": "12345",
    "mon-fri": "12345",
    "everyday": "1234567",
    "every day": "1234567",
    "all": "1234567",
}
RANGE = re.compile(r"^\s*(\S+?)\s*(?:-|–|to|until)\s*(\S+)\s*$")
FIELDS = ("timezone", "hours", "days", "quiet")
OFF = ("off", "none", "no", "clear")


@dataclass(frozen=True)
class MySettings:
    card: PersonCard
    digest_enabled: bool
    digest_at: time | None
    note: str = ""  # what else a change did (a digest time moved back)


def settings_of(session: Session, actor: Actor, *, now: datetime, note: str = "") -> MySettings:
    me = session.get(Person, actor.person_id)
    assert me is not None
    return MySettings(card_of(session, actor, now=now), me.digest_enabled, me.digest_at, note)


def read_days(text: str) -> str:
    """`mon-thu`, `sun-thu`, `mon,tue,thu`, `weekdays` or ISO digits as ISO weekday digits."""
    low = " ".join(text.strip().lower().split())
    if low in DAY_WORDS:
        return DAY_WORDS[low]
    if re.fullmatch(r"[1-7]{1,7}", low):
        return "".join(sorted(set(low)))
    days: set[int] = set()
    for part in re.split(r"[,\s]+", low):
        if not part:
            continue
        span = RANGE.match(part)
        if span:
            a, b = _day(span.group(1), text), _day(span.group(2), text)
            d = a
            while True:
                days.add(d)
                if d == b:
                    break
                d = d % 7 + 1
        else:
            days.add(_day(part, text))
    return "".join(str(d) for d in sorted(days))


def _day(word: str, text: str) -> int:
    key = word[:3]
    if key not in DAY_NAMES:
        raise InvalidInput(
            f"I couldn't read {text[:40]!r} as working days.",
            "e.g. `me days mon-thu`, `me days sun-thu` or `me days mon,tue,thu`.",
        )
    return DAY_NAMES.index(key) + 1


def read_span(text: str, what: str) -> tuple[time, time]:
    """`08:00-16:30` (or `8 to 4:30pm`) as two times."""
    m = RANGE.match(text)
    if not m:
        raise InvalidInput(
            f"I couldn't read {text[:40]!r} as {what}.", f"Write it like `me {what} 08:00-16:30`."
        )
    return parse_time(m.group(1)), parse_time(m.group(2))


def reachable(
    work_start: time, work_end: time, quiet_start: time | None, quiet_end: time | None
) -> bool:
    """Whether some minute of the working day lies outside the quiet hours."""
    minute = work_start.hour * 60 + work_start.minute
    end = work_end.hour * 60 + work_end.minute
    while minute < end:
        if not in_quiet(time(minute // 60, minute % 60), quiet_start, quiet_end):
            return True
        minute += 1
    return False


def change(session: Session, actor: Actor, *, field: str, value: str, now: datetime) -> MySettings:
    """Change one of the actor's own settings."""
    me = session.get(Person, actor.person_id)
    assert me is not None
    keep = ("timezone", "working_days", "work_start", "work_end", "quiet_start", "quiet_end")
    before = audit.snapshot(me, (*keep, "digest_at"))
    note = ""
    if field == "timezone":
        if value.strip().lower() in ("auto", "profile", "platform"):
            me.timezone_pinned = False  # the platform profile's zone applies again
        else:
            me.timezone, me.timezone_pinned = check_zone(value), True
    elif field == "hours":
        start, end = read_span(value, "hours")
        if end <= start:
            raise InvalidInput(
                "Working hours end after they start, on the same day.", "e.g. me hours 08:00-16:30"
            )
        if not reachable(start, end, me.quiet_start, me.quiet_end):
            raise InvalidInput(
                "Those hours lie inside your quiet hours.", "Change `me quiet` first."
            )
        me.work_start, me.work_end = start, end
    elif field == "days":
        me.working_days = read_days(value)
    elif field == "quiet":
        if value.strip().lower() in OFF:
            me.quiet_start = me.quiet_end = None
        else:
            start, end = read_span(value, "quiet")
            if start == end:
                raise InvalidInput("Quiet hours need a start and an end that differ.")
            if not reachable(me.work_start, me.work_end, start, end):
                raise InvalidInput(
                    f"Those quiet hours cover your whole working day "
                    f"({me.work_start:%H:%M}-{me.work_end:%H:%M}); nothing could reach you.",
                    "Pick quiet hours outside most of your day, e.g. me quiet 18:00-08:00.",
                )
            me.quiet_start, me.quiet_end = start, end
    else:
        raise InvalidInput(f"`me` has no {field!r}.", "Use: timezone, hours, days or quiet.")
    if me.digest_at is not None and not me.work_start <= me.digest_at < me.work_end:
        note = (
            f"Your daily digest moved back to the start of your day ({me.work_start:%H:%M}); "
            f"{me.digest_at:%H:%M} is outside your hours."
        )
        me.digest_at = None
    session.flush()
    audit.record_by(
        session,
        actor,
        entity_type="person",
        entity_id=me.id,
        action=f"me_{field}",
        before=before,
        after=audit.snapshot(me, (*keep, "digest_at")),
        now=now,
    )
    return settings_of(session, actor, now=now, note=note)
