"""Exports people open: the report's workbook is read back with openpyxl (styles and types),
its CSV goes through LibreOffice (accents, dates, percentages), its Markdown carries the
heat map."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from services.commands.execute import run_text
from services.projects import register as projects
from services.status import charts, exports
from services.status import report as reports
from tests.conftest import NOW, World

NAME = "Café Zürich — Ångström façade"
SUMMARY = "Überprüfung läuft; naïve coöperation, señor"


@pytest.fixture
def report(world: World) -> reports.Report:
    lead = world.actor("lead")
    projects.create(world.session, lead, key="CAFE", name=NAME, now=NOW)
    projects.create(world.session, lead, key="DOCK", name="Dock", now=NOW)
    run_text(world.session, lead, f'status CAFE green "{SUMMARY}"', now=NOW)
    run_text(world.session, lead, "status CAFE amber", now=NOW)  # a second version
    return reports.build(world.session, world.ws.id, "2026-W48", today=date(2026, 11, 25))


def test_the_workbook_has_a_sheet_per_section_styled_and_typed(report: reports.Report) -> None:
    wb = load_workbook(BytesIO(exports.to_xlsx(report)))
    assert wb.sheetnames == [
        "Summary", "Projects", "RAG history", "RAG changes", "Green but slipping",
        "Missing updates", "Top risks", "New issues",
    ]  # fmt: skip
    ws = wb["Projects"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["project", "name", "pm", "overall"]
    col = {name: i + 1 for i, name in enumerate(header)}
    top = ws.cell(1, 1)
    assert top.font.bold and top.fill.fgColor.rgb.endswith("1F4E78") and ws.freeze_panes == "B2"
    assert ws.column_dimensions["B"].width >= len(NAME)  # wide enough for the name
    cafe = {name: ws.cell(2, i).value for name, i in col.items()}
    assert cafe["name"] == NAME and cafe["summary"] == SUMMARY  # accents intact
    assert cafe["overall"] == "amber"
    assert ws.cell(2, col["overall"]).fill.fgColor.rgb.endswith("FFEB9C")  # amber cell
    assert ws.cell(3, col["overall"]).value == "missing"
    assert ws.cell(3, col["overall"]).fill.fgColor.rgb.endswith("D9D9D9")
    assert cafe["escalate"] == "no" and cafe["on_time"] == "yes"  # yes/no, not TRUE/FALSE
    assert isinstance(cafe["overdue_items"], int)
    assert isinstance(cafe["week_start"], datetime) and cafe["week_start"].date() == date(
        2026, 11, 23
    )
    assert ws.cell(2, col["week_start"]).number_format == "yyyy-mm-dd"
    assert ws.cell(2, col["on_time_rate"]).number_format == "0%"
    assert cafe["on_time_rate"] == 1  # a number shown as 100%
    summary = {r[0].value: r[1].value for r in wb["Summary"].iter_rows(min_row=2)}
    assert summary["amber"] == 1 and summary["missing"] == 1 and summary["projects"] == 2
    assert isinstance(summary["week starting"], datetime)
    history = wb["RAG history"]
    assert [c.value for c in history[1]][-1] == "2026-W48" and history.freeze_panes == "C2"
    assert history.cell(2, history.max_column).value == "amber"
    assert history.cell(2, history.max_column).fill.fgColor.rgb.endswith("FFEB9C")
    missing = wb["Missing updates"]
    assert [c.value for c in missing[2]] == ["DOCK", "Dock", "lead"]


def test_the_csv_has_a_bom_and_opens_in_libreoffice_with_accents_dates_and_percentages(
    report: reports.Report, tmp_path: Path
) -> None:
    data = exports.to_csv_bytes(report)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel keeps accents
    text = data.decode("utf-8-sig")
    assert f"CAFE,{NAME},lead,amber" in text and ",no," in text and "2026-11-23" in text
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI needs LibreOffice (.ci/run installs libreoffice-calc-nogui)")
        pytest.skip("LibreOffice (soffice) is not installed here; CI installs and runs it")
    source = tmp_path / "report-2026-W48.csv"
    source.write_bytes(data)
    # LibreOffice's command line reads a CSV in the "system" character set unless told:
    # 44,34,76,1 = comma, double quote, UTF-8 (76), from line 1 (its documented CSV filter).
    done = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
         "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(tmp_path),
         str(source)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    converted = tmp_path / "report-2026-W48.xlsx"
    assert converted.exists(), done.stdout + done.stderr
    ws = load_workbook(converted).active
    assert ws is not None
    header = [c.value for c in ws[1]]
    assert header[0] == "project"  # the BOM did not stick to the first header
    row = {name: ws.cell(2, i + 1).value for i, name in enumerate(header)}
    assert row["name"] == NAME and row["summary"] == SUMMARY
    assert isinstance(row["week_start"], datetime)  # read as a date, not text
    assert row["on_time_rate"] == 1 and row["escalate"] == "no"  # "100%" read as a number
    assert row["overdue_items"] == 0 and isinstance(row["overdue_items"], int)


def test_the_markdown_export_carries_the_heat_map(report: reports.Report) -> None:
    md = exports.to_markdown(report, chart=charts.rag_heatmap(report))
    found = re.search(
        r"!\[RAG by project over the last 8 cycles\]\(data:image/png;base64,([^)]+)\)", md
    )
    assert found and base64.b64decode(found.group(1)).startswith(b"\x89PNG\r\n\x1a\n")
    assert "| CAFE | amber |" in md
