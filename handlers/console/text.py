"""Plain-text pieces shared by the console's renderers. Pure: data in, text out."""

from __future__ import annotations

from datetime import date

from services.core.dates import day_label, long_day, relative_phrase
from services.core.refs import Text, plain_text
from services.core.views import ActionItemView, DeliverableView, PersonRef, ProjectView
from services.outbox.kinds import DigestKind
from services.outbox.port import Digest

STATE_LABEL = {"active": "active", "on_hold": "on hold", "closed": "closed"}


def when(d: date | None, today: date) -> str:
    """'Fri 27 Nov (in 4 days)', 'today', 'Mon 2 Nov (3 days overdue)'."""
    if d is None:
        return "no due date"
    phrase, _ = relative_phrase(d, today)
    return f"{day_label(d, today)} ({phrase})"


def digest_text(d: Digest, skip: frozenset[tuple[str, int]] = frozenset()) -> str:
    """A digest as indented text, leaving out entries in `skip`."""
    out = [d.title] + ([f"  ({words(d.note)})"] if d.note else [])
    if d.sections and all(
        {(ln.kind, ln.id) for ln in sec.lines} <= skip and sec.total == len(sec.lines)
        for sec in d.sections
    ):
        return ""
    for sec in d.sections:
        lines = [ln for ln in sec.lines if (ln.kind, ln.id) not in skip]
        total = sec.total - (len(sec.lines) - len(lines))
        if total <= 0:
            continue
        out.append(f"  {sec.heading}:")
        for ln in lines:
            key = f"{ln.project_key} " if ln.project_key else ""
            if ln.kind == "text":
                out.append("    " + ln.title.replace("\n", "\n    "))
            elif ln.kind == "project":
                out.append(
                    f"    {key}{ln.title}: {ln.overdue_items} overdue items, "
                    f"{ln.overdue_deliverables} overdue deliverables, "
                    f"{ln.escalations} escalations open"
                )
            else:
                what = "deliverable " if ln.kind == "deliverable" else ""
                owner = (
                    f" · @{ln.owner_handle}"
                    if d.kind != DigestKind.PERSONAL and ln.owner_handle
                    else ""
                )
                out.append(
                    f"    {key}{what}#{ln.id} {ln.title}{owner} · {when(ln.due_on, d.today)}"
                )
        if total > len(lines):
            out.append(f"    … and {total - len(lines)} more")
    return "\n".join(out)


def who(p: PersonRef | None) -> str:
    return f"@{p.handle}" if p else "nobody"


def item_line(item: ActionItemView, today: date) -> str:
    """One action item on one line."""
    parts = [f"#{item.id} {item.title}", who(item.owner)]
    if item.project_key:
        parts.append(item.project_key)
    if item.status.value != "open":
        parts.append(item.status.value)
    else:
        parts.append(
            when(item.due_on, today).replace(" (", ", ").rstrip(")")
            if item.due_on
            else "no due date"
        )
        if item.snoozed_until and item.snoozed_until > today:
            parts.append("snoozed until " + when(item.snoozed_until, today).split(" (")[0])
    flag = "! " if item.is_overdue(today) else "  "
    return flag + " · ".join(parts)


def deliverable_line(d: DeliverableView, today: date) -> str:
    """One deliverable on one line, with its slip against baseline."""
    slip = ""
    if d.slip_days:
        slip = f" · slipped {d.slip_days:+d} days from {d.baseline_on.isoformat()}"
    state = d.status.value.replace("_", " ")
    flag = "! " if d.is_late(today) else "  "
    return (
        f"{flag}#{d.id} {d.title} · {who(d.owner)} · {state} · "
        f"forecast {when(d.forecast_on, today)}{slip}"
    )


def project_block(p: ProjectView) -> list[str]:
    lines = [
        f"{p.key} — {p.name}" + (" 🔒 private" if p.private else ""),
        f"  State: {STATE_LABEL[p.state.value]}" + (f" · Phase: {p.phase}" if p.phase else ""),
        f"  PM: {who(p.pm)}",
    ]
    if p.start_on or p.target_on:
        lines.append(
            f"  Dates: {long_day(p.start_on) if p.start_on else '?'} → "
            f"{long_day(p.target_on) if p.target_on else '?'}"
        )
    if p.description:
        lines.append(f"  {p.description}")
    channel = f"#{p.home_channel.lstrip('#')}" if p.home_channel else "none yet"
    status = f"{p.rag} ({p.rag_period})" if p.rag else "no update yet"
    lines.append(f"  Channel: {channel} · Latest status: {status}")
    if p.next_round:
        lines.append(
            f"  Next status round: {p.next_round:%a} {p.next_round.day} {p.next_round:%b %H:%M}"
            " your time"
        )
    lines.append(
        f"  Action items: {p.open_actions} open, {p.overdue_actions} overdue · "
        f"Deliverables: {p.open_deliverables} open, {p.late_deliverables} late"
    )
    if p.members:
        lines.append(
            "  Members: " + ", ".join(f"{who(m.person)} ({m.role.value})" for m in p.members)
        )
    return lines


def words(text: Text | None) -> str:
    """Structured text as the console shows it (commands as typed here, without /pmo)."""
    return plain_text(text)


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 reminder', '3 reminders', '2 entries'."""
    return f"{n} {word if n == 1 else (many or word + 's')}"
