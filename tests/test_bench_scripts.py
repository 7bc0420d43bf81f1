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
