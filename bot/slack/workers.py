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
import logging
import multiprocessing
import socket
import threading
import time
from multiprocessing.connection import wait as wait_for_sentinels
from multiprocessing.process import BaseProcess

from slack_bolt import App

from bot.config import Settings
from bot.slack.handoff import MAX_BACKLOG, MAX_MESSAGE, SEND_BUFFER, Every
from bot.slack.worker import WorkerSpec, serve_requests, worker_process
from services.core.people import PersonDefaults

log = logging.getLogger(__name__)


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
        self._refusals = Every(10.0)

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
            target=worker_process, args=(self._spec, self._back), name=f"pmo-worker-{index}"
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
