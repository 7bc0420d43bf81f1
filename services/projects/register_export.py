"""The project register as CSV and as an Excel workbook (cells that look like formulas are
defused)."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from services.projects.portfolio import Register

COLUMNS = [
    "Key",
    "Name",
    "State",
    "PM",
    "Sponsor",
    "Phase",
    "Start",
    "End",
    "Budget planned",
    "Budget actual",
    "Currency",
    "Latest RAG",
    "RAG week",
    "Top risk",
    "Open action items",
    "Overdue action items",
    "Open deliverables",
    "Late deliverables",
    "Gate waiting",
]
RAG_COLUMN = COLUMNS.index("Latest RAG") + 1


def rows(reg: Register) -> list[list[object]]:
    """One row per project, in COLUMNS order (amounts in whole units, decimals kept)."""
    out: list[list[object]] = []
    for ln in reg.lines:
        p = ln.project
        gate = ln.pending_gate
        out.append(
            [
                p.key,
                p.name,
                p.state.value,
                p.pm.handle if p.pm else "",
                ", ".join(s.handle for s in ln.sponsors),
                p.phase or "",
                p.start_on.isoformat() if p.start_on else "",
                p.target_on.isoformat() if p.target_on else "",
                ln.budget_planned / 100 if ln.budget_planned is not None else "",
                ln.budget_actual / 100 if ln.budget_actual is not None else "",
                ln.currency or "",
                p.rag or "",
                p.rag_period or "",
                ln.top_risk or ("" if reg.has_risk_log else "(no RAID log)"),
                p.open_actions,
                p.overdue_actions,
                p.open_deliverables,
                p.late_deliverables,
                f"{gate.phase} ({gate.approver.handle})" if gate and gate.approver else "",
            ]
        )
    return out


def _cell(value: object) -> object:
    """A text cell a spreadsheet won't run as a formula (numbers stay numbers)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(reg: Register) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS)
    for r in rows(reg):
        w.writerow([_cell(v) for v in r])
    return buf.getvalue()


def to_xlsx(reg: Register) -> bytes:
    """The register as a workbook: RAG cells coloured, the header and key column frozen."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Project register"
    ws.append(COLUMNS)
    for c in ws[1]:
        c.font = Font(bold=True)
    fills = {"green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE"}
    for r in rows(reg):
        ws.append([_cell(v) for v in r])
        color = fills.get(str(r[RAG_COLUMN - 1]))
        if color:
            ws.cell(row=ws.max_row, column=RAG_COLUMN).fill = PatternFill("solid", fgColor=color)
    ws.freeze_panes = "B2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
