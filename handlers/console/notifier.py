"""The console side of the Notifier port: reminders printed as text (local mode)."""

from __future__ import annotations

from collections.abc import Callable

from handlers.console.text import digest_text, when
from services.meetings.export import to_markdown as minutes_markdown
from services.meetings.outbox import FinalMinutes
from services.outbox.port import Bundle
from services.status.exports import to_markdown
from services.status.report import Report

LABEL = {
    "heads_up": "due on the next working day",
    "due_today": "due today",
    "overdue": "overdue",
    "overdue_on_leave": "overdue while its owner is on leave",
    "escalate_pm": "ESCALATION to you as PM",
    "escalate_lead": "ESCALATION to the PMO",
    "undeliverable": "its owner can't be reached",
    "minutes_action": "new, from the minutes",
    "raid_due": "due for review",
    "raid_overdue": "review overdue",
    "raid_escalate_pm": "ESCALATION to you as PM: review overdue",
    "raid_escalate_lead": "ESCALATION to the PMO: review long overdue",
    "escalate_accountable": "ESCALATION to you as Accountable (RACI)",
}


def bundle_text(bundle: Bundle) -> str:
    """A reminder bundle as the text a console user would read."""
    n = len(bundle.reminders)
    to = bundle.recipient_external_id
    if isinstance(bundle.attachment, Report):
        return f"To {to if bundle.to_channel else '@' + to}:\n" + to_markdown(bundle.attachment)
    if isinstance(bundle.attachment, FinalMinutes):
        return f"To {to}:\n" + minutes_markdown(bundle.attachment.minutes)
    to = to if bundle.to_channel else f"@{to}"
    if not n:
        return f"To {to}:\n" + "\n".join(digest_text(d) for d in bundle.digests)
    lines = [f"To {to}: {n} reminder{'s' if n != 1 else ''}"]
    for r in bundle.reminders:
        key = f" · {r.project_key}" if r.project_key else ""
        owner = (
            f" · owner @{r.owner_handle}" if r.rule.startswith(("escalate", "overdue_on")) else ""
        )
        lines.append(
            f"  {'deliverable ' if r.kind == 'deliverable' else ''}"
            f"{'' if r.kind.startswith('raid_') else '#' + str(r.item_id) + ' '}"
            f"{r.title}{key}{owner} · "
            f"{LABEL.get(r.rule, r.rule)} · "
            f"due {when(r.due_on, bundle.today)}"
        )
    reminded = frozenset((r.kind, r.item_id) for r in bundle.reminders)
    lines += [t for d in bundle.digests if (t := digest_text(d, reminded))]
    return "\n".join(lines)


class ConsoleNotifier:
    """Prints each bundle; used when no chat platform is configured."""

    def __init__(self, echo: Callable[[str], None] = print) -> None:
        self.echo = echo

    def send(self, bundle: Bundle) -> None:
        self.echo(bundle_text(bundle))
