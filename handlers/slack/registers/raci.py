"""RACI charts and sign-offs in Block Kit. Pure: data in, JSON out."""

from __future__ import annotations

from handlers.slack.blocks import (
    MESSAGE_BLOCKS,
    Block,
    Message,
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
from models import RaciLetter
from services.commands.results_registers import RaciResult, SignoffResult
from services.raci.views import RaciCard, RaciMatrix

NAMES = {"R": "Responsible", "A": "Accountable", "C": "Consulted", "I": "Informed"}
SOURCE = {"own": "", "default": " _(project default)_", "owner": " _(owner)_"}
MAX_CARDS = 40


def card_text(card: RaciCard) -> str:
    """Who holds each letter, and where it comes from."""
    lines = []
    for code in "RACI":
        entries = [e for e in card.entries if e.letter == RaciLetter(code)]
        named = ", ".join(f"{who(e.person)}{SOURCE[e.source]}" for e in entries) or "—"
        lines.append(f"*{code}* {NAMES[code]}: {named}")
    s = card.signoff
    if s is not None and s.state.value == "pending":
        lines.append(f"✍️ Waiting for {who(s.accountable)}'s sign-off")
    elif s is not None and s.state.value == "not_yet":
        lines.append(f"↩️ Not yet ({who(s.decided_by)}): “{escape(clip(s.reason, 300))}”")
    elif s is not None and s.state.value == "signed_off":
        lines.append(f"✅ Signed off by {who(s.decided_by)}")
    return "\n".join(lines)


def _title(card: RaciCard) -> str:
    d = card.deliverable
    if d is None:
        return f"Default RACI of `{escape(card.project_key)}`"
    return f"`{escape(card.project_key)}` *#{d.id}* {escape(d.title)}"


def raci_message(result: RaciResult) -> Message:
    card = result.card
    lead = {"set": "✅ RACI saved", "cleared": "🧹 RACI cleared", "shown": ""}[result.event]
    blocks = [section(f"{lead + ': ' if lead else ''}{_title(card)}"), section(card_text(card))]
    if card.deliverable is None:
        blocks.append(context("Each deliverable inherits the letters it does not name itself."))
    return Message(fallback(f"RACI of {card.project_key}"), blocks)


def matrix_message(m: RaciMatrix) -> Message:
    key = escape(m.project_key)
    if not m.people:
        hint = command(f"raci set {m.project_key} R @a A @b C @c I @d")
        return Message(
            f"RACI of {m.project_key}: nobody yet",
            [section(f"Nobody is named in `{key}`'s RACI yet. Set the default: {hint}")],
        )
    blocks: list[Block] = [header(f"RACI · {m.project_key} — {m.project_name}")]
    for card in m.cards[:MAX_CARDS]:
        if card.deliverable is not None and not card.entries:
            continue
        title = _title(card)
        if card.deliverable is not None:
            title += f" · {day(card.deliverable.forecast_on, m.today)}"
        blocks.append(section(f"{title}\n{card_text(card)}"))
        if len(blocks) >= MESSAGE_BLOCKS - 3:
            break
    gaps = m.gaps()
    if gaps:
        ids = ", ".join(f"#{d.id}" for d in gaps[:30])
        blocks.append(context(f"⚠️ Nobody is Accountable for {ids}."))
    blocks.append(context(f"As a spreadsheet: {command(f'raci export {m.project_key}')}"))
    return Message(fallback(f"RACI of {m.project_key}"), blocks[:MESSAGE_BLOCKS])


def signoff_message(result: SignoffResult) -> Message:
    card = result.card
    d = card.deliverable
    assert d is not None
    a = who(card.accountable)
    title = f"*#{d.id}* {escape(d.title)} · `{escape(card.project_key)}`"
    consulted = card.people(RaciLetter.CONSULTED)
    match result.event:
        case "requested":
            asked = ""
            if consulted:
                asked = f"\nThe Consulted are asked too: {', '.join(who(p) for p in consulted)}."
            text = f"✍️ {title} now waits for {a}'s sign-off.{asked}"
        case "signed_off":
            text = f"✅ Signed off: {title} is done. The Informed are told."
        case "not_yet":
            why = escape(clip(card.signoff.reason, 500)) if card.signoff else ""
            text = f"↩️ Not yet: {title} stays open: “{why}”. Whoever asked and the R are told."
        case _:
            text = f"🏁 {title} is done."
    return Message(fallback(text.split("\n")[0]), [section(text)])
