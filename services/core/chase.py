"""Chasing an answer someone owes (an approval, a sign-off, a reply), the way action items are
chased: a heads-up on the working day before it is due, a reminder on the due day, a chaser on
every working day after, and an escalation once it is `escalate_after` working days overdue —
each decided on the recipient's own calendar. Pure: no database."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.core.worktime import WorkWeek


class Step(enum.StrEnum):
    HEADS_UP = "heads_up"
    DUE = "due"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Chase:
    """What is due today about one open ask: a step for the person who owes the answer (or
    None), how many working days it is overdue, and whether it is to be escalated."""

    step: Step | None
    days_overdue: int
    escalate: bool
    today: date


def chase(
    ww: WorkWeek,
    due: date,
    now: datetime,
    *,
    heads_up: bool = True,
    escalate_after: int = 2,
) -> Chase:
    """The chase of an ask due on `due`, at `now`, for someone working `ww`. Steps happen only
    inside their working window and not while they are on leave (escalation still happens)."""
    today = ww.local(now).date()
    over = ww.working_days_between(due, today) if today > due else 0
    step: Step | None = None
    if heads_up and today < due and today == ww.previous_working_day(due):
        step = Step.HEADS_UP
    elif today == due:
        step = Step.DUE
    elif today > due:
        step = Step.OVERDUE
    if step is not None and (not ww.in_window(now) or ww.on_leave(today)):
        step = None
    return Chase(step, over, over >= escalate_after, today)


def add_working_days(ww: WorkWeek, start: date, n: int) -> date:
    """The `n`th working day after `start` (in `ww`)."""
    d, left = start, n
    for _ in range(n * 7 + 14):
        if left <= 0:
            break
        d += timedelta(days=1)
        left -= ww.is_working_day(d)
    return d
