"""The RAID log as a file (CSV, Excel, Markdown: every entry of the projects asked for,
decisions included), and the RAID part of the portfolio report's exports. Spreadsheet
cells never start like a formula."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Person, Project, RaidEntry, RaidKind, Workspace
from services.core.views import PersonRef
from services.raid.policy import RaidPolicy
from services.raid.portfolio import RaidSummary
from services.raid.store import to_view, view_query
from services.raid.views import KIND_PLURAL, RaidEntryView

COLUMNS = [
    "project",
    "ref",
    "kind",
    "title",
    "status",
    "owner",
    "actionee",
    "raised_by",
    "probability",
    "impact",
    "score",
    "band",
    "residual_probability",
    "residual_impact",
    "residual_score",
    "proximity",
    "strategy",
    "category",
    "opportunity",
    "issue_type",
    "severity",
    "priority",
    "date",
    "resolution",
    "linked",
    "decided_on",
    "minutes",
    "attendees",
    "description",
    "created_at",
    "closed_at",
]
FILLS = {"red": "FFC7CE", "amber": "FFEB9C", "green": "C6EFCE"}


def log_entries(
    session: Session, workspace_id: int, *, key: str | None = None
) -> list[RaidEntryView]:
    """Every entry of the workspace (or one project), in project and ref order."""
    settings = session.scalar(select(Workspace.settings).where(Workspace.id == workspace_id))
    policy = RaidPolicy.from_settings(settings)
    q = view_query(workspace_id)
    if key:
        q = q.where(Project.key == key.upper())
    rows = session.execute(q.order_by(Project.key, RaidEntry.kind, RaidEntry.number)).all()
    views = [to_view(r, policy) for r in rows]
    present: dict[int, list[int]] = {
        i: people
        for i, people in session.execute(
            select(RaidEntry.id, RaidEntry.attendees).where(
                RaidEntry.workspace_id == workspace_id, RaidEntry.kind == RaidKind.DECISION
            )
        )
    }
    ids = {i for people in present.values() for i in (people or [])}
    names = {
        i: h for i, h in session.execute(select(Person.id, Person.handle).where(Person.id.in_(ids)))
    }
    return [_with_attendees(v, present[v.id], names) if present.get(v.id) else v for v in views]


def _with_attendees(v: RaidEntryView, ids: list[int], names: dict[int, str]) -> RaidEntryView:
    people = tuple(PersonRef(i, "", names.get(i, "?"), names.get(i, "?")) for i in ids)
    return replace(v, attendees=people)


def _h(p: Any) -> str:
    return f"@{p.handle}" if p else ""


def _name(p: Any) -> str:
    """A person in a spreadsheet cell: the handle (no @, which a spreadsheet would defuse)."""
    return p.handle if p else ""


def row(v: RaidEntryView) -> list[object]:
    """One entry as plain values, in COLUMNS order."""
    return [
        v.project_key,
        v.ref,
        v.kind.value,
        v.title,
        v.status.value,
        _h(v.owner),
        _h(v.actionee),
        _h(v.raised_by),
        v.probability or "",
        v.impact or "",
        v.score or "",
        v.band.value if v.band else "",
        v.residual_probability or "",
        v.residual_impact or "",
        v.residual_score or "",
        v.proximity.value if v.proximity else "",
        v.strategy.value if v.strategy else "",
        v.category or "",
        v.opportunity if v.kind == RaidKind.RISK else "",
        v.issue_type.value if v.issue_type else "",
        v.severity.value if v.severity else "",
        v.priority.value if v.priority else "",
        _iso(v.next_date),
        v.resolution,
        v.linked or "",
        _iso(v.decided_on),
        v.minutes_id or "",
        " ".join(_h(p) for p in v.attendees),
        v.description,
        v.created_at.isoformat() if v.created_at else "",
        v.closed_at.isoformat() if v.closed_at else "",
    ]


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def cell(value: object) -> object:
    """A cell a spreadsheet won't run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(entries: list[RaidEntryView]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS)
    for v in entries:
        w.writerow([cell(x) for x in row(v)])
    return buf.getvalue()


def to_xlsx(entries: list[RaidEntryView]) -> bytes:
    """One sheet per kind (risk scores coloured by band), the header frozen."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for kind in RaidKind:
        ws = wb.create_sheet(KIND_PLURAL[kind].title())
        ws.append(COLUMNS)
        for c in ws[1]:
            c.font = Font(bold=True)
        for v in entries:
            if v.kind != kind:
                continue
            ws.append([cell(x) for x in row(v)])
            if v.band is not None:
                fill = PatternFill("solid", fgColor=FILLS[v.band.value])
                ws.cell(row=ws.max_row, column=COLUMNS.index("score") + 1).fill = fill
        ws.freeze_panes = "C2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(entries: list[RaidEntryView], title: str = "RAID log") -> str:
    lines = [f"# {title}", ""]
    for kind in RaidKind:
        mine = [v for v in entries if v.kind == kind]
        if not mine:
            continue
        lines += [f"## {KIND_PLURAL[kind].title()} ({len(mine)})", ""]
        lines += [
            "| Ref | Title | Status | Owner | Score / severity | Date |",
            "|---|---|---|---|---|---|",
        ]
        for v in mine:
            level = (
                f"{v.score} {v.band.value}" if v.band else (v.severity.value if v.severity else "")
            )
            day = _iso(v.decided_on if kind == RaidKind.DECISION else v.next_date)
            lines.append(
                f"| {v.full_ref} | {_md(v.title)} | {v.status.value} | {_h(v.owner)} | "
                f"{level} | {day} |"
            )
        lines.append("")
    return "\n".join(lines)


# --- the portfolio report's RAID part --------------------------------------------------------


def report_markdown(s: RaidSummary, today: date | None = None) -> list[str]:
    """Top risks and new high-severity issues as Markdown lines."""
    lines: list[str] = []
    if s.top_risks:
        more = s.red_total - len(s.top_risks)
        lines += ["", f"## Top risks ({s.red_total} in the red band)", ""]
        lines += [
            f"- {v.full_ref} {_md(v.title)}: {v.score} ({v.probability}×{v.impact}) · "
            f"{_h(v.owner) or 'no owner'} · {review_state(v, today)}"
            for v in s.top_risks
        ]
        if more > 0:
            lines.append(f"- … and {more} more")
    if s.new_issues:
        lines += ["", "## New high-severity issues", ""]
        lines += [
            f"- {v.full_ref} {_md(v.title)}: {v.severity.value if v.severity else ''} · "
            f"{_h(v.owner) or 'no owner'}"
            for v in s.new_issues
        ]
    return lines


def review_state(v: RaidEntryView, today: date | None = None) -> str:
    """`review due 2026-12-04` or `review overdue since …` (the report's review state)."""
    if v.next_date is None:
        return "no review date"
    if today is not None and v.next_date < today:
        return f"review overdue since {v.next_date.isoformat()}"
    return f"review {v.next_date.isoformat()}"


def report_tables(s: RaidSummary) -> list[tuple[str, list[str], list[list[object]]]]:
    """The report's RAID tables: top risks and new high-severity issues (name, header, rows)."""
    return [
        (name, list(COLUMNS), [[cell(x) for x in row(v)] for v in views])
        for name, views in (("Top risks", s.top_risks), ("New issues", s.new_issues))
    ]
