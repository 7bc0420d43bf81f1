"""`pmo-bot --help` and `console -c help` import only what they need (bench/startup.py times
them); the lazy command list says what each command says of itself."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import click
import pytest

from bot.cli.main import COMMANDS, main

BIN = Path(sys.executable).parent / "pmo-bot"
HEAVY = ("sqlalchemy", "slack_bolt", "slack_sdk", "uvicorn", "starlette", "matplotlib",
         "openpyxl", "dateparser", "pydantic", "alembic", "icalendar", "numpy", "apscheduler",
         "psycopg")  # fmt: skip


def imported_by(*argv: str, cwd: Path) -> tuple[set[str], str]:
    """The top-level packages `pmo-bot <argv>` imports, and what it printed."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", str(BIN), *argv],
        capture_output=True, text=True, timeout=120, cwd=cwd,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    names = {
        line.split("|")[-1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    return names, done.stdout


@pytest.mark.parametrize("argv", [("--help",), ("console", "-c", "help"),
                                  ("console", "-c", "help action")])  # fmt: skip
def test_help_imports_neither_the_database_nor_a_platform(argv: tuple[str, ...],
                                                           tmp_path: Path) -> None:  # fmt: skip
    names, out = imported_by(*argv, cwd=tmp_path)
    assert not names & set(HEAVY), sorted(names & set(HEAVY))
    assert ("Commands:" in out) if argv == ("--help",) else ("PMO Bot —" in out)
    assert not (tmp_path / "pmo-bot.sqlite3").exists()  # help needs no database


def test_the_command_list_says_what_each_command_says_of_itself() -> None:
    for name, (module, attribute, text) in COMMANDS.items():
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        assert " ".join((command.help or "").split("\n\n")[0].split()) == text, name
        assert main.get_command(click.Context(main), name) is command


def test_the_console_defaults_to_the_demo_lead() -> None:
    from bot import demo
    from bot.cli import console

    assert console.DEMO_LEAD == demo.DEMO_LEAD
