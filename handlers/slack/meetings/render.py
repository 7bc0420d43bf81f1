"""Minutes in Block Kit: the live message (updated in place while they are taken) and the
final minutes, split into as many messages as Slack's limits need. Pure: data in, JSON out."""

from __future__ import annotations

from datetime import date
from typing import Any, assert_never

from handlers.slack.blocks import (
    MESSAGE_BLOCKS,
    SECTION_TEXT,
    Block,
    Message,
    block_id,
    button,
    channel_link,
    clip,
    command,
    context,
    day,
    escape,
    fallback,
    header,
    section,
    who,
)
from handlers.slack.ids import ActionId, BlockId
from handlers.slack.paging import more_button
from services.commands.results import (
    IcsResult,
    MeetingListResult,
    MeetingResult,
    MinutesExportResult,
    MinutesListResult,
    MinutesResult,
)
from services.core.dates import zone
from services.core.views import ActionItemView
from services.meetings.views import EntryView, MinutesView

LIVE_TAIL = 8  # the live message shows the last few of each kind
PART_CHARS = 12_000  # a final-minutes message stays well inside Slack's size limits
PART_BLOCKS = MESSAGE_BLOCKS - 2


def _when(v: MinutesView) -> str:
    tz = zone(v.timezone)
    start = v.started_at.astimezone(tz)
    text = f"{start:%a %d %b %Y, %H:%M}"
    if v.ended_at:
        text += f" to {v.ended_at.astimezone(tz):%H:%M}"
    return f"{text} ({v.timezone})"


def _people(refs: list[Any]) -> str:
    return ", ".join(escape("@" + p.handle) for p in refs) or "—"


def _entry(e: EntryView) -> str:
    return f"{e.n}. {escape(e.text)}"


def _action(a: ActionItemView, today: date) -> str:
    state = {"done": "✅ ", "cancelled": "🚫 "}.get(a.status.value, "")
    return f"• {state}*#{a.id}* {escape(a.title)} · {who(a.owner)} · {day(a.due_on, today)}"


def live_message(v: MinutesView, today: date) -> Message:
    """What the channel sees while the minutes are taken (and once they are closed)."""
    project = f" · `{escape(v.project_key)}`" if v.project_key else ""
    blocks: list[Block] = [
        header(f"📝 Minutes: {v.title}"),
        context(
            f"{_when(v)}{project} · taken by {escape('@' + v.started_by.handle)} · minutes #{v.id}"
        ),
    ]
    parts = [f"*Attendees:* {_people(v.attendees)}"]
    if v.absent:
        parts.append(f"*Regrets:* {_people(v.absent)}")
    blocks.append(section("\n".join(parts)))
    for title, lines, total in (
        ("Decisions", [_entry(e) for e in v.decisions[-LIVE_TAIL:]], len(v.decisions)),
        ("Action items", [_action(a, today) for a in v.actions[-LIVE_TAIL:]], len(v.actions)),
        ("Notes", [_entry(e) for e in v.notes[-LIVE_TAIL:]], len(v.notes)),
    ):
        if not total:
            continue
        more = f"\n_… {total - len(lines)} earlier not shown._" if total > len(lines) else ""
        blocks.append(
            section(clip(f"*{title}* ({total}){more}\n" + "\n".join(lines), SECTION_TEXT))
        )
    if v.open:
        blocks.append(
            context(
                f"Add with {command('minutes note|decision|action @owner due:fri …')}, "
                f"{command('minutes attendee @a')}, the *Add to minutes* message "
                f"shortcut, or the button. End with {command('minutes end')}."
            )
        )
        blocks.append(
            {
                "type": "actions",
                "block_id": block_id(BlockId.MINUTES_PREFIX, v.id),
                "elements": [
                    button("Add…", ActionId.MINUTES_ADD, str(v.id)),
                    button("End minutes", ActionId.MINUTES_END, str(v.id), style="danger"),
                ],
            }
        )
    else:
        where = ", ".join(channel_link(c) for c in v.post_channels()) or "this channel"
        closed = "closed automatically after 12 hours" if v.auto_closed else "ended"
        blocks.append(
            context(
                f"Minutes {closed}; posted to {where}. Export: {command(f'minutes export {v.id}')}."
            )
        )
    counts = f"{len(v.notes)} notes, {len(v.decisions)} decisions, {len(v.actions)} actions"
    return Message(fallback("Minutes: ", v.title, f" ({counts})"), blocks)


def _chunks(title: str, lines: list[str]) -> list[Block]:
    """Sections of at most SECTION_TEXT characters, the first headed by `title`."""
    out: list[Block] = []
    text = f"*{title}* ({len(lines)})" if lines else f"*{title}*\n_None._"
    for line in lines:
        line = clip(line, SECTION_TEXT - 50)
        if len(text) + 1 + len(line) > SECTION_TEXT - 20:
            out.append(section(text))
            text = line
        else:
            text += "\n" + line
    out.append(section(text))
    return out


def final_messages(v: MinutesView, today: date) -> list[Message]:
    """The complete minutes, split across messages (the first is the parent, the rest go in
    its thread) so that every one stays within Slack's block and size limits."""
    project = (
        f"*Project:* `{escape(v.project_key)}` {escape(v.project_name or '')}\n"
        if v.project_key
        else ""
    )
    lead: list[Block] = [
        header(f"📝 Minutes: {v.title}"),
        section(
            f"*When:* {_when(v)}\n{project}*Attendees:* {_people(v.attendees)}\n"
            f"*Regrets:* {_people(v.absent)}"
        ),
    ]
    notes_on = []
    if v.auto_closed:
        notes_on.append("closed automatically after 12 hours open")
    if v.amended_at:
        notes_on.append(f"amended {v.amended_at.astimezone(zone(v.timezone)):%d %b %H:%M}")
    lead.append(
        context(
            f"Minutes #{v.id} by {escape('@' + v.started_by.handle)}"
            + (f" · {', '.join(notes_on)}" if notes_on else "")
            + f" · {command(f'minutes export {v.id}')}"
        )
    )
    body = (
        _chunks("Decisions", [_entry(e) for e in v.decisions])
        + _chunks("Action items", [_action(a, today) for a in v.actions])
        + _chunks("Notes", [_entry(e) for e in v.notes])
    )
    parts: list[list[Block]] = [lead]
    size = sum(_size(b) for b in lead)
    for b in body:
        if len(parts[-1]) >= PART_BLOCKS or size + _size(b) > PART_CHARS:
            parts.append([])
            size = 0
        parts[-1].append(b)
        size += _size(b)
    n = len(parts)
    out = []
    for i, blocks in enumerate(parts):
        if n > 1:
            blocks = [*blocks, context(f"Part {i + 1} of {n}")]
        tail = f" (part {i + 1} of {n})" if n > 1 else ""
        out.append(Message(fallback("Minutes: ", v.title, tail), blocks))
    return out


def _size(b: Block) -> int:
    t = b.get("text")
    if isinstance(t, dict):
        return len(t.get("text", ""))
    return sum(len(e.get("text", "")) for e in b.get("elements", []) if isinstance(e, dict))


def superseded() -> Message:
    """What an extra part of the minutes says once an amendment made them shorter."""
    return Message(
        "(This part of the minutes was merged above after an amendment.)",
        [context("_(This part of the minutes was merged above after an amendment.)_")],
    )


def minutes_message(result: MinutesResult) -> Message:
    """The reply to a minutes command or form (only the person sees it)."""
    v, item = result.minutes, result.item
    today = result.today or v.started_at.date()
    match result.event:
        case "shown":
            msg = live_message(v, today) if v.open else final_messages(v, today)[0]
            return Message(msg.text, msg.blocks[:MESSAGE_BLOCKS])
        case "started":
            text = (
                f"📝 Minutes #{v.id} started here: “{escape(v.title)}”. Add with "
                f"{command('minutes note …')}, `decision …`, `action @owner …`; end with "
                f"{command('minutes end')}."
            )
        case "note":
            text = f"Added note {len(v.notes)} to minutes #{v.id}."
        case "decision":
            text = f"Added decision {len(v.decisions)} to minutes #{v.id}."
        case "attendance":
            text = f"Attendance updated: {len(v.attendees)} present, {len(v.absent)} regrets."
        case "ended":
            where = ", ".join(channel_link(c) for c in v.post_channels()) or "this channel"
            owners = len({a.owner.id for a in v.actions})
            gets = f"{owners} owner gets" if owners == 1 else f"{owners} owners get"
            text = f"Minutes #{v.id} ended. Posting them to {where}; {gets} a DM."
        case "amended":
            text = f"Minutes #{v.id} amended; the posted minutes are being updated."
        case "added":
            text = f"Added to minutes #{v.id}."
        case "action":
            text = "Action item minuted."
            if item is not None:
                text = (
                    f"Action item *#{item.id}* {escape(item.title)} for {who(item.owner)} "
                    f"({day(item.due_on, today)}) minuted; it is tracked now and its owner "
                    "is told when the minutes end."
                )
        case _:
            assert_never(result.event)
    return Message(fallback(text.split(":")[0]), [section(text)])


def minutes_list_message(result: MinutesListResult) -> Message:
    key = result.key
    page = result.page
    lines = [
        f"• *#{v.id}* {escape(v.title)}"
        + (f" · `{escape(v.project_key)}`" if v.project_key else "")
        + f" · {v.started_at.astimezone(zone(v.timezone)):%d %b %Y %H:%M}"
        + (" · *open*" if v.open else "")
        for v in page.items
    ]
    head = f"Recent minutes{f' of {escape(key)}' if key else ''}"
    if page.offset or page.more:
        head += f" ({page.offset + 1}-{page.offset + len(page.items)} of {page.total})"
    body = "\n".join(lines) or f"No minutes yet. Start some with {command('minutes start')}."
    blocks = [
        section(clip(f"*{head}*\n{body}", SECTION_TEXT)),
        *more_button(result.rest, page.more),
    ]
    return Message(head, blocks)


def export_message(result: MinutesExportResult) -> Message:
    text = f"📄 Sent you `{escape(result.filename)}` in a DM."
    return Message(f"Sent you {result.filename} in a DM.", [section(text)])


def meeting_message(result: MeetingResult) -> Message:
    sv = result.series
    nxt = (
        f"next: {sv.next_start.astimezone(zone(sv.timezone)):%a %d %b %H:%M} ({sv.timezone})"
        if sv.next_start
        else "no more occurrences"
    )
    where = f" in {channel_link(sv.channel)}" if sv.channel else " (no channel: set the project's)"
    verb = {"created": "scheduled", "cancelled": "cancelled", "imported": "imported"}[result.event]
    text = (
        f"📅 Meeting #{sv.id} “{escape(sv.title)}” {verb}{where}: "
        f"`{escape(sv.rrule or 'once')}`, {nxt}. The agenda (open action items) "
        "arrives 15 minutes before each one."
    )
    return Message(fallback(f"Meeting #{sv.id} {verb}"), [section(text)])


def meeting_list_message(result: MeetingListResult) -> Message:
    key = result.key
    lines = [
        f"• *#{sv.id}* {escape(sv.title)}"
        + (f" · `{escape(sv.project_key)}`" if sv.project_key else "")
        + f" · `{escape(sv.rrule or 'once')}` · "
        + (
            f"next {sv.next_start.astimezone(zone(sv.timezone)):%a %d %b %H:%M}"
            if sv.next_start
            else "no more"
        )
        for sv in result.series
    ]
    head = f"Meeting series{f' of {escape(key)}' if key else ''}"
    new = command('meeting new KEY "Title" weekly on tue 10:00')
    body = "\n".join(lines) or f"None yet: {new}."
    blocks = [section(clip(f"*{head}*\n{body}", SECTION_TEXT))]
    if result.imported:
        n = len(result.series)
        lead = f"📅 Imported {n} meeting series into `{escape(key or '')}`."
        notes = [context(escape(note)) for note in result.notes[:5]]  # a zone not placed
        return Message(f"Imported {n} meeting series into {key}.", [section(lead), *blocks, *notes])
    return Message(head, blocks)


def ics_message(result: IcsResult, base_url: str) -> Message:
    key, link = result.key, result.link
    again = command(f"ics{f' {key}' if key else ''}")
    if link is None:
        revoked = result.revoked
        text = (
            f"Revoked {revoked} calendar link{'s' if revoked != 1 else ''}"
            f"{f' of {escape(key)}' if key else ''}; it stops working at once. "
            f"{again} makes a new one."
        )
        return Message(text, [section(text)])
    url = f"{base_url.rstrip('/')}{link.path}"
    what = (
        f"{escape(key)}'s deliverables, action items and meetings"
        if key
        else "your action items, deliverables and meetings"
    )
    off = command(f"ics revoke{f' {key}' if key else ''}")
    text = (
        f"🗓️ Your private calendar link for {what}:\n{url}\nSubscribe to it in "
        "Google Calendar (Other calendars → From URL) or Outlook (Add calendar → "
        f"Subscribe from web). Keep it private; {off} turns it off."
    )
    return Message("Your calendar link", [section(text)])
