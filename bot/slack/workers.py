"""Slack request workers: the HTTP front acks, worker processes do the work.

Workers are forked (where there is fork) from the front once it has imported and built
everything, their Bolt app included, so they share those pages (bench/serving.py).

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

There are two such queues, "lanes": requests that open a form (their trigger_id lives 3 s) and
the rest, each with threads of its own in every worker (bot/slack/handoff.lane_of decides).

The trade-off: the queue is in memory. The kernel's queue belongs to the workers as much as to
the front, so if the serving process dies they still drain it; only the bounded backlog the
front holds while that queue is full is lost (none on SIGTERM: it is handed over first), and a
worker that dies loses the requests it was running (tests/test_ops_durability.py measures
it). Slack does not resend commands or clicks that were acked, so the person sees no reply and
tries again.
Nothing is ever half-done: each listener's service call is one transaction. When the backlog
is full, when a message is too large for the socket, or when no worker is alive, the front
runs the request in-process, as before workers existed: slower acks, but the work is done.
"""

from __future__ import annotations

import asyncio
import collections
import gc
import logging
import multiprocessing
import socket
import threading
import time
from multiprocessing.connection import wait as wait_for_sentinels
from multiprocessing.process import BaseProcess
from typing import Any

from slack_bolt import App

from bot import metrics
from bot.config import Settings
from bot.slack.handoff import FORMS, MAX_BACKLOG, MAX_MESSAGE, SEND_BUFFER, WORK, Every
from bot.slack.worker import (
    Lanes,
    WorkerRuntime,
    WorkerSpec,
    build_runtime,
    serve_requests,
    worker_process,
)
from services.core.people import PersonDefaults

log = logging.getLogger(__name__)


class _Lane:
    """One queue: a socket pair, the front's backlog for it, and counts for its depth."""

    def __init__(self, name: str, ctx: Any) -> None:
        self.name = name
        self.front, self.back = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.front.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        self.back.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SEND_BUFFER)
        self.front.setblocking(False)
        self.backlog: collections.deque[bytes] = collections.deque()
        self.backlog_bytes = 0
        self.queued = 0
        self.taken: Any = ctx.Value("q", 0)  # incremented by whichever worker takes one
        self.writing = False

    def depth(self) -> int:
        """Requests acked and not yet taken by a worker."""
        return max(0, self.queued - int(self.taken.value))


class SlackWorkers:
    """The queues between the HTTP front and the workers, and the workers themselves.

    Two lanes: "forms" for requests that open a form (their trigger_id lives 3 s), with
    threads of their own in every worker, and "work" for the rest; a backlog of work never
    delays a form. `start_processes` is what `pmo-bot serve` uses; `start_threads` runs the
    same worker loop on threads of this process (tests that share a clock with the bot).
    """

    def __init__(self, *, max_backlog: int = MAX_BACKLOG) -> None:
        """`max_backlog`: bytes of acked requests held (per lane) while its socket is full."""
        # fork where there is fork: the workers share what the front imported (bot/cli/serve.py
        # imports and freezes everything first), ~4 times less memory than a spawned worker.
        methods = multiprocessing.get_all_start_methods()
        self._ctx: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._lanes = {name: _Lane(name, self._ctx) for name in (FORMS, WORK)}
        # The kernel caps the buffer at net.core.wmem_max; keep every message well inside it.
        sndbuf = self._lanes[WORK].front.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        self.max_message = min(MAX_MESSAGE, sndbuf // 2)
        self.max_backlog = max_backlog
        self._loop: asyncio.AbstractEventLoop | None = None
        self._threads: list[threading.Thread] = []
        self._procs: dict[int, BaseProcess] = {}
        self._started: dict[int, float] = {}
        self._ready: Any = None  # per worker index: the pid of the worker that is ready
        self._spec: WorkerSpec | None = None
        self._runtime: WorkerRuntime | None = None
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None
        self.live = 0
        self.restarts = 0
        self.ran_here = 0
        self._refusals = Every(10.0)

    @property
    def queued(self) -> int:
        """Requests handed to the workers since start (every lane)."""
        return sum(lane.queued for lane in self._lanes.values())

    # -- the front's side (called on the event loop only) ---------------------------------
    def submit(self, message: bytes, lane: str = WORK) -> bool:
        """Queue one request in `lane`; False when the caller must run it itself."""
        if self.live <= 0:
            return self._refuse("no worker is running")
        if len(message) > self.max_message:
            return self._refuse(f"a {len(message)}-byte request is too large for the queue")
        q = self._lanes[lane]
        if q.backlog:
            if q.backlog_bytes + len(message) > self.max_backlog:
                return self._refuse(f"{len(q.backlog)} requests are waiting already")
            q.backlog.append(message)
            q.backlog_bytes += len(message)
            q.queued += 1
            return True
        try:
            q.front.send(message)
        except BlockingIOError:
            q.backlog.append(message)
            q.backlog_bytes += len(message)
            self._loop = asyncio.get_running_loop()
            self._loop.add_writer(q.front.fileno(), self._flush, q)
            q.writing = True
        except OSError as exc:
            return self._refuse(f"the queue failed: {exc}")
        q.queued += 1
        return True

    def _refuse(self, why: str) -> bool:
        self.ran_here += 1
        if self._refusals.due():
            log.warning(
                "running Slack requests in the server process: %s (%d so far)", why, self.ran_here
            )
        return False

    def _flush(self, q: _Lane) -> None:
        while q.backlog:
            try:
                q.front.send(q.backlog[0])
            except BlockingIOError:
                return
            except OSError as exc:  # the workers' end is gone; stop() reports the rest
                log.error("worker queue failed (%s); %d requests not run", exc, len(q.backlog))
                q.backlog.clear()
                q.backlog_bytes = 0
                break
            q.backlog_bytes -= len(q.backlog.popleft())
        if self._loop is not None:
            self._loop.remove_writer(q.front.fileno())
        q.writing = False

    def stats(self) -> dict[str, int]:
        """Workers alive and ready, requests queued and run here since start, backlog,
        restarts, and each lane's depth (acked, not yet taken by a worker)."""
        return {
            "live": self.live,
            "ready": self.ready_count(),
            "queued": self.queued,
            "ran_here": self.ran_here,
            "backlog": sum(len(q.backlog) for q in self._lanes.values()),
            "restarts": self.restarts,
            **{f"depth_{name}": q.depth() for name, q in self._lanes.items()},
        }

    def ready_count(self) -> int:
        """Workers that have finished starting (built their app, serve both lanes)."""
        if self._ready is None:
            return len(self._threads)
        procs = dict(self._procs)
        return sum(
            1
            for index, proc in procs.items()
            if proc.pid is not None and self._ready[index] == proc.pid and proc.is_alive()
        )

    def ready(self) -> bool:
        """True when every worker has finished starting."""
        expected = len(self._procs) if self._ready is not None else len(self._threads)
        return expected > 0 and self.ready_count() >= expected

    def wait_ready(self, timeout: float) -> bool:
        """Wait until every worker is ready (True) or `timeout` seconds pass (False)."""
        deadline = time.monotonic() + timeout
        while not self.ready():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def _fronts(self) -> list[socket.socket]:
        # A forked worker inherits the front's ends too: it closes them, or it would never
        # see the end-of-file that tells it to stop. (A spawned one gets only what it's given.)
        if self._ctx.get_start_method() != "fork":
            return []
        return [q.front for q in self._lanes.values() if q.front.fileno() >= 0]

    def _lanes_for_workers(self) -> Lanes:
        return {name: (q.back, q.taken) for name, q in self._lanes.items()}

    # -- the workers ---------------------------------------------------------------------
    def start_threads(self, app: App, threads: int, form_threads: int = 2) -> SlackWorkers:
        """Serve the queues with threads of this process, through `app`."""
        for lane, (sock, taken) in self._lanes_for_workers().items():
            for i in range(threads if lane == WORK else form_threads):
                t = threading.Thread(
                    target=serve_requests,
                    args=(app, sock, taken, lane),
                    name=f"pmo-{lane}-{i}",
                    daemon=True,
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
        if self._ctx.get_start_method() == "fork":  # built once here, shared by every worker
            self._runtime = build_runtime(self._spec)
            gc.freeze()
        self._ready = self._ctx.Array("q", processes)
        for i in range(processes):
            self._spawn(i)
        self.live = processes
        self._supervisor = threading.Thread(
            target=self._supervise, name="pmo-worker-supervisor", daemon=True
        )
        self._supervisor.start()
        return self

    def _spawn(self, index: int) -> None:
        proc = self._ctx.Process(
            target=worker_process,
            args=(
                self._spec,
                self._lanes_for_workers(),
                self._ready,
                index,
                self._fronts(),
                self._runtime,
            ),
            name=f"pmo-worker-{index}",
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
                if proc.pid is not None:
                    metrics.worker_ended(proc.pid)
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
        """Hand over the backlogs, close the queues, let the workers finish what is queued."""
        self._stopping.set()
        for q in self._lanes.values():
            if q.writing and self._loop is not None and not self._loop.is_closed():
                self._loop.remove_writer(q.front.fileno())
            q.front.setblocking(True)
            q.front.settimeout(timeout)
            try:
                while q.backlog:
                    q.front.send(q.backlog.popleft())
            except OSError as exc:
                log.error(
                    "stopping: %d queued Slack requests not run (%s)", len(q.backlog) + 1, exc
                )
            q.front.close()  # workers read what is queued, then see end-of-file
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
        for q in self._lanes.values():
            q.back.close()
        self.live = 0
