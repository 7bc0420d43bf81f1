"""The RAID log as plain text for a terminal. Pure: data in, text out."""

from __future__ import annotations

from datetime import date

from handlers.console.text import item_line, when, who
from models import RaidKind
from services.commands.results import (
    RaidEntryResult,
    RaidListResult,
    RaidOfferResult,
    RaidSettingsResult,
)
from services.raid.views import DATE_LABEL, RaidEntryView

BAND = {"red": "RED", "amber": "AMBER", "green": "green"}


def score_text(v: RaidEntryView) -> str:
    """`4×5=20 RED (residual 6)`."""
    if v.score is None:
        return ""
    band = BAND[v.band.value] if v.band else ""
    residual = f" (residual {v.residual_score})" if v.residual_score is not None else ""
    return f"{v.probability}×{v.impact}={v.score} {band}{residual}".strip()


def entry_line(v: RaidEntryView, today: date, *, with_key: bool = True) -> str:
    """One entry on one line."""
    ref = v.full_ref if with_key else v.ref
    parts = [f"{ref} {v.title}"]
    if v.kind == RaidKind.RISK:
        parts.append(("opportunity " if v.opportunity else "") + score_text(v))
    if v.kind == RaidKind.ISSUE and v.severity:
        parts.append(f"{v.severity.value} severity")
    if v.owner:
        parts.append(who(v.owner))
    if v.kind == RaidKind.DECISION:
        parts.append(f"decided {v.decided_on.isoformat() if v.decided_on else '?'}")
        if v.minutes_id:
            parts.append(f"minutes #{v.minutes_id}")
    elif v.is_open and v.next_date:
        parts.append(f"{DATE_LABEL[v.kind]} {when(v.next_date, today)}")
    if v.status.value not in ("open",):
        parts.append(v.status.value)
    flag = "! " if v.due(today) and v.kind != RaidKind.DECISION else "  "
    return flag + " · ".join(p for p in parts if p)


def entry_block(v: RaidEntryView, today: date) -> list[str]:
    """One entry in full, for `raid show`."""
    lines = [f"{v.full_ref} — {v.title}", f"  {v.kind.value} · {v.status.value}"]
    if v.description:
        lines.append(f"  {v.description}")
    if v.category:
        lines.append(f"  Category: {v.category}")
    if v.owner or v.actionee:
        lines.append(
            f"  Owner: {who(v.owner)}" + (f" · actionee {who(v.actionee)}" if v.actionee else "")
        )
    if v.kind == RaidKind.RISK:
        lines.append(f"  Score: {score_text(v)}" + (" · an opportunity" if v.opportunity else ""))
        bits = [
            f"proximity {v.proximity.value.replace('_', ' ')}" if v.proximity else "",
            f"response {v.strategy.value}" if v.strategy else "",
        ]
        if any(bits):
            lines.append("  " + " · ".join(b for b in bits if b))
        if v.history:
            trend = " → ".join(str(h.score) for h in v.history)
            lines.append(f"  Trend: {trend}")
            for h in v.history:
                res = f" (residual {h.residual})" if h.residual else ""
                note = f" — {h.note}" if h.note else ""
                lines.append(
                    f"    {h.at:%Y-%m-%d} {h.probability}×{h.impact}={h.score}{res}"
                    f" by @{h.by}{note}"
                )
    if v.kind == RaidKind.ISSUE:
        bits = [
            f"type {v.issue_type.value}" if v.issue_type else "",
            f"severity {v.severity.value}" if v.severity else "",
            f"priority {v.priority.value}" if v.priority else "",
        ]
        lines.append("  " + " · ".join(b for b in bits if b))
        if v.resolution:
            lines.append(f"  Resolution: {v.resolution}")
    if v.kind == RaidKind.DECISION:
        lines.append(
            f"  Decided {v.decided_on.isoformat() if v.decided_on else '?'}"
            + (f" in minutes #{v.minutes_id}" if v.minutes_id else "")
        )
        if v.attendees:
            lines.append("  Who was there: " + ", ".join(who(p) for p in v.attendees))
    elif v.next_date and v.is_open:
        lines.append(f"  {DATE_LABEL[v.kind].capitalize()}: {when(v.next_date, today)}")
    if v.linked:
        lines.append(f"  Linked: {v.linked}")
    for item in v.actions:
        lines.append("  Action:" + item_line(item, today))
    lines.append(f"  Raised by {who(v.raised_by)}")
    if v.source_ref:
        lines.append(f"  Source: {v.source_ref}")
    return lines


LEADS = {
    "created": "Logged {ref}.",
    "scored": "Rescored {ref}.",
    "reviewed": "Reviewed {ref}: still valid.",
    "status": "{ref} is now {status}.",
    "responded": "Response set for {ref}.",
    "assigned": "{ref} now belongs to {owner}.",
    "edited": "Saved {ref}.",
    "logged": "Logged {ref} from the offer.",
}


def entry_text(r: RaidEntryResult) -> str:
    v = r.entry
    if r.event == "shown":
        return "\n".join(entry_block(v, r.today))
    lead = LEADS[r.event].format(ref=v.full_ref, status=v.status.value, owner=who(v.owner))
    out = [lead, entry_line(v, r.today)]
    if (
        r.entry.band is not None
        and r.entry.band.value == "red"
        and r.event in ("created", "scored")
    ):
        out.append("  Red: the PMO leads are told.")
    if r.linked:
        out.append(f"It became issue {r.linked.full_ref}.")
    if r.offer:
        out.append(f"Log it as a risk? raid log {r.offer.id} · or raid dismiss {r.offer.id}")
    return "\n".join(out)


def list_text(r: RaidListResult) -> str:
    if not r.page.items:
        return r.empty_text
    page = r.page
    shown = (
        f"{page.offset + 1}-{page.offset + len(page.items)} of {page.total}"
        if page.offset or page.more
        else str(page.total)
    )
    lines = [f"{r.title} ({shown}):"] + [entry_line(v, r.today) for v in page.items]
    if page.more:
        lines.append(f"  … and {page.more} more" + (f": {r.rest}" if r.rest else "."))
    return "\n".join(lines)


def settings_text(r: RaidSettingsResult) -> str:
    p = r.policy
    lead = "RAID settings updated.\n" if r.changed else ""
    return lead + "\n".join(
        [
            "RAID settings for this workspace:",
            f"  bands    red from {p.red}, amber from {p.amber}, green below {p.amber}",
            f"  reviews  red every {p.review_red} days, amber {p.review_amber}, "
            f"green {p.review_green}",
            f"  budget   at most {p.budget} review reminders a person a day",
        ]
    )


def offer_text(r: RaidOfferResult) -> str:
    return f"Dismissed offer {r.offer.id} ({r.offer.title}); it won't be offered again."
