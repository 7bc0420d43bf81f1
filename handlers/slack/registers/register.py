"""The project register, phases and stage gates in Block Kit. Pure: data in, JSON out."""

from __future__ import annotations

from handlers.slack.blocks import (
    MESSAGE_BLOCKS,
    Message,
    clip,
    command,
    context,
    escape,
    fallback,
    header,
    list_with_overflow,
    section,
    who,
)
from models import GateState
from services.commands.results_registers import PhasesResult, RegisterCardResult, RegisterResult
from services.projects.budget import money
from services.projects.portfolio import GateView, RegisterLine

RAG = {"green": "🟢", "amber": "🟠", "red": "🔴"}


def line_text(ln: RegisterLine, has_risk_log: bool) -> str:
    p = ln.project
    sponsors = ", ".join(who(s) for s in ln.sponsors) or "—"
    dates = (
        f"{p.start_on.isoformat() if p.start_on else '?'} → "
        f"{p.target_on.isoformat() if p.target_on else '?'}"
    )
    rag = f"{RAG.get(p.rag, '')} {p.rag} ({p.rag_period})" if p.rag else "no update yet"
    budget = "—"
    if ln.budget_planned is not None or ln.budget_actual is not None:
        budget = (
            f"{money(ln.budget_planned, ln.currency) or '?'} planned · "
            f"{money(ln.budget_actual, ln.currency) or '?'} actual"
        )
    risk = escape(clip(ln.top_risk, 200)) if ln.top_risk else ("none" if has_risk_log else "—")
    lines = [
        f"*{escape(p.key)}* — {escape(p.name)}{' 🔒' if p.private else ''} · "
        f"phase *{escape(p.phase or '—')}* · {p.state.value.replace('_', ' ')}",
        f"PM {who(p.pm)} · sponsor {sponsors} · {dates}",
        f"Budget {escape(budget)} · {rag} · top risk: {risk}",
        f"Open items {ln.open_items} ({p.overdue_actions} overdue, {p.late_deliverables} late)",
    ]
    if ln.pending_gate is not None:
        g = ln.pending_gate
        lines.append(f"⏳ Waiting for {who(g.approver)} to approve entering *{escape(g.phase)}*")
    return "\n".join(lines)


def register_message(result: RegisterResult) -> Message:
    reg = result.register
    if not reg.lines:
        return Message("The register is empty.", [section("The register is empty: no projects.")])
    rows = [[section(line_text(ln, reg.has_risk_log))] for ln in reg.lines]
    head = [header(f"Project register · {len(reg.lines)} projects")]
    blocks = list_with_overflow(rows, head, len(reg.lines), MESSAGE_BLOCKS - 1)
    note = f"As a file: {command('project register xlsx')} or {command('project register csv')}"
    if not reg.has_risk_log:
        note += " · top risks appear once the RAID log is in use"
    blocks.append(context(note))
    return Message(f"Project register ({len(reg.lines)} projects)", blocks)


def gate_text(g: GateView, current: str | None) -> str:
    here = " ◀ now" if g.phase == current else ""
    if g.state is None:
        return f"*{escape(g.phase)}*: no gate (its PM moves it){here}"
    detail = {
        GateState.OPEN: "not asked yet",
        GateState.PENDING: f"⏳ waiting (asked by {who(g.requested_by)})",
        GateState.APPROVED: f"✅ approved by {who(g.decided_by)}"
        + (f" on {g.decided_at:%Y-%m-%d}" if g.decided_at else ""),
        GateState.REJECTED: f"❌ rejected by {who(g.decided_by)}: “{escape(clip(g.note, 300))}”",
    }[g.state]
    return f"*{escape(g.phase)}*: {who(g.approver)} approves · {detail}{here}"


def card_message(result: RegisterCardResult) -> Message:
    card, phase = result.card, escape(result.phase)
    key = escape(card.line.project.key)
    pending = card.line.pending_gate
    lead = {
        "shown": "",
        "set": f"✅ Saved: entering *{phase}* needs its gate's approver.",
        "changed": f"➡️ `{key}` is now in *{phase}*.",
        "requested": f"⏳ Entering *{phase}* needs {who(pending.approver if pending else None)}'s "
        "approval; I asked them.",
        "approved": f"✅ Approved: `{key}` is now in *{phase}*.",
        "rejected": f"❌ Rejected: `{key}` does not enter *{phase}*.",
    }[result.event]
    gates = "\n".join(gate_text(g, card.line.project.phase) for g in card.gates)
    blocks = ([section(lead)] if lead else []) + [
        section(line_text(card.line, card.has_risk_log)),
        section(f"*Stage gates*\n{gates}"),
    ]
    return Message(fallback(lead or f"{card.line.project.key} in the register"), blocks)


def phases_message(result: PhasesResult) -> Message:
    text = (
        ("✅ Saved. " if result.changed else "")
        + "Phases: "
        + " → ".join(f"*{escape(p)}*" for p in result.phases)
    )
    return Message(fallback(text), [section(text)])
