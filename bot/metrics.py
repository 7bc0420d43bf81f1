"""What `GET /metrics` shows, in Prometheus' text format (prometheus-client).

`pmo-bot serve` runs worker processes (bot/slack/workers.py), so it runs prometheus-client in
multiprocess mode: `prepare_multiprocess` (called before anything imports this module, see
bot/multiproc.py) points PROMETHEUS_MULTIPROC_DIR at a directory where every process keeps its
counters and histograms in memory-mapped files; a scrape of the front merges them
(`MultiProcessCollector`). Gauges are computed by the front at scrape time (`FrontCollector`):
queue depth, live workers and restarts from the pool, outbox rows by state and rule from one
`GROUP BY` query. Without the directory (tests, one process) the default registry is used.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import Engine, func, select

from models import Notification

log = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_LATEST
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

REQUESTS = Counter(
    "pmo_slack_requests",
    "Slack requests finished, by surface (command, block_actions, view_submission, "
    "shortcut, event_callback, ...) and outcome (ok, error, refused, unauthorized).",
    ["surface", "outcome"],
)
ACK_SECONDS = Histogram(
    "pmo_slack_ack_seconds",
    "From the request's arrival to its HTTP answer, by path (handoff: acked and queued for a "
    "worker; inline: run by Bolt in the front).",
    ["path"],
    buckets=LATENCY_BUCKETS,
)
RUN_SECONDS = Histogram(
    "pmo_slack_run_seconds",
    "Time a worker spent running a handed-off request (reply and deferred work included).",
    ["surface"],
    buckets=LATENCY_BUCKETS,
)
WAIT_SECONDS = Histogram(
    "pmo_slack_queue_wait_seconds",
    "Time a handed-off request waited between its ack and a worker taking it, by lane.",
    ["lane"],
    buckets=LATENCY_BUCKETS,
)
DELIVERIES = Counter(
    "pmo_deliveries",
    "Outbox bundles handed to a notifier, by result (sent, retry, failed).",
    ["result"],
)
SWEEP_SECONDS = Histogram(
    "pmo_sweep_seconds",
    "Duration of a scheduler sweep (materialize and deliver).",
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120),
)
SWEEP_ERRORS = Counter("pmo_sweep_errors", "Scheduler sweeps that failed with an error.")
SWEEP_SKIPPED = Counter(
    "pmo_sweep_skipped",
    "Rows, workspaces or deliveries a sweep left out after an error (retried next sweep), by step.",
    ["step"],
)


def surface(body: dict[str, Any]) -> str:
    """Which kind of Slack request a parsed body is (a label with few values)."""
    if "command" in body:
        return "command"
    kind = body.get("type")
    return str(kind) if isinstance(kind, str) and kind.isidentifier() else "other"


class FrontCollector(Collector):
    """Gauges the front computes when scraped: the worker pool and the outbox."""

    def __init__(self, engine: Engine | None, pool: Callable[[], dict[str, int]] | None) -> None:
        self.engine, self.pool = engine, pool

    def collect(self) -> Iterator[Any]:
        """Queue depth, live workers, restarts, outbox rows by state and rule."""
        if self.pool is not None:
            stats = self.pool()
            depth = GaugeMetricFamily(
                "pmo_slack_queue_depth",
                "Requests acked and not yet taken by a worker, by lane.",
                labels=["lane"],
            )
            for lane in ("forms", "work"):
                depth.add_metric([lane], stats.get(f"depth_{lane}", 0))
            yield depth
            yield GaugeMetricFamily(
                "pmo_slack_workers_live", "Worker processes alive.", value=stats["live"]
            )
            yield CounterMetricFamily(
                "pmo_slack_worker_restarts",
                "Worker processes restarted after dying.",
                value=stats["restarts"],
            )
            yield CounterMetricFamily(
                "pmo_slack_ran_in_front",
                "Requests the front ran itself (no worker alive, queue full, too large).",
                value=stats["ran_here"],
            )
        if self.engine is not None:
            rows = GaugeMetricFamily(
                "pmo_outbox_rows", "Outbox rows by state and rule.", labels=["state", "rule"]
            )
            try:
                with self.engine.connect() as conn:
                    found = conn.execute(
                        select(Notification.state, Notification.rule, func.count()).group_by(
                            Notification.state, Notification.rule
                        )
                    ).all()
            except Exception as exc:  # a scrape never fails for the database's sake
                log.warning("metrics: outbox rows not counted: %s", type(exc).__name__)
                found = []
            for state, rule, n in found:
                rows.add_metric([getattr(state, "value", str(state)), str(rule)], n)
            yield rows


def multiprocess() -> bool:
    """Whether this process keeps its metrics in PROMETHEUS_MULTIPROC_DIR (decided when
    prometheus-client was first imported)."""
    return values.ValueClass is not values.MutexValue


def worker_ended(pid: int) -> None:
    """Bookkeeping for a worker process that ended (its live gauges go)."""
    if multiprocess():
        mark_process_dead(pid)


def scrape(collector: FrontCollector) -> bytes:
    """The text exposition: every process' counters and histograms plus the front's gauges."""
    if multiprocess():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Default())
    registry.register(collector)
    return generate_latest(registry)


class _Default(Collector):
    # The default registry's metrics, re-exposed beside a per-scrape collector.
    def collect(self) -> Iterator[Any]:
        return iter(REGISTRY.collect())
