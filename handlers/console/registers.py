"""The registers' results as plain text for a terminal: RACI charts and sign-offs,
dependencies, the project register and gates, documents. One match, ending in
`assert_never`. Pure: data in, text out."""

from __future__ import annotations

from datetime import date
from typing import assert_never

from handlers.console.text import when, who
from models import DependencyState, GateState, RaciLetter, ReviewDecision
from services.commands.results_registers import (
    DependencyListResult,
    DependencyResult,
    DocumentListResult,
    DocumentResult,
    FileResult,
    PhasesResult,
    RaciMatrixResult,
    RaciResult,
    RegisterCardResult,
    RegisterResult,
    RegistersResult,
    SignoffResult,
)
from services.core.dates import day_label
from services.dependencies.views import DependencyView
from services.documents.views import DocumentView
from services.projects.budget import money
from services.projects.portfolio import GateView, RegisterLine
from services.raci.views import RaciCard, RaciMatrix

SOURCE = {"own": "", "default": " (project default)", "owner": " (owner)"}
STATE = {
    "draft": "draft",
    "in_review": "in review",
    "approved": "approved",
    "superseded": "superseded",
}
DECISION = {
    ReviewDecision.PENDING: "not decided",
    ReviewDecision.APPROVED: "approved",
    ReviewDecision.CHANGES_REQUESTED: "requested changes",
}


def text(result: RegistersResult) -> str:
    """The reply for one register result."""
    match result:
        case RaciMatrixResult(m):
            return matrix_text(m)
        case RaciResult(card, event):
            lead = {"set": "Saved. ", "cleared": "Cleared. ", "shown": ""}[event]
            return lead + card_text(card)
        case SignoffResult(card, event):
            return signoff_text(card, event)
        case FileResult(filename, title, content, summary):
            return f"{title}: {filename} ({summary}, {len(content):,} bytes)."
        case DependencyResult(v, event, today):
            lead = {
                "requested": f"Asked {v.upstream_key}'s PM to commit (dependency #{v.id}).",
                "proposed": f"Proposed {day_label(v.on_the_table, today)}; "
                f"{v.awaiting_key}'s PM is asked.",
                "accepted": f"Agreed: {v.upstream_key} delivers by "
                f"{day_label(v.needed_by, today)}. I watch it from now on.",
                "declined": f"Declined dependency #{v.id}.",
            }[event]
            return f"{lead}\n{dependency_line(v, today)}"
        case DependencyListResult(key, needs, provides, today):
            return dependency_list_text(key, needs, provides, today)
        case RegisterResult(reg):
            if not reg.lines:
                return "The register is empty: no projects yet."
            lines = [f"Project register ({len(reg.lines)} projects):"]
            for ln in reg.lines:
                lines += register_lines(ln, reg.has_risk_log)
            return "\n".join(lines)
        case RegisterCardResult(card, event, phase):
            key = card.line.project.key
            pending = card.line.pending_gate
            lead = {
                "shown": "",
                "set": f"Saved: entering {phase} needs its gate's approver.\n",
                "changed": f"{key} is now in {phase}.\n",
                "requested": f"Entering {phase} needs "
                f"{who(pending.approver) if pending else 'its approver'}'s approval; "
                "I asked them.\n",
                "approved": f"Approved: {key} is now in {phase}.\n",
                "rejected": f"Rejected: {key} does not enter {phase}.\n",
            }[event]
            body = register_lines(card.line, card.has_risk_log)
            body.append("  Stage gates:")
            body += [gate_line(g, card.line.project.phase) for g in card.gates]
            return lead + "\n".join(body)
        case PhasesResult(phases, changed):
            return ("Saved. " if changed else "") + "Phases: " + " → ".join(phases)
        case DocumentResult(doc, event, today):
            cur = doc.current
            lead = {
                "added": f"Added document #{doc.id} to {doc.project_key} (v{cur.number}, a draft)."
                f" Name who approves it: doc approvers {doc.id} @a @b",
                "version": f"Added v{cur.number}; "
                + ("its approvers are asked again." if doc.approvers else "a draft."),
                "approvers": "Approvers saved; whoever was not asked about "
                f"v{cur.number} yet is asked now.",
                "approved": f"You approved v{cur.number}."
                + (" Every approver has: it is approved." if cur.state.value == "approved" else ""),
                "changes": f"Changes requested on v{cur.number}; whoever added it is told.",
                "shown": "",
            }[event]
            return (lead + "\n" if lead else "") + document_text(doc, today)
        case DocumentListResult(key, docs, today):
            if not docs:
                return f'{key} has no documents. Add one: doc add {key} "Title" https://…'
            return f"Documents of {key}:\n" + "\n".join(document_line(d) for d in docs)
        case _:
            assert_never(result)


def matrix_text(m: RaciMatrix) -> str:
    head = f"RACI of {m.project_key} — {m.project_name}"
    if not m.people:
        return (
            f"{head}: nobody named yet.\nSet the project's default: raci set {m.project_key} "
            "R @a A @b C @c I @d, or a deliverable's: raci set "
            f"{m.project_key} <id> R @a A @b"
        )
    cols = [("default", None)] + [(f"#{d.id} {d.title}"[:16], d.id) for d in m.deliverables]
    width = max(len(f"@{p.handle}") for p in m.people) + 2
    lines = [head, " " * width + "  ".join(c.ljust(16) for c, _ in cols).rstrip()]
    for p in m.people:
        cells = "  ".join(m.cell(p.id, d).ljust(16) for _, d in cols)
        lines.append(f"@{p.handle}".ljust(width) + cells.rstrip())
    gaps = m.gaps()
    if gaps:
        lines.append("Nobody is Accountable for: " + ", ".join(f"#{d.id}" for d in gaps))
    return "\n".join(lines)


def card_text(card: RaciCard) -> str:
    d = card.deliverable
    if d is None:
        head = f"Default RACI of {card.project_key} (deliverables inherit each letter they "
        head += "don't name):"
    else:
        head = f"RACI of {card.project_key} #{d.id} {d.title}:"
    lines = [head]
    for code in "RACI":
        letter = RaciLetter(code)
        entries = [e for e in card.entries if e.letter == letter]
        named = ", ".join(f"{who(e.person)}{SOURCE[e.source]}" for e in entries) or "—"
        lines.append(f"  {code}  {named}")
    s = card.signoff
    if s is not None and s.state.value == "pending":
        lines.append(
            f"  Waiting for {who(s.accountable)}'s sign-off (asked by {who(s.requested_by)})."
        )
    elif s is not None and s.state.value == "not_yet":
        lines.append(f"  Last sign-off: not yet — “{s.reason}” ({who(s.decided_by)}).")
    elif s is not None and s.state.value == "signed_off":
        lines.append(f"  Signed off by {who(s.decided_by)}.")
    return "\n".join(lines)


def signoff_text(card: RaciCard, event: str) -> str:
    d = card.deliverable
    assert d is not None
    a = who(card.accountable)
    consulted = ", ".join(who(p) for p in card.people(RaciLetter.CONSULTED))
    informed = ", ".join(who(p) for p in card.people(RaciLetter.INFORMED))
    match event:
        case "requested":
            asked = f" The Consulted ({consulted}) are asked too." if consulted else ""
            return f"Deliverable #{d.id} {d.title} now waits for {a}'s sign-off.{asked}"
        case "signed_off":
            told = f" Told: {informed}." if informed else ""
            return f"Signed off: deliverable #{d.id} {d.title} is done.{told}"
        case "not_yet":
            why = card.signoff.reason if card.signoff else ""
            told = "Whoever asked and the Responsible are told."
            return f"Not yet: #{d.id} stays open (“{why}”). {told}"
        case _:
            return f"Deliverable #{d.id} {d.title} is done."


def dependency_line(v: DependencyView, today: date) -> str:
    state = v.state.value
    if v.state == DependencyState.PROPOSED:
        state = f"waiting for {v.awaiting_key}"
        if v.proposed_on:
            state += f" (proposed {day_label(v.proposed_on, today)})"
    elif v.state == DependencyState.DECLINED and v.reason:
        state += f": “{v.reason}”"
    parts = [
        f"#{v.id} {v.downstream_key} needs “{v.what}” from {v.upstream_key} "
        f"by {day_label(v.needed_by, today)}",
        state,
    ]
    if v.asked_by:
        parts.append(f"asked by {who(v.asked_by)}")
    if v.deliverable:
        parts.append(
            f"{v.upstream_key} #{v.deliverable.id} {v.deliverable.title}, forecast "
            f"{when(v.deliverable.forecast_on, today)}"
        )
    flag = "! " if v.risk else "  "
    line = flag + " · ".join(parts)
    return line + (f"\n    AT RISK: {v.risk}" if v.risk else "")


def dependency_list_text(
    key: str | None, needs: list[DependencyView], provides: list[DependencyView], today: date
) -> str:
    if not needs and not provides:
        return f"No dependencies{' for ' + key if key else ''} yet."
    lines = [f"Dependencies{' of ' + key if key else ''}:"]
    if needs:
        lines += ["  Needs:"] + ["  " + dependency_line(v, today) for v in needs]
    if provides:
        lines += ["  Provides:"] + ["  " + dependency_line(v, today) for v in provides]
    return "\n".join(lines)


def register_lines(ln: RegisterLine, has_risk_log: bool) -> list[str]:
    p = ln.project
    sponsor = ", ".join(who(s) for s in ln.sponsors) or "—"
    dates = (
        f"{p.start_on.isoformat() if p.start_on else '?'} → "
        f"{p.target_on.isoformat() if p.target_on else '?'}"
    )
    budget = "—"
    if ln.budget_planned is not None or ln.budget_actual is not None:
        budget = f"{money(ln.budget_planned, ln.currency) or '?'} planned, "
        budget += f"{money(ln.budget_actual, ln.currency) or '?'} actual"
    rag = f"{p.rag} ({p.rag_period})" if p.rag else "no update yet"
    risk = ln.top_risk or ("none" if has_risk_log else "(no RAID log yet)")
    out = [
        f"  {p.key:<10} {p.name} · {p.state.value.replace('_', ' ')} · phase {p.phase or '—'}",
        f"    PM {who(p.pm)} · sponsor {sponsor} · {dates} · budget {budget}",
        f"    RAG {rag} · top risk: {risk} · open items {ln.open_items} "
        f"({p.overdue_actions} overdue, {p.late_deliverables} late)",
    ]
    if ln.pending_gate is not None:
        g = ln.pending_gate
        out.append(f"    Waiting: {who(g.approver)} to approve entering {g.phase}")
    return out


def gate_line(g: GateView, current: str | None) -> str:
    here = " ◀ now" if g.phase == current else ""
    if g.state is None:
        return f"    {g.phase}: no approver (its PM moves it){here}"
    detail = {
        GateState.OPEN: "not asked yet",
        GateState.PENDING: f"waiting (asked by {who(g.requested_by)})",
        GateState.APPROVED: f"approved by {who(g.decided_by)}"
        + (f" on {g.decided_at:%Y-%m-%d}" if g.decided_at else ""),
        GateState.REJECTED: f"rejected by {who(g.decided_by)}: “{g.note}”",
    }[g.state]
    return f"    {g.phase}: {who(g.approver)} approves · {detail}{here}"


def document_line(doc: DocumentView) -> str:
    v = doc.current
    approved = len(v.decided(ReviewDecision.APPROVED))
    asked = len(v.reviews)
    tally = f" · {approved}/{asked} approved" if asked else ""
    return f"  #{doc.id} {doc.title} · v{v.number} {STATE[v.state.value]}{tally}"


def document_text(doc: DocumentView, today: date) -> str:
    approvers = ", ".join(who(p) for p in doc.approvers) or "none yet"
    lines = [
        f"Document #{doc.id} {doc.title} · {doc.project_key} · {STATE[doc.state.value]} "
        f"(v{doc.current.number})",
        f"  Added by {who(doc.owner)} · approvers: {approvers}",
    ]
    for v in doc.versions:
        made = f" by {who(v.created_by)} {day_label(v.created_at.date(), today)}"
        lines.append(f"  v{v.number} {STATE[v.state.value]} · {v.url}{made}")
        if v.note:
            lines.append(f"    what changed: {v.note}")
        for r in v.reviews:
            said = f" — “{r.comment}”" if r.comment else ""
            due = (
                f" (due {day_label(r.due_on, today)})"
                if r.decision == ReviewDecision.PENDING
                else ""
            )
            lines.append(f"    {who(r.approver)}: {DECISION[r.decision]}{said}{due}")
    return "\n".join(lines)
