"""The portfolio report as a file: rows of plain values, CSV, Excel (RAG cells coloured) and
Markdown. Spreadsheet cells never start like a formula."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from models import Rag
from services.raid.exports import report_markdown, report_sheets
from services.status.report import HISTORY, Report

COLUMNS = [
    "project",
    "name",
    "pm",
    "overall",
    "previous",
    "schedule",
    "scope",
    "budget",
    "resources",
    "percent_complete",
    "summary",
    "highlights",
    "blockers",
    "escalate",
    "asks",
    "next_steps",
    "on_time",
    "overdue_items",
    "overdue_deliverables",
    "green_but_slipping",
    "on_time_rate",
]


def rows(report: Report) -> list[list[object]]:
    """One row of plain values per project, in COLUMNS order."""
    out: list[list[object]] = []
    for ln in report.projects:
        f = ln.update
        out.append(
            [
                ln.key,
                ln.name,
                ln.pm.handle if ln.pm else "",
                f.overall.value if f else ("skipped" if ln.skipped else "missing"),
                ln.previous.value if ln.previous else "",
                *[
                    (getattr(f, n).value if f and getattr(f, n) else "")
                    for n in ("schedule", "scope", "budget", "resources")
                ],
                f.percent_complete if f and f.percent_complete is not None else "",
                f.summary if f else "",
                f.highlights if f else "",
                f.blockers if f else "",
                bool(f and f.escalate),
                f.asks if f else "",
                f.next_steps if f else "",
                ln.on_time if f else "",
                ln.overdue_items,
                ln.overdue_deliverables,
                ln.slipping,
                round(ln.on_time_rate, 3) if ln.on_time_rate is not None else "",
            ]
        )
    return out


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet won't run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(report: Report) -> str:
    """The report as CSV: a header row, then one row per project."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS)
    for r in rows(report):
        w.writerow([_cell(v) for v in r])
    return buf.getvalue()


def to_xlsx(report: Report) -> bytes:
    """The report as an Excel workbook (overall RAG cells coloured, the header frozen)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = report.period
    ws.append(COLUMNS)
    for c in ws[1]:
        c.font = Font(bold=True)
    fills = {"green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE"}
    for r in rows(report):
        ws.append([_cell(v) if isinstance(v, str) else v for v in r])
        color = fills.get(str(r[3]))
        if color:
            ws.cell(row=ws.max_row, column=4).fill = PatternFill("solid", fgColor=color)
    ws.freeze_panes = "B2"
    if report.raid is not None:
        report_sheets(wb, report.raid)  # top risks and new high-severity issues
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_markdown(report: Report) -> str:
    """The report as Markdown: counts, RAG changes, slipping, missing, then every project."""

    def esc(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [f"# Portfolio status · {report.period}", ""]
    lines.append(
        f"{report.count(Rag.GREEN)} green · {report.count(Rag.AMBER)} amber · "
        f"{report.count(Rag.RED)} red · {len(report.missing)} missing"
    )
    changed = [ln for ln in report.projects if ln.changed]
    if changed:
        lines += ["", "## RAG changes", ""]
        lines += [
            f"- {ln.key}: {ln.previous.value if ln.previous else ''} → "
            f"{ln.update.overall.value if ln.update else ''}"
            for ln in changed
        ]
    slipping = [ln for ln in report.projects if ln.slipping]
    if slipping:
        lines += ["", "## Green but slipping", ""]
        lines += [
            f"- {ln.key}: reports {ln.update.overall.value if ln.update else ''} with "
            f"{ln.overdue_deliverables} overdue deliverable(s)"
            for ln in slipping
        ]
    if report.at_risk:
        lines += ["", "## Dependencies at risk", ""]
        lines += [
            f"- #{v.id} {v.downstream_key} needs “{esc(v.what)}” from {v.upstream_key} by "
            f"{v.needed_by.isoformat()}: {esc(v.risk or '')}"
            for v in report.at_risk
        ]
    if report.missing:
        lines += ["", "## Missing updates", ""]
        lines += [
            f"- {ln.key} ({'@' + ln.pm.handle if ln.pm else 'no PM'})" for ln in report.missing
        ]
    lines += [
        "",
        "## Projects",
        "",
        "| Project | RAG | Was | % | Summary | Blockers | Asks | Overdue items | "
        "Overdue deliverables |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for ln in report.projects:
        f = ln.update
        lines.append(
            f"| {ln.key} | {f.overall.value if f else 'skipped' if ln.skipped else 'missing'} | "
            f"{ln.previous.value if ln.previous else ''} | "
            f"{f.percent_complete if f and f.percent_complete is not None else ''} | "
            f"{esc(f.summary) if f else esc(ln.skip_note)} | {esc(f.blockers) if f else ''} | "
            f"{esc(f.asks) if f else ''} | {ln.overdue_items} | {ln.overdue_deliverables} |"
        )
    if report.raid is not None:
        lines += report_markdown(report.raid, report.today)
    rate = report.on_time_rate
    if rate is not None:
        lines += ["", f"On time over the last {HISTORY} cycles: {rate:.0%}."]
    return "\n".join(lines) + "\n"
