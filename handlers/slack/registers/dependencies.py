"""Dependencies in Block Kit. Pure: data in, JSON out."""

from __future__ import annotations

from datetime import date

from handlers.slack.blocks import (
    MESSAGE_BLOCKS,
    Block,
    Message,
    clip,
    context,
    day,
    escape,
    fallback,
    header,
    list_with_overflow,
    section,
    who,
)
from models import DependencyState
from services.commands.results_registers import DependencyListResult, DependencyResult
from services.dependencies.views import DependencyView


def dependency_text(v: DependencyView, today: date) -> str:
    what = escape(clip(v.what, 300))
    line = (
        f"*#{v.id}* `{escape(v.downstream_key)}` needs “{what}” from "
        f"`{escape(v.upstream_key)}` by {day(v.needed_by, today)}"
    )
    if v.state == DependencyState.PROPOSED:
        state = f"⏳ waiting for `{escape(v.awaiting_key or '')}`"
        if v.proposed_on:
            state += f" (proposed {day(v.proposed_on, today)})"
    elif v.state == DependencyState.DECLINED:
        state = "❌ declined" + (f": “{escape(clip(v.reason, 300))}”" if v.reason else "")
    else:
        state = "✅ agreed"
    parts = [line, state + (f" · asked by {who(v.asked_by)}" if v.asked_by else "")]
    if v.deliverable:
        parts.append(
            f"`{escape(v.upstream_key)}` *#{v.deliverable.id}* "
            f"{escape(clip(v.deliverable.title, 200))}: forecast "
            f"{day(v.deliverable.forecast_on, today)}"
        )
    text = "\n".join(parts)
    if v.risk:
        text += f"\n⚠️ *At risk:* {escape(clip(v.risk, 600))}"
    return text


def dependency_message(result: DependencyResult) -> Message:
    v, today = result.dependency, result.today
    lead = {
        "requested": f"📨 Asked `{escape(v.upstream_key)}`'s PM to commit.",
        "proposed": f"📨 Proposed a date; `{escape(v.awaiting_key or '')}`'s PM is asked.",
        "accepted": "🤝 Agreed. I watch it: both PMs hear from me if it is at risk.",
        "declined": "❌ Declined; the other PM is told.",
    }[result.event]
    return Message(
        fallback(f"Dependency #{v.id}: ", v.what),
        [section(lead), section(dependency_text(v, today))],
    )


def dependency_list_message(result: DependencyListResult) -> Message:
    key, today = result.key, result.today
    where = f" of {key}" if key else ""
    if not result.needs and not result.provides:
        return Message(
            f"No dependencies{where}.", [section(f"No dependencies{escape(where)} yet.")]
        )
    blocks: list[Block] = [header(f"Dependencies{where}")]
    for title, found in (("Needs", result.needs), ("Provides", result.provides)):
        if not found:
            continue
        rows = [[section(dependency_text(v, today))] for v in found]
        head = [context(f"*{title}*")]
        room = (MESSAGE_BLOCKS - len(blocks)) // (2 if title == "Needs" else 1)
        blocks += list_with_overflow(rows, head, len(found), room)
    n = len(result.needs) + len(result.provides)
    return Message(f"{n} dependencies{where}", blocks[:MESSAGE_BLOCKS])
