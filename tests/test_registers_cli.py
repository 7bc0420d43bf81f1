"""`pmo-bot register` and `pmo-bot raci` write the register and a RACI chart as files; the
console's exports land in the working directory."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from bot.cli.main import main


@pytest.fixture
def cli(db_url: str, sessions, monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)
    for var in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID"):
        monkeypatch.delenv(var, raising=False)
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_register_and_raci_export_from_the_command_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for who, text in (
        ("pat", 'project new APOLLO "Apollo"'),
        ("pat", "project set APOLLO budget 90000 GBP"),
        ("pat", 'deliverable add APOLLO "Design spec" due:2026-12-04'),
        ("ana", "project list"),
        ("pat", "raci set APOLLO 1 R @ana A @pat"),
    ):
        done = cli("console", "--as", who, "-c", text)
        assert done.exit_code == 0, done.output
    out = cli("register", "--format", "csv", "-o", str(tmp_path / "reg.csv"))
    assert out.exit_code == 0 and "Wrote Project register (1 projects)" in out.output
    (row,) = list(csv.DictReader((tmp_path / "reg.csv").read_text().splitlines()))
    assert (row["Key"], row["PM"], row["Budget planned"], row["Currency"]) == (
        "APOLLO", "pat", "90000.0", "GBP",
    )  # fmt: skip
    out = cli("raci", "apollo", "-o", str(tmp_path / "raci.xlsx"))
    assert out.exit_code == 0, out.output
    sheet = load_workbook(tmp_path / "raci.xlsx")["RACI APOLLO"]
    assert [c.value for c in sheet[3]][:4] == ["ana", "Ana", None, "R"]
    denied = cli("register", "--as", "ana", "-o", str(tmp_path / "no.csv"))
    assert denied.exit_code == 1 and "for PMO leads" in denied.output
    # In the console, an export is saved in the working directory.
    saved = cli("console", "--as", "pat", "-c", "raci export APOLLO")
    assert saved.exit_code == 0 and (tmp_path / "raci-APOLLO.xlsx").exists()
