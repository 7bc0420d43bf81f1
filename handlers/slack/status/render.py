"""Block Kit for status updates and the portfolio report. Pure: data in, JSON out.

The report is one parent message (within 50 blocks, sections within 3,000 characters; what
does not fit is counted and left to the thread and the exports) and one thread reply per
project that reported. People are named by handle, never pinged, in report channels.
"""

from __future__ import annotations

from datetime import date

from handlers.slack.blocks import (
    MESSAGE_BLOCKS,
    SECTION_TEXT,
    Block,
    Message,
    button,
    clip,
    command,
    context,
    escape,
    fallback,
    header,
    section,
)
from handlers.slack.digests.render import digest_blocks
from handlers.slack.ids import ActionId
from handlers.slack.raid.render import report_groups
from models.enums import Rag
from services.status.cadence import CadenceView
from services.status.messages import update_digest
from services.status.report import RAG_DOT, ProjectLine, Report, project_post, severity
from services.status.update import UpdateView


def _sections(title: str, lines: list[str]) -> list[Block]:
    """A titled list cut into sections under the size limit."""
    blocks: list[Block] = []
    text = f"*{title}*"
    for line in lines:
        if len(text) + len(line) + 1 > SECTION_TEXT - 50:
            blocks.append(section(text))
            text = ""
        text = f"{text}\n{line}" if text else line
    if text:
        blocks.append(section(text))
    return blocks


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.0%}"


def report_parent(report: Report) -> Message:
    """The report's parent message."""
    r = report
    skipped = [ln for ln in r.projects if ln.skipped]
    counts = (
        f"🟢 *{r.count(Rag.GREEN)}* green · 🟠 *{r.count(Rag.AMBER)}* amber · "
        f"🔴 *{r.count(Rag.RED)}* red · ⚪ *{len(r.missing)}* missing"
        + (f" · {len(skipped)} skipped" if skipped else "")
    )
    groups: list[list[Block]] = [[header(f"Portfolio status · {r.period}"), section(counts)]]
    ordered = sorted(r.projects, key=severity)
    changed = [ln for ln in ordered if ln.changed]
    if changed:
        groups.append(
            _sections(
                "RAG changes since the last cycle",
                [
                    f"• `{escape(ln.key)}` {RAG_DOT[ln.previous]} → "
                    f"{_dot(ln)} {escape(clip(ln.name, 80))}"
                    for ln in changed
                ],
            )
        )
    hot = [ln for ln in ordered if ln.update and ln.update.overall in (Rag.RED, Rag.AMBER)]
    if hot:
        lines = []
        for ln in hot:
            assert ln.update is not None
            f = ln.update
            line = f"{RAG_DOT[f.overall]} `{escape(ln.key)}` *{escape(clip(ln.name, 80))}*"
            if f.summary:
                line += f" — {escape(clip(f.summary, 300))}"
            if f.blockers:
                line += f"\n      _Blockers:_ {escape(clip(f.blockers, 300))}"
                line += " *(escalated)*" if f.escalate else ""
            if f.asks:
                line += f"\n      _Asks:_ {escape(clip(f.asks, 300))}"
            lines.append(line)
        groups.append(_sections("Red and amber", lines))
    slipping = [ln for ln in ordered if ln.slipping]
    if slipping:
        groups.append(
            _sections(
                "⚠️ Green but slipping",
                [
                    f"• `{escape(ln.key)}` reports {_dot(ln)} "
                    f"with {ln.overdue_deliverables} overdue deliverable"
                    f"{'s' if ln.overdue_deliverables != 1 else ''}"
                    for ln in slipping
                ],
            )
        )
    if r.missing:
        groups.append(
            _sections(
                "Missing updates",
                [
                    f"• `{escape(ln.key)}` {escape(clip(ln.name, 80))} — "
                    f"{escape('@' + ln.pm.handle) if ln.pm else 'no PM'}"
                    for ln in r.missing
                ],
            )
        )
    if r.raid is not None:
        groups += report_groups(r.raid, r.today)
    overdue = sorted(
        (ln for ln in r.projects if ln.overdue_items or ln.overdue_deliverables),
        key=lambda ln: (-(ln.overdue_items + ln.overdue_deliverables), ln.key),
    )
    if overdue:
        groups.append(
            _sections(
                "Overdue work",
                [
                    f"• `{escape(ln.key)}` {ln.overdue_items} action item"
                    f"{'s' if ln.overdue_items != 1 else ''} · "
                    f"{ln.overdue_deliverables} deliverable"
                    f"{'s' if ln.overdue_deliverables != 1 else ''}"
                    for ln in overdue
                ],
            )
        )
    if r.at_risk:
        groups.append(
            _sections(
                "⚠️ Dependencies at risk",
                [
                    f"• `{escape(v.downstream_key)}` needs “{escape(clip(v.what, 120))}” from "
                    f"`{escape(v.upstream_key)}` by {v.needed_by:%a %d %b}: "
                    f"{escape(clip(v.risk or '', 300))}"
                    for v in r.at_risk
                ],
            )
        )
    low = ", ".join(
        f"{escape('@' + p.handle)} {rate:.0%}" for p, rate, _ in r.pm_rates[:3] if rate < 1
    )
    footer = context(
        f"On time over the last {len(r.periods)} cycles: {_pct(r.on_time_rate)}"
        + (f" · lowest: {low}" if low else "")
        + " · each project's full update is in the thread."
    )
    blocks: list[Block] = []
    budget = MESSAGE_BLOCKS - 2
    cut = 0
    for group in groups:
        for b in group:
            if len(blocks) < budget:
                blocks.append(b)
            else:
                cut += 1
    if cut:
        blocks.append(
            context(
                f"… {cut} more part{'s' if cut != 1 else ''}: see the thread, "
                f"or `pmo-bot report --week {r.period} --format md`."
            )
        )
    blocks.append(footer)
    text = (
        f"Portfolio status {r.period}: {r.count(Rag.GREEN)} green, {r.count(Rag.AMBER)} amber, "
        f"{r.count(Rag.RED)} red, {len(r.missing)} missing"
    )
    return Message(fallback(text), blocks)


def report_replies(report: Report) -> list[Message]:
    """One thread reply per project that reported, worst first."""
    out = []
    for ln in sorted(report.projects, key=severity):
        if ln.update is None:
            continue
        post = project_post(ln, report.period, report.today)
        out.append(
            Message(
                fallback(f"{ln.key} {report.period}: ", ln.update.summary[:200]),
                digest_blocks(post, set())[:MESSAGE_BLOCKS],
            )
        )
    return out


def status_message(
    view: UpdateView | None, event: str, note: str, versions: int, key: str, today: date
) -> Message:
    if view is None:
        text = (
            f"{escape(key)} has no status update yet. Write one with {command(f'status {key}')}."
            if event == "shown"
            else "Opening the form…"
        )
        return Message(fallback(text), [section(text)])
    digest = update_digest(view, today)
    lead = {
        "submitted": f"✅ Status for `{escape(view.project_key)}` ({view.period}) recorded.",
        "edited": f"✏️ Status for `{escape(view.project_key)}` ({view.period}) updated to "
        f"version {view.version}.",
        "shown": f"Latest status of `{escape(view.project_key)}` ({view.period}, "
        f"{versions} version{'s' if versions != 1 else ''}).",
    }[event]
    extra = []
    if note:
        extra.append(context(escape(note)))
    if event != "shown" and view.cycle_open:
        extra.append(
            context(
                f"You can edit it until the round closes: {command(f'status {view.project_key}')}."
            )
        )
    if view.fields.overall == Rag.RED and event != "shown":
        extra.append(context("🚨 Red: the PMO leads have been told."))
    return Message(fallback(lead), [section(lead), *digest_blocks(digest, set()), *extra])


def cadence_message(c: CadenceView, changed: bool) -> Message:
    who = ", ".join(escape("@" + p.handle) for p in c.reporters) or "nobody (no PM)"
    where = (
        f"<#{c.report_channel}>"
        if c.report_channel and not c.report_channel.startswith("#")
        else escape(c.report_channel or "the workspace PMO channel")
    )
    nxt = (
        f"<!date^{int(c.next_open.timestamp())}^{{date_short_pretty}} {{time}}|"
        f"{c.next_open:%a %d %b %H:%M} UTC>"
        if c.next_open
        else "never"
    )
    text = (
        ("⚙️ Status round updated.\n" if changed else "")
        + f"*Status round of `{escape(c.project_key)}`* ({'on' if c.active else 'off'})\n"
        f"• when: `{escape(c.rrule)}` in {escape(c.timezone)} (next: {nxt})\n"
        f"• due: {c.deadline_days} day{'s' if c.deadline_days != 1 else ''} later at "
        f"{c.deadline_time:%H:%M}\n• reporters: {who}\n• report goes to: {where}"
    )
    blocks = [section(text)]
    if c.can_edit:
        blocks.append(
            {
                "type": "actions",
                "elements": [button("Change…", ActionId.CADENCE_OPEN, c.project_key)],
            }
        )
    return Message(fallback(text), blocks)


def stats_message(report: Report) -> Message:
    """On-time submission rate per project and per PM over the last cycles."""
    projects = sorted(
        (ln for ln in report.projects if ln.on_time_rate is not None),
        key=lambda ln: (ln.on_time_rate or 0, ln.key),
    )
    lines = [f"• `{escape(ln.key)}` {_pct(ln.on_time_rate)}" for ln in projects]
    pms = [f"• {escape('@' + p.handle)} {rate:.0%} of {n}" for p, rate, n in report.pm_rates]
    blocks = [header(f"On-time status updates · last {len(report.periods)} cycles")]
    blocks += _sections("By project (lowest first)", lines or ["No cycles yet."])
    blocks += _sections("By PM", pms or ["No cycles yet."])
    blocks = blocks[: MESSAGE_BLOCKS - 1]
    blocks.append(context(f"Overall: {_pct(report.on_time_rate)}."))
    return Message(fallback(f"On-time status updates: {_pct(report.on_time_rate)}"), blocks)


def _dot(ln: ProjectLine) -> str:
    """The RAG dot of a project's latest update (a grey one when there is none)."""
    return RAG_DOT[ln.update.overall if ln.update else None]
