"""Set up prometheus-client's multiprocess mode before anything imports it (`pmo-bot serve`).

prometheus-client decides at import whether values live in memory or in files shared by
processes, so this module imports nothing of it and runs first (bot/cli/main.py).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess() -> Path:
    """A fresh PROMETHEUS_MULTIPROC_DIR (the operator's, emptied, or a temporary one)."""
    given = os.environ.get(ENV)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):  # values of a previous run would add up with ours
            stale.unlink()
        return path
    path = Path(tempfile.mkdtemp(prefix="pmo-bot-metrics-"))
    os.environ[ENV] = str(path)
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path
