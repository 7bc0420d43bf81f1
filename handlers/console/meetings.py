"""Minutes, meetings, calendar links and status as console text. Pure: data in, text out."""

from __future__ import annotations

from datetime import datetime

from handlers.console.text import digest_text, item_line, plural
from services.commands.results import (
    CadenceResult,
    IcsResult,
    MeetingListResult,
    MeetingResult,
    MinutesExportResult,
    MinutesListResult,
    MinutesResult,
    ReportResult,
    StatusResult,
)
from services.core.dates import zone
from services.meetings.export import to_markdown as minutes_markdown
from services.status.exports import to_markdown
from services.status.messages import update_digest


def minutes_text(result: MinutesResult) -> str:
    v, event, item = result.minutes, result.event, result.item
    if event in ("shown", "ended", "amended"):
        lead = {"ended": "Minutes ended.\n", "amended": "Minutes amended.\n"}.get(event, "")
        return lead + minutes_markdown(v).rstrip()
    if event == "action" and item is not None:
        return f"Minuted: {item_line(item, result.today or v.started_at.date())}"
    return {
        "started": f"Minutes #{v.id} started: {v.title}.",
        "note": f"Note {len(v.notes)} added.",
        "decision": f"Decision {len(v.decisions)} added.",
        "attendance": f"{len(v.attendees)} present, {len(v.absent)} regrets.",
        "added": f"Added to minutes #{v.id}.",
    }.get(event, "Done.")


def at(moment: datetime, tz: str) -> str:
    """A moment as the reader sees it: 'Thu 3 Dec 10:00' in their own zone."""
    t = moment.astimezone(zone(tz))
    return f"{t:%a} {t.day} {t:%b %H:%M}"


def minutes_list_text(result: MinutesListResult, tz: str = "UTC") -> str:
    page = result.page
    if not page.items:
        return "No minutes yet."
    lines = [
        f"#{v.id} {v.title} · {v.project_key or '-'} · "
        f"{at(v.started_at, tz)}{' · open' if v.open else ''}"
        for v in page.items
    ]
    if page.offset or page.more:
        head = f"Minutes{f' of {result.key}' if result.key else ''}"
        lines.insert(
            0, f"{head} ({page.offset + 1}-{page.offset + len(page.items)} of {page.total}):"
        )
    if page.more:
        lines.append(f"  … and {page.more} more" + (f": {result.rest}" if result.rest else "."))
    return "\n".join(lines)


def export_text(result: MinutesExportResult) -> str:
    return result.markdown.rstrip()


def meeting_text(result: MeetingResult, tz: str = "UTC") -> str:
    sv = result.series
    nxt = f"next {at(sv.next_start, tz)} your time" if sv.next_start else "no more"
    return f"Meeting #{sv.id} {sv.title} {result.event}: {sv.rrule or 'once'}, {nxt}."


def meeting_list_text(result: MeetingListResult) -> str:
    lines = [
        f"#{sv.id} {sv.title} · {sv.project_key} · {sv.rrule or 'once'}" for sv in result.series
    ]
    lead = f"Imported {len(result.series)} meeting series.\n" if result.imported else ""
    notes = "".join(f"\n{n}" for n in result.notes)
    return lead + ("\n".join(lines) or "No meeting series.") + notes


def ics_text(result: IcsResult, public_url: str) -> str:
    if result.link is None:
        return f"Revoked {plural(result.revoked, 'calendar link')}."
    url = f"{public_url.rstrip('/')}{result.link.path}"
    return f"Your calendar feed: {url} (served by pmo-bot serve)"


def status_text(result: StatusResult) -> str:
    view, event, note, versions, key = (
        result.update,
        result.event,
        result.note,
        result.versions,
        result.key,
    )
    if view is None:
        return f"{key} has no status update yet."
    lead = {
        "submitted": "Status recorded.",
        "edited": f"Status updated (v{view.version}).",
        "shown": f"Latest status ({versions} version{'s' if versions != 1 else ''}).",
    }[event]
    red = view.fields.overall.value == "red" and event != "shown"
    return "\n".join(
        [lead, digest_text(update_digest(view, view.submitted_at.date()))]
        + ([note] if note else [])
        + (["The PMO leads have been told (red)."] if red else [])
        + (
            [
                "Carried over from the last update: " + "; ".join(result.carried) + ".",
                f"To send it without them: status {view.project_key} "
                f"{view.fields.overall.value} <summary> --clear",
            ]
            if result.carried
            else []
        )
    )


def cadence_text(result: CadenceResult, tz: str = "UTC") -> str:
    c = result.cadence
    names = ", ".join("@" + p.handle for p in c.reporters) or "nobody (no PM)"
    nxt = f"  next       {at(c.next_open, tz)} your time" if c.next_open else "  next never"
    return "\n".join(
        [
            ("Status round updated.\n" if result.changed else "")
            + f"Status round of {c.project_key} ({'on' if c.active else 'off'}):",
            f"  when       {c.rrule} in {c.timezone}",
            nxt,
            f"  due        {due_phrase(c.deadline_days)} at {c.deadline_time:%H:%M}",
            f"  reporters  {names}",
            f"  report to  {c.report_channel or 'the workspace PMO channel'}",
        ]
    )


def due_phrase(days: int) -> str:
    """'the same day', 'the next day', '3 days later'."""
    return {0: "the same day", 1: "the next day"}.get(days, f"{days} days later")


def report_text(result: ReportResult) -> str:
    report = result.report
    if not result.stats_only:
        return to_markdown(report).rstrip()
    lines = [f"On-time status updates, last {len(report.periods)} cycles:"]
    lines += [
        f"  {ln.key:<10} {ln.on_time_rate:.0%}"
        for ln in report.projects
        if ln.on_time_rate is not None
    ]
    lines += [f"  @{p.handle:<12} {rate:.0%} of {n}" for p, rate, n in report.pm_rates]
    return "\n".join(lines)
