"""A RACI chart as an Excel workbook: people by deliverables, the letters in the cells."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from services.raci.views import RaciMatrix

FILLS = {"R": "C6EFCE", "A": "FFC7CE", "C": "FFEB9C", "I": "DDEBF7"}
LEGEND = (
    ("R", "Responsible: does the work; reminded and chased"),
    ("A", "Accountable: signs it off; escalated to before the PM (exactly one)"),
    ("C", "Consulted: asked before it is signed off"),
    ("I", "Informed: told when it is done, slips or is re-forecast"),
)


def safe(text: str) -> str:
    """A cell a spreadsheet won't run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_xlsx(m: RaciMatrix) -> bytes:
    """The chart: a row per person, a column for the project default and one per deliverable."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"RACI {m.project_key}"[:31]
    heads = ["Handle", "Name", f"{m.project_key} default"] + [
        safe(f"#{d.id} {d.title}") for d in m.deliverables
    ]
    ws.append(heads)
    for c in ws[1]:
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.append(["", "Forecast", ""] + [d.forecast_on.isoformat() for d in m.deliverables])
    for p in m.people:
        row: list[str] = [safe(p.handle), safe(p.display_name), m.cell(p.id, None)]
        row += [m.cell(p.id, d.id) for d in m.deliverables]
        ws.append(row)
        for col in range(3, len(row) + 1):
            cell = ws.cell(row=ws.max_row, column=col)
            first = str(cell.value or "")[:1]
            if first in FILLS:
                cell.fill = PatternFill("solid", fgColor=FILLS[first])
                cell.alignment = Alignment(horizontal="center")
    ws.freeze_panes = "C3"
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 22
    legend = wb.create_sheet("Legend")
    legend.append(["Letter", "Meaning"])
    for letter, meaning in LEGEND:
        legend.append([letter, meaning])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
