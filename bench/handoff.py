"""Benchmark: what handing one Slack request from the HTTP front to a worker costs the front.

The front's budget is tiny: a bare Bolt app acks `/pmo` at about 4,000 requests/s on this
machine, so at most 1.2 times its latency leaves some 50 µs of front CPU per request for the hand-off.
For each queue this times, in one process, putting 20,000 real queue messages (a signed
`/pmo action list mine` with its headers, as `bot.slack.handoff.encode` makes it) while a
consumer takes them, and reports the front's cost per request: wall time of the puts and, for
queues with a background thread on the front, the front process's CPU time.

- SOCK_SEQPACKET socket pair (what PMO Bot uses): one non-blocking send;
- multiprocessing.Queue: put + pickling and write by its feeder thread (same process, GIL);
- SQLite table: INSERT + COMMIT (WAL, synchronous=NORMAL, as bot.db sets it);
- PostgreSQL table: INSERT + COMMIT over loopback;
- Redis LPUSH over loopback (raw RESP, one round trip; skipped if no server on :6379).

    python bench/handoff.py [--n 20000]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import multiprocessing.synchronize
import os
import socket
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.slack.handoff import encode
from tests.fake_slack import sign

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def message() -> bytes:
    body = urllib.parse.urlencode({
        "token": "legacy", "team_id": "T1", "team_domain": "acme", "channel_id": "C1",
        "channel_name": "general", "user_id": "U1", "user_name": "alice", "command": "/pmo",
        "text": "action list mine", "api_app_id": "A1",
        "response_url": "https://hooks.slack.com/commands/T1/1234/abcdefABCDEF", "trigger_id": "1.2.3",
    })  # fmt: skip
    headers = {"host": "pmo.example.com", "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
               "content-type": "application/x-www-form-urlencoded", "content-length": str(len(body)),
               "accept": "application/json,*/*", "accept-encoding": "gzip,deflate",
               **{k.lower(): v for k, v in sign("s", body).items()}}  # fmt: skip
    return encode(body.encode(), headers, "")


def timed(name: str, n: int, put: Callable[[bytes], None], done: Callable[[], None]) -> None:
    msg = message()
    each = []
    cpu0 = time.process_time()
    for _ in range(n):
        t = time.perf_counter()
        put(msg)
        each.append(time.perf_counter() - t)
    done()
    cpu = time.process_time() - cpu0
    each.sort()
    print(f"{name:<40} {sum(each) / n * 1e6:>8.1f} {each[int(n * 0.99)] * 1e6:>8.1f} "
          f"{each[-1] * 1e6:>9.0f} {cpu / n * 1e6:>8.1f}")  # fmt: skip


def seqpacket(n: int) -> None:
    front, back = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    front.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    reader = _other_process(back, front)  # a worker
    timed("SOCK_SEQPACKET socket pair", n, front.send, lambda: (front.close(), reader.join()))


def _drain_socket(sock: socket.socket, front: socket.socket) -> None:
    front.close()  # the fork's copy: the worker must see end-of-file when the front closes
    buf = bytearray(1 << 20)
    while sock.recv_into(buf):
        pass


def _other_process(sock: socket.socket, front: socket.socket) -> mp.process.BaseProcess:
    p = mp.get_context("fork").Process(target=_drain_socket, args=(sock, front))
    p.start()
    return p


def _drain_queue(q: mp.Queue) -> None:  # type: ignore[type-arg]
    while q.get() is not None:
        pass


def mp_queue(n: int) -> None:
    q: mp.Queue = mp.get_context("fork").Queue()  # type: ignore[type-arg]
    p = mp.get_context("fork").Process(target=_drain_queue, args=(q,))
    p.start()

    def done() -> None:
        q.put(None)
        q.close()
        q.join_thread()
        p.join()

    timed("multiprocessing.Queue", n, q.put, done)


def _claim_rows(url: str, table: str, stop: mp.synchronize.Event) -> None:
    """A worker taking rows off a table queue: one write transaction per request."""
    from sqlalchemy import text

    from bot.db import make_engine

    engine = make_engine(url)
    while not stop.is_set():
        with engine.begin() as c:
            row = c.execute(text(f"SELECT id FROM {table} ORDER BY id LIMIT 1")).first()
            if row is not None:
                c.execute(text(f"DELETE FROM {table} WHERE id = :id"), {"id": row[0]})
        if row is None:
            time.sleep(0.001)
    engine.dispose()


def db_table(name: str, url: str, n: int, *, consumer: bool) -> None:
    from sqlalchemy import text

    from bot.db import make_engine

    engine = make_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    table = f"handoff_{uuid.uuid4().hex[:8]}"
    with engine.begin() as c:
        c.execute(text(f"CREATE TABLE {table} (id {'INTEGER' if sqlite else 'SERIAL'} "
                       f"PRIMARY KEY, body {'BLOB' if sqlite else 'BYTEA'})"))  # fmt: skip
    stop = mp.get_context("spawn").Event()
    worker = None
    if consumer:
        worker = mp.get_context("spawn").Process(target=_claim_rows, args=(url, table, stop))
        worker.start()
        time.sleep(2)
    conn = engine.raw_connection()
    cur = conn.cursor()
    sql = f"INSERT INTO {table} (body) VALUES ({'?' if sqlite else '%s'})"

    def put(msg: bytes) -> None:
        cur.execute(sql, (msg,))
        conn.commit()

    def done() -> None:
        stop.set()
        if worker is not None:
            worker.join()
        conn.close()
        with engine.begin() as c:
            c.execute(text(f"DROP TABLE {table}"))
        engine.dispose()

    timed(name, n, put, done)


def redis(n: int) -> None:
    try:
        sock = socket.create_connection(("127.0.0.1", 6379), timeout=1)
    except OSError:
        print(f"{'Redis LPUSH':<34} skipped: no server on 127.0.0.1:6379")
        return
    sock.settimeout(10)
    key = f"handoff:{uuid.uuid4().hex[:8]}".encode()
    f = sock.makefile("rb")

    def command(*parts: bytes) -> bytes:
        sock.sendall(
            b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)
        )
        return f.readline()

    def done() -> None:
        command(b"DEL", key)
        sock.close()

    timed("Redis LPUSH (one round trip)", n, lambda msg: command(b"LPUSH", key, msg), done)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000)
    args = ap.parse_args()
    print(f"queue message: {len(message())} bytes; {args.n:,} puts each; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(f"{'queue':<40} {'mean µs':>8} {'p99 µs':>8} {'max µs':>9} {'CPU µs':>8}  (per put)")
    seqpacket(args.n)
    mp_queue(args.n)
    redis(args.n // 4)
    lite = f"sqlite:///{tempfile.mkdtemp()}/q.sqlite3"
    db_table("SQLite table, INSERT + COMMIT", lite, args.n // 4, consumer=False)
    db_table("  + a worker deleting what it takes", lite, args.n // 4, consumer=True)
    db_table("PostgreSQL table, INSERT + COMMIT", PG_URL, args.n // 10, consumer=False)
    db_table("  + a worker deleting what it takes", PG_URL, args.n // 10, consumer=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
