"""The benchmark scripts stay runnable: each imports and prints its usage."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = sorted(p for p in (Path(__file__).resolve().parents[1] / "bench").glob("*.py")
               if p.name != "__init__.py")  # fmt: skip


@pytest.mark.parametrize("script", BENCH, ids=lambda p: p.name)
def test_a_benchmark_script_imports_and_shows_its_usage(script: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage" in done.stdout.lower()


def test_the_teams_latency_bench_runs_in_a_tiny_mode_and_reports_both_bots() -> None:
    script = Path(__file__).resolve().parents[1] / "bench" / "teams_latency.py"
    done = subprocess.run(
        [sys.executable, str(script), "--seconds", "0.4", "--clients", "2", "--items", "2"],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lines = {ln.split("  ")[0]: ln for ln in done.stdout.splitlines()}
    for bot in ("bare Agents SDK echo bot", "PMO Bot (Teams)"):
        figures = lines[bot].split()
        assert int(figures[-7]) > 0 and figures[-1] == "0", lines[bot]  # requests, no errors
