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


def _tiny(script: str, *args: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve().parents[1] / "bench" / script), "--tiny",
         *args], capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    print(done.stdout)
    return done.stdout


def test_timeouts_bench_in_tiny_mode_sends_each_reminder_report_and_minutes_part_once() -> None:
    out = _tiny("timeouts.py")
    assert "duplicates: 0, losses: 0" in out
    assert "reports: 2, duplicated parts: 0, lost parts: 0" in out
    assert "minutes: 2, duplicated parts: 0, lost parts: 0" in out


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="Linux /proc")
def test_serving_bench_in_tiny_mode_prints_pss_within_the_target_when_idle() -> None:
    out = _tiny("serving.py")
    line = next(ln for ln in out.splitlines() if ln.startswith("idle after start"))
    total = float(line.split("total PSS")[1].split("MB")[0])
    assert 40 < total <= 160, line


def test_burst_bench_in_tiny_mode_opens_every_form_in_time() -> None:
    out = _tiny("burst.py")
    assert "never opened 0" in out and "(ok, target 2.5 s)" in out
    first = next(ln for ln in out.splitlines() if ln.startswith("/readyz 200"))
    assert float(first.split("came ")[1].split(" s")[0]) < 1.0, first


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
