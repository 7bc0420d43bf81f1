"""Benchmark: `pmo-bot teams --help` (which must not load the builder or matplotlib) and
`pmo-bot teams package` (draws the icons, writes the zip), each against `python -c pass`.

The three are run in turn (A B C A B C …) so a busy machine slows them alike; the figure is
each command's median minus the interpreter's. Also prints the zip's size and its files.

    python bench/teams_package.py [--runs 11]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

BIN = Path(sys.executable).parent / "pmo-bot"
APP_ID = "6f1d2c3b-0a9e-4b7c-8d5e-123456789abc"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "pmo-bot.zip"
        cases = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "pmo-bot teams --help": [str(BIN), "teams", "--help"],
            "pmo-bot teams package": [str(BIN), "teams", "package", "--app-id", APP_ID,
                                      "--public-url", "https://pmo.example.com", "-o", str(out)],
        }  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTIONS__")}
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, argv in cases.items():
                start = time.perf_counter()
                done = subprocess.run(argv, cwd=work, env=env, capture_output=True)
                times[name].append(time.perf_counter() - start)
                if done.returncode != 0:
                    sys.exit(f"{name} failed: {done.stderr.decode()[-500:]}")
        with zipfile.ZipFile(out) as zf:
            sizes = ", ".join(f"{i.filename} {i.file_size} B" for i in zf.infolist())
        size = out.stat().st_size
    base = statistics.median(times["python -c pass"])
    print(f"{args.runs} runs each, interleaved")
    for name, samples in times.items():
        med = statistics.median(samples)
        line = f"{name:<24} median {med * 1000:7.1f} ms  max {max(samples) * 1000:7.1f} ms"
        if name != "python -c pass":
            line += f"  of its own {(med - base) * 1000:6.1f} ms"
        print(line)
    print(f"pmo-bot.zip: {size} B ({sizes})")


if __name__ == "__main__":
    main()
