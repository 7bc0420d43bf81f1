"""Slack request workers: the HTTP front acks, worker processes do the work.

`pmo-bot serve` answers Slack on one asyncio event loop. For the requests whose listeners ack
empty at once (slash commands, block actions, shortcuts, events) the front only verifies the
signature, writes the raw request to a local socket and answers 200; worker processes read it
from there and run it through the full Bolt app (identity, event dedupe, listeners, replies
through the response_url / chat / views.open). So the work never competes with the acks for
the front's interpreter lock, and the workers run at a lower CPU priority than the front
(SLACK_WORKER_PRIORITY, default SCHED_IDLE), so that on a busy machine acks win the CPU and
the work waits, instead of the other way round.

The queue is a `SOCK_SEQPACKET` Unix socket pair (Linux; elsewhere `pmo-bot serve` runs the
requests in-process). Chosen by measurement (bench/handoff.py, README "Performance"):

- hand-off costs the event loop one non-blocking `send`, about 1 µs per request (a SQLite
  table 13-43 µs with stalls to 100 ms behind the workers' write lock, Redis 22 µs and a
  service local mode must not need, a PostgreSQL table 366 µs); an idle worker thread wakes
  at once (request -> reply p50 5 ms at 200 requests/s), so a `trigger_id` (3 s) is fresh;
- every read is one whole request, so any number of worker threads and processes share it with
  no lock: a worker that dies loses only the requests it was executing (and their deferred
  follow-ups), never a half-read one or a lock that would block the others (as a reader
  killed inside `multiprocessing.Queue.get` does), and its replacement takes what is queued.

The trade-off: the queue is in memory. Requests acked but not yet run are lost if the serving
process itself dies (the kernel buffer, then a bounded backlog on the front); Slack does not
resend commands or clicks that were acked, so the person sees no reply and tries again.
Nothing is ever half-done: each listener's service call is one transaction. When the backlog
is full, when a message is too large for the socket, or when no worker is alive, the front
runs the request in-process, as before workers existed: slower acks, but the work is done.
"""

from __future__ import annotations

import asyncio
import collections
import gc
import json
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from multiprocessing.connection import wait as wait_for_sentinels
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from slack_bolt import App, BoltRequest

    from bot.config import Settings
    from services.core.people import PersonDefaults

log = logging.getLogger(__name__)

# The largest request handed to a worker; larger ones (rare: a click in a 100-block view) run
# in-process. The socket's send buffer is raised to hold it (capped by net.core.wmem_max).
MAX_MESSAGE = 1 << 20
SEND_BUFFER = 4 << 20
# Bytes of requests acked and waiting for room in the socket (~90,000 slash commands); beyond
# this the front runs requests itself. Bounds memory, not waiting time.
MAX_BACKLOG = 64 << 20
# A request that waited longer than this for a worker has a stale trigger_id (valid 3 s).
STALE_SECONDS = 2.5
DEFERRED_INTERACTIONS = {"block_actions", "message_action", "shortcut"}


def deferrable(raw: bytes) -> bool:
    """True for the Slack requests whose listeners ack empty at once.

    Slash commands, block actions, shortcuts and Events API callbacks. Everything else —
    view submissions (inline field errors), options, url_verification, ssl_check — must be
    answered by the listener itself, so it is dispatched in the front as before.
    """
    body = raw.lstrip()
    if body.startswith(b"{"):
        try:
            return bool(json.loads(body).get("type") == "event_callback")
        except (ValueError, AttributeError):
            return False
    if _has_key(body, b"ssl_check"):
        return False
    if _has_key(body, b"command"):
        return True
    if _has_key(body, b"payload"):
        try:
            form = urllib.parse.parse_qs(body.decode("utf-8"))
            payload = json.loads(form["payload"][0])
        except (ValueError, KeyError, UnicodeDecodeError):
            return False
        return isinstance(payload, dict) and payload.get("type") in DEFERRED_INTERACTIONS
    return False


def _has_key(form: bytes, key: bytes) -> bool:
    # In a form body `&` and `=` inside values are percent-encoded, so this finds keys only.
    return form.startswith(key + b"=") or (b"&" + key + b"=") in form


def encode(raw: bytes, headers: Mapping[str, str], query: str) -> bytes:
    """One queue message: a JSON line (headers, query, when received), then the raw body."""
    head = json.dumps({"h": dict(headers), "q": query, "t": time.time()}).encode()
    return head + b"\n" + raw


def decode(message: bytes) -> BoltRequest:
    """The BoltRequest a queue message carries (context "pmo_received_at": when acked)."""
    from slack_bolt import BoltRequest

    head, _, raw = message.partition(b"\n")
    meta = json.loads(head)
    return BoltRequest(
        body=raw.decode("utf-8"),
        query=meta["q"],
        headers=meta["h"],
        context={"pmo_received_at": meta["t"]},
    )


class InlineExecutor(Executor):
    """Runs a submitted function at once in the caller's thread.

    A worker gives it to Bolt as the listener executor: the lazy listener then runs inside
    `dispatch`, so a worker thread takes the next request only when it has finished this one
    (no unbounded prefetch, and a dead worker loses at most one request per thread).
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


class _Every:
    """Counts an event and says when to log it: at most once per `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.count, self._last = seconds, 0, -1e9
        self._lock = threading.Lock()

    def due(self) -> bool:
        with self._lock:
            self.count += 1
            now = time.monotonic()
            if now - self._last < self.seconds:
                return False
            self._last = now
            return True


_stale = _Every(10.0)


def serve_requests(app: App, sock: socket.socket) -> None:
    """Run requests from the queue through `app` until the front closes it (one thread)."""
    buf = bytearray(MAX_MESSAGE)
    view = memoryview(buf)
    while True:
        try:
            n = sock.recv_into(buf, 0, socket.MSG_TRUNC)
        except OSError as exc:
            log.warning("worker queue closed: %s", exc)
            return
        if n == 0:
            return  # the front closed its end and the queue is drained
        if n > MAX_MESSAGE:
            log.error("dropped a %d-byte request larger than the worker buffer", n)
            continue
        try:
            req = decode(bytes(view[:n]))
            waited = time.time() - req.context["pmo_received_at"]
            if waited > STALE_SECONDS and _stale.due():
                log.warning(
                    "Slack requests wait %.1f s for a worker (over 3 s a trigger_id "
                    "has expired): the machine is busier than the workers can follow; "
                    "%d such request(s) so far",
                    waited,
                    _stale.count,
                )
            resp = app.dispatch(req)
            if resp.status not in (200, 404) or resp.body:  # Bolt logs unhandled ones itself
                log.warning(
                    "a deferred %s request was answered %s %.200s; the front had acked it empty",
                    req.body.get("type") or "command",
                    resp.status,
                    resp.body,
                )
        except Exception:
            log.exception("a deferred Slack request failed")


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker process needs to build its own Bolt app (picklable)."""

    settings: Settings
    defaults: PersonDefaults
    threads: int
    priority: str


def lower_priority(priority: str) -> None:
    """Make this process yield the CPU to the front: "idle" (SCHED_IDLE) or a nice increment.

    SCHED_IDLE (Linux) runs the worker only on CPU time no normal process wants: measured in
    bench/ack_latency.py it keeps the ack tail where a bare Bolt app's is, where nice 10 and
    nice 19 let the workers' time slices show in the acks' p99. Elsewhere it falls back to
    nice 19.
    """
    if priority == "idle":
        idle = getattr(os, "SCHED_IDLE", None)
        if idle is not None:
            os.sched_setscheduler(0, idle, os.sched_param(0))
            return
        priority = "19"
    if int(priority):
        os.nice(int(priority))


def _worker_process(spec: WorkerSpec, sock: socket.socket) -> None:
    """Entry point of a worker process: its own engine, deps and Bolt app; exits at EOF."""
    # Ctrl-C and a service manager's SIGTERM reach the whole process group: the front decides
    # when workers stop (it closes the queue; they finish what is queued, then exit).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    lower_priority(spec.priority)
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("pmo_bot").setLevel(spec.settings.log_level.upper())
    from bot.db import make_engine, make_sessionmaker
    from bot.slack.app import build_slack_app
    from handlers.slack.listeners import SlackDeps

    engine = make_engine(spec.settings.database_url)
    deps = SlackDeps(
        make_sessionmaker(engine), defaults=spec.defaults, public_url=spec.settings.public_url
    )
    app = build_slack_app(spec.settings, deps, engine=engine, worker=True)
    gc.freeze()  # long-lived: out of the collector's full passes, as in the front
    threads = [
        threading.Thread(target=serve_requests, args=(app, sock), name=f"pmo-worker-{i}")
        for i in range(spec.threads)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    deps.background.shutdown(wait=True)
    engine.dispose()


def supported() -> bool:
    """Whether this platform has Unix SOCK_SEQPACKET socket pairs (Linux does; macOS not)."""
    try:
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    except (AttributeError, OSError):
        return False
    a.close()
    b.close()
    return True


class SlackWorkers:
    """The queue between the HTTP front and the workers, and the workers themselves.

    `start_processes` is what `pmo-bot serve` uses; `start_threads` runs the same worker loop
    on threads of this process (tests that share an in-memory clock with the bot).
    """

    def __init__(self, *, max_backlog: int = MAX_BACKLOG) -> None:
        """`max_backlog`: bytes of acked requests held while the socket is full."""
        self._front, self._back = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._front.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        self._back.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SEND_BUFFER)
        self._front.setblocking(False)
        # The kernel caps the buffer at net.core.wmem_max; keep every message well inside it.
        self.max_message = min(
            MAX_MESSAGE, self._front.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) // 2
        )
        self.max_backlog = max_backlog
        self._backlog: collections.deque[bytes] = collections.deque()
        self._backlog_bytes = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._threads: list[threading.Thread] = []
        self._procs: dict[int, BaseProcess] = {}
        self._started: dict[int, float] = {}
        self._spec: WorkerSpec | None = None
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None
        self.live = 0
        self.restarts = 0
        self.ran_here = 0
        self.queued = 0
        self._refusals = _Every(10.0)

    # -- the front's side (called on the event loop only) ---------------------------------
    def submit(self, message: bytes) -> bool:
        """Queue one request; False when the caller must run it itself."""
        if self.live <= 0:
            return self._refuse("no worker is running")
        if len(message) > self.max_message:
            return self._refuse(f"a {len(message)}-byte request is too large for the queue")
        if self._backlog:
            if self._backlog_bytes + len(message) > self.max_backlog:
                return self._refuse(f"{len(self._backlog)} requests are waiting already")
            self._backlog.append(message)
            self._backlog_bytes += len(message)
            self.queued += 1
            return True
        try:
            self._front.send(message)
        except BlockingIOError:
            self._backlog.append(message)
            self._backlog_bytes += len(message)
            self._loop = asyncio.get_running_loop()
            self._loop.add_writer(self._front.fileno(), self._flush)
        except OSError as exc:
            return self._refuse(f"the queue failed: {exc}")
        self.queued += 1
        return True

    def _refuse(self, why: str) -> bool:
        self.ran_here += 1
        if self._refusals.due():
            log.warning(
                "running Slack requests in the server process: %s (%d so far)", why, self.ran_here
            )
        return False

    def _flush(self) -> None:
        while self._backlog:
            try:
                self._front.send(self._backlog[0])
            except BlockingIOError:
                return
            except OSError as exc:  # the workers' end is gone; stop() reports the rest
                log.error("worker queue failed (%s); %d requests not run", exc, len(self._backlog))
                self._backlog.clear()
                self._backlog_bytes = 0
                break
            self._backlog_bytes -= len(self._backlog.popleft())
        if self._loop is not None:
            self._loop.remove_writer(self._front.fileno())

    def stats(self) -> dict[str, int]:
        """Workers alive, requests queued and run here since start, backlog, restarts."""
        return {
            "live": self.live,
            "queued": self.queued,
            "ran_here": self.ran_here,
            "backlog": len(self._backlog),
            "restarts": self.restarts,
        }

    # -- the workers ---------------------------------------------------------------------
    def start_threads(self, app: App, threads: int) -> SlackWorkers:
        """Serve the queue with `threads` threads of this process, through `app`."""
        for i in range(threads):
            t = threading.Thread(
                target=serve_requests, args=(app, self._back), name=f"pmo-worker-{i}", daemon=True
            )
            t.start()
            self._threads.append(t)
        self.live = threads
        return self

    def start_processes(
        self,
        settings: Settings,
        defaults: PersonDefaults,
        *,
        processes: int,
        threads: int = 8,
        priority: str | None = None,
    ) -> SlackWorkers:
        """Start `processes` worker processes (restarted if they die) of `threads` threads,
        at `priority` (default: SLACK_WORKER_PRIORITY)."""
        chosen = settings.slack_worker_priority if priority is None else priority
        self._spec = WorkerSpec(settings, defaults, threads, chosen)
        for i in range(processes):
            self._spawn(i)
        self.live = processes
        self._supervisor = threading.Thread(
            target=self._supervise, name="pmo-worker-supervisor", daemon=True
        )
        self._supervisor.start()
        return self

    def _spawn(self, index: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        proc = ctx.Process(
            target=_worker_process, args=(self._spec, self._back), name=f"pmo-worker-{index}"
        )
        proc.start()
        self._procs[index] = proc
        self._started[index] = time.monotonic()

    def pids(self) -> list[int]:
        """Process ids of the worker processes."""
        return [p.pid for p in self._procs.values() if p.pid is not None]

    def _supervise(self) -> None:
        quick_deaths = 0
        while not self._stopping.is_set():
            procs = dict(self._procs)
            ended = wait_for_sentinels([p.sentinel for p in procs.values()], timeout=0.5)
            if self._stopping.is_set():
                return
            for index, proc in procs.items():
                if proc.sentinel not in ended:
                    continue
                proc.join()
                self.live = sum(p.is_alive() for p in self._procs.values())
                log.error(
                    "Slack worker %s (pid %s) died with exit code %s; restarting it. "
                    "The requests it was running are lost.",
                    index,
                    proc.pid,
                    proc.exitcode,
                )
                # A worker that keeps dying at start (bad configuration) is retried slower.
                quick = time.monotonic() - self._started[index] < 10
                quick_deaths = quick_deaths + 1 if quick else 0
                if quick_deaths > 3:
                    self._stopping.wait(min(30.0, 2.0 ** (quick_deaths - 3)))
                if self._stopping.is_set():
                    return
                self._spawn(index)
                self.restarts += 1
                self.live = len(self._procs)

    def stop(self, timeout: float = 30.0) -> None:
        """Hand over the backlog, close the queue, let the workers finish what is queued."""
        self._stopping.set()
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_writer(self._front.fileno())
        self._front.setblocking(True)
        self._front.settimeout(timeout)
        try:
            while self._backlog:
                self._front.send(self._backlog.popleft())
        except OSError as exc:
            log.error("stopping: %d queued Slack requests not run (%s)", len(self._backlog), exc)
        self._front.close()  # workers read what is queued, then see end-of-file
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))
        for proc in self._procs.values():
            proc.join(timeout=max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                log.error("Slack worker pid %s did not finish in time; killing it", proc.pid)
                proc.kill()
                proc.join(timeout=5)
        if self._supervisor is not None:
            self._supervisor.join(timeout=5)
        self._back.close()
        self.live = 0
