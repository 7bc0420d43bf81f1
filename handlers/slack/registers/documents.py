"""Documents in Block Kit. Pure: data in, JSON out."""

from __future__ import annotations

from datetime import date

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
    list_with_overflow,
    section,
    who,
)
from models import ReviewDecision
from services.commands.results_registers import DocumentListResult, DocumentResult
from services.documents.views import DocumentView, VersionView

STATE = {
    "draft": "📝 draft",
    "in_review": "👀 in review",
    "approved": "✅ approved",
    "superseded": "🗄️ superseded",
}
DECISION = {
    ReviewDecision.PENDING: "⏳ not decided",
    ReviewDecision.APPROVED: "✅ approved",
    ReviewDecision.CHANGES_REQUESTED: "✏️ requested changes",
}


def link(url: str, label: str) -> str:
    """A link whose address can't break out of the link markup."""
    safe = url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E")
    return f"<{escape(safe)}|{escape(label)}>"


def version_text(v: VersionView, today: date) -> str:
    head = f"{link(v.url, 'v' + v.number)} {STATE[v.state.value]}"
    if v.created_by:
        head += f" · by {who(v.created_by)} {day(v.created_at.date(), today)}"
    lines = [head]
    if v.note:
        lines.append(f"_What changed:_ {escape(clip(v.note, 500))}")
    for r in v.reviews:
        said = f": “{escape(clip(r.comment, 300))}”" if r.comment else ""
        due = f" (due {day(r.due_on, today)})" if r.decision == ReviewDecision.PENDING else ""
        lines.append(f"• {who(r.approver)} {DECISION[r.decision]}{said}{due}")
    return "\n".join(lines)


def document_line(doc: DocumentView) -> str:
    v = doc.current
    n = len(v.decided(ReviewDecision.APPROVED))
    tally = f" · {n}/{len(v.reviews)} approved" if v.reviews else ""
    return (
        f"*#{doc.id}* {escape(doc.title)} · {link(v.url, 'v' + v.number)} "
        f"{STATE[v.state.value]}{tally}"
    )


def document_message(result: DocumentResult) -> Message:
    doc, today = result.document, result.today
    v = doc.current
    lead = {
        "added": f"📄 Added document *#{doc.id}* to `{escape(doc.project_key)}`. Name its "
        f"approvers: {command(f'doc approvers {doc.id} @a @b')}",
        "version": f"📄 Added v{escape(v.number)}"
        + ("; its approvers are asked again." if doc.approvers else " (a draft)."),
        "approvers": "✅ Approvers saved; whoever was not asked about this version is asked now.",
        "approved": f"✅ You approved v{escape(v.number)}."
        + (" Every approver has: it is approved." if v.state.value == "approved" else ""),
        "changes": f"✏️ Changes requested on v{escape(v.number)}; whoever added it is told.",
        "shown": "",
    }[result.event]
    approvers = ", ".join(who(p) for p in doc.approvers) or "none yet"
    blocks: list[Block] = [section(lead)] if lead else []
    blocks += [
        section(
            f"*#{doc.id}* {escape(doc.title)} · `{escape(doc.project_key)}` · "
            f"{STATE[doc.state.value]}\nAdded by {who(doc.owner)} · approvers: {approvers}"
        )
    ]
    for ver in doc.versions[: MESSAGE_BLOCKS - 4]:
        blocks.append(section(version_text(ver, today)))
    if len(doc.versions) > MESSAGE_BLOCKS - 4:
        blocks.append(context(f"… and {len(doc.versions) - (MESSAGE_BLOCKS - 4)} older versions."))
    return Message(fallback(f"Document #{doc.id}: ", doc.title), blocks)


def document_list_message(result: DocumentListResult) -> Message:
    key = result.key
    if not result.documents:
        hint = command(f'doc add {key} "Title" https://…')
        return Message(
            f"{key} has no documents.", [section(f"`{escape(key)}` has no documents. {hint}")]
        )
    rows = [[section(document_line(d))] for d in result.documents]
    head = [header(f"Documents of {key}")]
    blocks = list_with_overflow(rows, head, len(result.documents), MESSAGE_BLOCKS)
    return Message(f"Documents of {key} ({len(result.documents)})", blocks)
