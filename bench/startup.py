"""Benchmark: how long `pmo-bot --help` and `pmo-bot console -c help` take to start, of their
own — each against `python -c pass` (the same interpreter and environment) in the same run.

The three are run in turn (A B C A B C …) so a busy machine slows them alike; the figure is
each command's median minus the interpreter's median. Target: under 0.3 s of their own.

    python bench/startup.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent / "pmo-bot"
CASES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "pmo-bot --help": [str(BIN), "--help"],
    "pmo-bot console -c help": [str(BIN), "console", "-c", "help"],
}
TARGET = 0.3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in CASES}
    with tempfile.TemporaryDirectory() as empty:  # no .env, no database: what help needs
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE"))}
        for _ in range(args.runs):
            for name, argv in CASES.items():
                start = time.perf_counter()
                done = subprocess.run(argv, cwd=empty, env=env, capture_output=True)
                times[name].append(time.perf_counter() - start)
                if done.returncode != 0:
                    sys.exit(f"{name} failed: {done.stderr.decode()[-500:]}")
    base = statistics.median(times["python -c pass"])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.runs} runs each, interleaved; load average {load:.1f} at the end")
    for name, samples in times.items():
        med = statistics.median(samples)
        own = med - base
        line = f"{name:<26} median {med * 1000:7.1f} ms  min {min(samples) * 1000:7.1f} ms"
        if name != "python -c pass":
            verdict = "ok" if own < TARGET else "OVER"
            line += f"  of its own {own * 1000:6.1f} ms ({verdict}, target {TARGET * 1000:.0f})"
        print(line)


if __name__ == "__main__":
    main()
