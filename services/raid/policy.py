"""A workspace's RAID policy: the score bands (default 15–25 red, 5–14 amber, 1–4 green), how
often risks are reviewed in each band, and how many review reminders a person gets a day.
Changed with `settings raid …` by admins and PMO leads; each change audited."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models import Rag, Workspace
from services.core import audit
from services.core.access import Actor
from services.core.errors import InvalidInput, NotFound, PermissionDenied
from services.core.refs import Cmd, phrase

SETTINGS_KEY = "raid"


@dataclass(frozen=True)
class RaidPolicy:
    red: int = 15  # a score from here up is red
    amber: int = 5  # from here up (below red) amber; below it green
    review_red: int = 7  # days between reviews of a risk in each band
    review_amber: int = 14
    review_green: int = 30
    budget: int = 5  # review reminders a person gets a day, at most (the rest wait)

    @classmethod
    def from_settings(cls, settings: dict[str, Any] | None) -> RaidPolicy:
        raw = (settings or {}).get(SETTINGS_KEY) or {}
        known = {f.name for f in fields(cls)}
        return replace(cls(), **{k: int(v) for k, v in raw.items() if k in known})

    def band(self, score: int | None) -> Rag | None:
        """The band a score falls in (None for an unscored entry)."""
        if score is None:
            return None
        if score >= self.red:
            return Rag.RED
        return Rag.AMBER if score >= self.amber else Rag.GREEN

    def review_days(self, band: Rag | None) -> int:
        """Days between reviews in a band."""
        if band == Rag.RED:
            return self.review_red
        return self.review_amber if band == Rag.AMBER else self.review_green


def policy_of(session: Session, workspace_id: int) -> RaidPolicy:
    ws = session.get(Workspace, workspace_id)
    if ws is None:
        raise NotFound("This workspace is unknown.")
    return RaidPolicy.from_settings(ws.settings)


def _number(word: str, what: str, lo: int, hi: int) -> int:
    if not word.isdigit() or not lo <= int(word) <= hi:
        raise InvalidInput(f"{what} takes a whole number from {lo} to {hi}; {word[:20]!r} isn't.")
    return int(word)


USAGE = phrase(
    "Use ",
    Cmd("settings raid bands 15 5"),
    " (red from 15, amber from 5), ",
    Cmd("settings raid review red 7"),
    " (days between reviews) or ",
    Cmd("settings raid budget 5"),
    " (review reminders a person gets a day).",
)


def change(current: RaidPolicy, words: tuple[str, ...]) -> RaidPolicy:
    """The policy after `settings raid <words>`, or InvalidInput saying the right form."""
    low = [w.lower() for w in words]
    if len(low) == 3 and low[0] in ("bands", "band"):
        red = _number(low[1], "The red band", 2, 25)
        amber = _number(low[2], "The amber band", 2, 25)
        if amber >= red:
            raise InvalidInput(
                f"Amber must start below red ({amber} is not below {red}).",
                phrase("e.g. ", Cmd("settings raid bands 15 5"), "."),
            )
        return replace(current, red=red, amber=amber)
    if len(low) == 3 and low[0] == "review" and low[1] in ("red", "amber", "green"):
        days = _number(low[2], f"The {low[1]} review", 1, 365)
        key = f"review_{low[1]}"
        return replace(current, **{key: days})
    if len(low) == 2 and low[0] in ("budget", "reminders"):
        return replace(current, budget=_number(low[1], "The review budget", 1, 50))
    raise InvalidInput("I couldn't read that RAID setting.", USAGE)


def set_policy(
    session: Session, actor: Actor, *, words: tuple[str, ...], now: datetime
) -> RaidPolicy:
    """Change the workspace's RAID policy (admins and PMO leads)."""
    if not (actor.is_admin or actor.is_pmo_lead):
        raise PermissionDenied(
            "Only an admin or a PMO lead can change the RAID settings.",
            phrase("Ask one of them (", Cmd("admin roles"), ")."),
        )
    ws = session.get(Workspace, actor.workspace_id)
    if ws is None:
        raise NotFound("This workspace is unknown.")
    before = RaidPolicy.from_settings(ws.settings)
    after = change(before, words)
    ws.settings = {**(ws.settings or {}), SETTINGS_KEY: asdict(after)}
    session.flush()
    audit.record_by(
        session,
        actor,
        entity_type="workspace",
        entity_id=ws.id,
        action="raid_settings",
        before=asdict(before),
        after=asdict(after),
        now=now,
    )
    return after
