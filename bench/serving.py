"""Benchmark: `pmo-bot serve` with two worker processes, idle — its memory (PSS).

Also the helpers the serving benchmarks share (bench/burst.py): a fake Slack in its own
process, a migrated SQLite database, `pmo-bot serve` started until /readyz says 200, and the
proportional set size of a process tree from /proc/<pid>/smaps_rollup (shared pages counted
once, split between the processes that share them). Target: at most 160 MB in total.

    python bench/serving.py [--workers 2] [--tiny]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fake_slack import post, sign

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent / "pmo-bot"
SECRET = "bench-signing-secret"
PSS_TARGET_MB = 160
FAKE_SERVER = (
    "import sys; from tests.fake_slack import FakeSlack; f = FakeSlack().start(); "
    "f.add_user('U1', 'alice'); print(f.api_url, flush=True); sys.stdin.read()"
)


@dataclass
class Served:
    base: str
    proc: subprocess.Popen[bytes]
    fake_url: str
    log: Path

    def command(self, text: str, n: int, *, user: str = "U1") -> tuple[int, str]:
        """POST a signed `/pmo <text>` whose reply goes to the fake's /response/r<n>."""
        body = urllib.parse.urlencode({
            "team_id": "T1", "user_id": user, "channel_id": "C1", "command": "/pmo",
            "text": text, "response_url": f"{self.fake_url}response/r{n}", "trigger_id": f"t{n}",
            "api_app_id": "A1", "token": "legacy",
        })  # fmt: skip
        form = "application/x-www-form-urlencoded"
        return post(self.base + "/slack/events", body, sign(SECRET, body), form)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, timeout: float = 5) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@contextlib.contextmanager
def fake_slack() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """The fake Slack in a process of its own (as Slack is); yields its API URL."""
    fake = subprocess.Popen([sys.executable, "-c", FAKE_SERVER], cwd=ROOT, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # fmt: skip
    assert fake.stdout is not None
    try:
        yield fake.stdout.readline().strip(), fake
    finally:
        fake.kill()
        fake.wait()


@contextlib.contextmanager
def serving(api_url: str, *, workers: int = 2) -> Iterator[Served]:
    """`pmo-bot serve` on a fresh SQLite database, returned once /readyz says 200."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PROMETHEUS"))}
        env.update(DATABASE_URL=f"sqlite:///{tmp}/bench.db", SLACK_BOT_TOKEN="xoxb-bench",
                   SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=api_url)  # fmt: skip
        subprocess.run([str(BIN), "db", "upgrade"], env=env, cwd=tmp, check=True,
                       capture_output=True)  # fmt: skip
        port = free_port()
        log = Path(tmp) / "serve.log"
        with log.open("w") as err:
            proc = subprocess.Popen([str(BIN), "serve", "--host", "127.0.0.1", "--port",
                                     str(port), "--no-scheduler", "--workers", str(workers)],
                                    env=env, cwd=tmp, stderr=err)  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                with contextlib.suppress(OSError):
                    if get(base + "/readyz", timeout=2) == 200:
                        break
                if proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit("serve did not become ready:\n" + log.read_text()[-2000:])
                time.sleep(0.01)
            yield Served(base, proc, api_url, log)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def tree(pid: int) -> list[int]:
    """`pid` and its descendants."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += [c for c, parent in parents.items() if parent == p]
    return out


def pss_mb(pid: int) -> float:
    """Proportional set size of one process, MB (shared pages split among their sharers)."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tiny", action="store_true", help="one command, a short idle wait")
    args = parser.parse_args()
    with fake_slack() as (api_url, _), serving(api_url, workers=args.workers) as served:
        time.sleep(0.5 if args.tiny else 3)
        started = measure(served.proc.pid)
        commands = 2 if args.tiny else 20
        for n in range(commands):  # every worker runs something
            served.command("help" if n % 2 else "action list mine", n)
        time.sleep(1 if args.tiny else 5)
        after = measure(served.proc.pid)
    print(f"pmo-bot serve, {args.workers} workers: {len(started)} processes")
    for label, each in (("idle after start", started), (f"idle after {commands} commands", after)):
        total = sum(each.values())
        verdict = "ok" if total <= PSS_TARGET_MB else "OVER"
        parts = " + ".join(f"{mb:.1f}" for mb in each.values())
        print(f"{label:<24} total PSS {total:6.1f} MB = {parts} ({verdict}, "
              f"target {PSS_TARGET_MB} MB)")  # fmt: skip


def measure(pid: int) -> dict[int, float]:
    """PSS of the server and each worker, MB."""
    return {p: pss_mb(p) for p in tree(pid)}


if __name__ == "__main__":
    main()
