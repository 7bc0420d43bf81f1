"""The portfolio report as a file people open: CSV for Excel and LibreOffice (UTF-8 with a BOM,
dates as ISO dates, yes/no, percentages), an Excel workbook (a sheet per section, styled and
frozen header, column widths, RAG cells coloured, numbers and dates typed) and Markdown (with
the heat map embedded). Spreadsheet cells never start like a formula."""

from __future__ import annotations

import base64
import csv
import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from models import Rag
from services.raid.exports import report_markdown, report_tables
from services.status.report import HISTORY, ProjectLine, Report

CSV_ENCODING = "utf-8-sig"  # the BOM tells Excel the file is UTF-8 (accents intact)
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
    "week",
    "week_start",
    "updated_by",
]
RAG_COLUMNS = {"overall", "previous", "schedule", "scope", "budget", "resources"}
TEXT_COLUMNS = {"name", "summary", "highlights", "blockers", "asks", "next_steps"}
FILLS = {"green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE", "missing": "D9D9D9"}
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
MAX_WIDTH = 60


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def week_start(period: str) -> date:
    """The Monday of an ISO week such as 2026-W47."""
    return date.fromisocalendar(int(period[:4]), int(period[6:]), 1)


def rows(report: Report) -> list[list[object]]:
    """One row of typed values per project, in COLUMNS order: text, whole numbers, a rate
    as a fraction, yes/no, and the week's Monday as a date."""
    monday = week_start(report.period)
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
                yes_no(bool(f and f.escalate)),
                f.asks if f else "",
                f.next_steps if f else "",
                yes_no(ln.on_time) if f else "",
                ln.overdue_items,
                ln.overdue_deliverables,
                yes_no(ln.slipping),
                round(ln.on_time_rate, 3) if ln.on_time_rate is not None else "",
                report.period,
                monday,
                ln.author.handle if ln.author else "",
            ]
        )
    return out


def _cell(value: object) -> str:
    """A CSV cell as Excel and LibreOffice read it, never run as a formula."""
    if isinstance(value, float):
        return f"{value:.0%}"  # 0.833 → 83%: read back as a percentage
    if isinstance(value, date):
        return value.isoformat()  # read back as a date
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(report: Report) -> str:
    """The report as CSV text: a header row, then one row per project."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS)
    for r in rows(report):
        w.writerow([_cell(v) for v in r])
    return buf.getvalue()


def to_csv_bytes(report: Report) -> bytes:
    """The CSV file: UTF-8 with a byte-order mark, so Excel keeps the accents."""
    return to_csv(report).encode(CSV_ENCODING)


def _safe(value: object) -> object:
    return _cell(value) if isinstance(value, str) else value


def _table(
    ws: Worksheet, header: list[str], body: list[list[object]], *, freeze: str = "A2"
) -> None:
    """A sheet: styled, frozen header; typed cells; RAG cells coloured; widths to fit."""
    ws.append(header)
    for c in ws[1]:
        c.font, c.fill = HEADER_FONT, HEADER_FILL
        c.alignment = Alignment(vertical="center")
    for r in body:
        ws.append([_safe(v) for v in r])
    widths = [len(h) for h in header]
    for row in ws.iter_rows(min_row=2):
        for c in row:
            col = int(c.column or 1)
            name = header[col - 1]
            if isinstance(c.value, date):
                c.number_format = "yyyy-mm-dd"
            elif isinstance(c.value, float):
                c.number_format = "0%"
            fill = FILLS.get(str(c.value)) if name in RAG_COLUMNS or name.startswith("20") else None
            if fill:
                c.fill = PatternFill("solid", fgColor=fill)
            if name in TEXT_COLUMNS:
                c.alignment = Alignment(wrap_text=True, vertical="top")
            shown = 10 if isinstance(c.value, date) else len(str(c.value or ""))
            widths[col - 1] = max(widths[col - 1], min(shown, MAX_WIDTH))
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width + 2
    ws.freeze_panes = freeze
    ws.auto_filter.ref = ws.dimensions


def _summary(report: Report) -> list[list[object]]:
    rate = report.on_time_rate
    return [
        ["week", report.period],
        ["week starting", week_start(report.period)],
        ["report date", report.today],
        ["projects", len(report.projects)],
        ["green", report.count(Rag.GREEN)],
        ["amber", report.count(Rag.AMBER)],
        ["red", report.count(Rag.RED)],
        ["missing", len(report.missing)],
        [f"on time over the last {HISTORY} cycles", round(rate, 3) if rate is not None else ""],
    ]


def _rag(r: Rag | None) -> str:
    return r.value if r else ""


def _history(ln: ProjectLine) -> list[object]:
    return [ln.key, ln.name, *[(r.value if r else "") for r in ln.history]]


def to_xlsx(report: Report) -> bytes:
    """The report as an Excel workbook, one sheet per section."""
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = "Summary"
    _table(summary, ["item", "value"], _summary(report))
    _table(wb.create_sheet("Projects"), COLUMNS, rows(report), freeze="B2")
    weeks = report.periods[-HISTORY:] if report.periods else []
    _table(
        wb.create_sheet("RAG history"),
        ["project", "name", *weeks],
        [_history(ln) for ln in report.projects],
        freeze="C2",
    )
    changed = [ln for ln in report.projects if ln.changed]
    _table(
        wb.create_sheet("RAG changes"),
        ["project", "name", "previous", "overall"],
        [
            [
                ln.key,
                ln.name,
                _rag(ln.previous),
                _rag(ln.update.overall if ln.update else None),
            ]
            for ln in changed
        ],
    )
    _table(
        wb.create_sheet("Green but slipping"),
        ["project", "name", "overall", "overdue_deliverables"],
        [
            [ln.key, ln.name, ln.update.overall.value if ln.update else "", ln.overdue_deliverables]
            for ln in report.projects
            if ln.slipping
        ],
    )
    _table(
        wb.create_sheet("Missing updates"),
        ["project", "name", "pm"],
        [[ln.key, ln.name, ln.pm.handle if ln.pm else ""] for ln in report.missing],
    )
    if report.raid is not None:  # top risks and new high-severity issues
        for name, header, body in report_tables(report.raid):
            _table(wb.create_sheet(name), header, body)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_markdown(report: Report, *, chart: bytes | None = None) -> str:
    """The report as Markdown: counts (and the heat map, when given as PNG bytes), RAG
    changes, slipping, missing, then every project."""

    def esc(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [f"# Portfolio status · {report.period}", ""]
    lines.append(
        f"{report.count(Rag.GREEN)} green · {report.count(Rag.AMBER)} amber · "
        f"{report.count(Rag.RED)} red · {len(report.missing)} missing"
    )
    if chart:
        data = base64.b64encode(chart).decode("ascii")
        lines += [
            "",
            f"![RAG by project over the last {HISTORY} cycles](data:image/png;base64,{data})",
        ]
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
            f"{ln.overdue_deliverables} overdue deliverable"
            f"{'s' if ln.overdue_deliverables != 1 else ''}"
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
