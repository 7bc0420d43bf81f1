"""A Slack request worker: its own Bolt app, running the requests the front queued for it.

`worker_process` is the entry point of each process `SlackWorkers` starts (bot/slack/workers.py);
`serve_requests` is its loop, also run on threads of the serving process in tests.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import socket
import threading
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from slack_bolt import App, BoltRequest
from sqlalchemy import Engine

from bot import logs, metrics
from bot.config import Settings
from bot.db import make_engine, make_sessionmaker
from bot.scheduler import MeteredNotifier
from bot.slack.app import build_slack_app
from bot.slack.handoff import MAX_MESSAGE, STALE_SECONDS, WORK, Every, decode
from handlers.chat.trace import REQUEST_ID
from handlers.slack.runtime import SlackDeps
from services.core.people import PersonDefaults

log = logging.getLogger(__name__)
requests_log = logging.getLogger("pmo_bot.requests")


class Counted(Protocol):
    """A shared integer with a lock (a multiprocessing.Value("q"))."""

    value: int

    def get_lock(self) -> AbstractContextManager[Any]: ...


# Each lane's queue (the workers' end) and its count of requests taken.
Lanes = dict[str, tuple[socket.socket, Counted]]

_stale = Every(10.0)


def serve_requests(
    app: App, sock: socket.socket, taken: Counted | None = None, lane: str = WORK
) -> None:
    """Run requests from `lane`'s queue through `app` until the front closes it (one thread);
    `taken` counts what was taken, for the front's queue depth."""
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
        if taken is not None:
            with taken.get_lock():
                taken.value += 1
        try:
            req = decode(bytes(view[:n]))
            waited = time.time() - req.context["pmo_received_at"]
            metrics.WAIT_SECONDS.labels(lane).observe(max(0.0, waited))
            if waited > STALE_SECONDS and _stale.due():
                log.warning(
                    "Slack requests wait %.1f s for a worker (over 3 s a trigger_id "
                    "has expired): the machine is busier than the workers can follow; "
                    "%d such request(s) so far",
                    waited,
                    _stale.count,
                )
            run(app, req)
        except Exception:
            log.exception("a deferred Slack request failed")


def run(app: App, req: BoltRequest) -> None:
    """Dispatch one handed-off request under its request id; log and count how it went."""
    token = REQUEST_ID.set(req.context.get("pmo_request_id") or None)
    kind = metrics.surface(req.body)
    started = time.perf_counter()
    outcome = "error"
    try:
        resp = app.dispatch(req)
        outcome = {200: "ok", 404: "ok", 403: "refused"}.get(resp.status, "error")
        if resp.status not in (200, 403, 404) or resp.body:  # Bolt logs unhandled ones itself
            log.warning(
                "a deferred %s request was answered %s %.200s; the front had acked it empty",
                kind,
                resp.status,
                resp.body,
            )
    finally:
        took = time.perf_counter() - started
        metrics.RUN_SECONDS.labels(kind).observe(took)
        metrics.REQUESTS.labels(kind, outcome).inc()
        requests_log.info("ran a %s request in %.0f ms (%s)", kind, took * 1000, outcome)
        REQUEST_ID.reset(token)


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker process needs to build its own Bolt app (picklable)."""

    settings: Settings
    defaults: PersonDefaults
    threads: int
    priority: str
    form_threads: int = 2


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


@dataclass(frozen=True)
class WorkerRuntime:
    """A worker's Bolt app, its dependencies and engine (built before forking, shared)."""

    app: App
    deps: SlackDeps
    engine: Engine


def build_runtime(spec: WorkerSpec) -> WorkerRuntime:
    """What a worker runs requests with; connects to nothing until a request comes."""
    engine = make_engine(spec.settings.database_url)
    deps = SlackDeps(
        make_sessionmaker(engine),
        defaults=spec.defaults,
        public_url=spec.settings.public_url,
        wrap_notifier=MeteredNotifier,
    )
    app = build_slack_app(spec.settings, deps, engine=engine, worker=True)
    return WorkerRuntime(app, deps, engine)


def worker_process(
    spec: WorkerSpec,
    lanes: Lanes,
    ready: Any,
    index: int,
    fronts: list[socket.socket],
    runtime: WorkerRuntime | None = None,
) -> None:
    """Entry point of a worker process: its own engine, deps and Bolt app; exits at EOF.

    `fronts`: the front's ends of the queues, inherited by a forked worker: closed here.
    `runtime`: built by the front before forking (its pages shared with every worker);
    a spawned worker builds its own.
    """
    for front in fronts:
        front.close()
    # Ctrl-C and a service manager's SIGTERM reach the whole process group: the front decides
    # when workers stop (it closes the queue; they finish what is queued, then exit).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if not logging.getLogger().handlers:  # spawned: a fresh interpreter (forked: inherited)
        logs.configure(logging.WARNING, spec.settings.log_format)
    logging.getLogger("pmo_bot").setLevel(spec.settings.log_level.upper())
    if runtime is None:
        runtime = build_runtime(spec)
        gc.freeze()  # long-lived: out of the collector's full passes, as in the front
    app, deps, engine = runtime.app, runtime.deps, runtime.engine
    lower_priority(spec.priority)  # once started: a busy machine must not delay readiness
    threads = [
        threading.Thread(
            target=serve_requests, args=(app, sock, taken, lane), name=f"pmo-{lane}-{i}"
        )
        for lane, (sock, taken) in lanes.items()
        for i in range(spec.threads if lane == WORK else spec.form_threads)
    ]
    for t in threads:
        t.start()
    ready[index] = os.getpid()  # the front's /readyz and start-up wait for this
    for t in threads:
        t.join()
    deps.background.shutdown(wait=True)
    engine.dispose()
