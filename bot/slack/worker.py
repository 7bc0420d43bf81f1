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
from dataclasses import dataclass

from slack_bolt import App

from bot.config import Settings
from bot.db import make_engine, make_sessionmaker
from bot.slack.app import build_slack_app
from bot.slack.handoff import MAX_MESSAGE, STALE_SECONDS, Every, decode
from handlers.slack.runtime import SlackDeps
from services.core.people import PersonDefaults

log = logging.getLogger(__name__)

_stale = Every(10.0)


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


def worker_process(spec: WorkerSpec, sock: socket.socket) -> None:
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
