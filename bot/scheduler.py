"""The in-process scheduler (APScheduler 3, UTC) and the notifier the configuration selects."""

from __future__ import annotations

import logging
import os
import time
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import db, jobs, metrics
from bot.config import Settings
from bot.slack.client import make_web_client
from bot.teams.config import teams_configured
from handlers.console.notifier import ConsoleNotifier
from handlers.slack import oauth_tables
from handlers.slack.notifier import SlackNotifier
from services.outbox.port import Bundle, DeliveryError, Notifier

log = logging.getLogger(__name__)
SWEEP_SECONDS = 60
# Seconds the sweep waits for Slack to answer a post: long, so that a slow answer is rarely
# taken for a lost one (and when it is, handlers/slack/landing.find looks before a resend).
POST_TIMEOUT = 30


def build_notifier(settings: Settings, engine: Engine) -> Notifier:
    """Slack and/or Teams as configured (each bundle through its workspace's platform), else
    the console."""
    slack = slack_notifier(settings, engine) if settings.has_slack else None
    teams = None
    if teams_configured(os.environ):
        from bot.teams.app import build_teams  # noqa: PLC0415 (the Agents SDK only when Teams is on)

        teams = build_teams(os.environ, db.make_sessionmaker(engine), announce=False).notifier()
    if slack is not None and teams is not None:
        from bot.teams.app import ByPlatform  # noqa: PLC0415 (as above)

        return ByPlatform({"slack": slack, "teams": teams})
    return slack or teams or ConsoleNotifier()


def slack_notifier(settings: Settings, engine: Engine) -> SlackNotifier:
    """Slack, with per-workspace tokens under OAuth."""
    shared = make_web_client(settings, timeout=POST_TIMEOUT)
    if settings.slack_bot_token:
        return SlackNotifier(lambda _team: shared)
    store = SQLAlchemyInstallationStore(
        client_id=str(settings.slack_client_id),
        engine=engine,
        bots_table_name=oauth_tables.BOTS_TABLE,
        installations_table_name=oauth_tables.INSTALLATIONS_TABLE,
    )

    def client_for(team_id: str) -> WebClient:
        bot = store.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:
            raise LookupError(team_id)
        return WebClient(
            token=bot.bot_token,
            base_url=shared.base_url,
            retry_handlers=shared.retry_handlers,
            timeout=shared.timeout,
        )

    return SlackNotifier(client_for)


class MeteredNotifier:
    """A notifier that counts each bundle's result in pmo_deliveries (bot/metrics.py)."""

    def __init__(self, inner: Notifier) -> None:
        self.inner = inner

    def send(self, bundle: Bundle) -> dict[str, Any] | None:
        """Send through the wrapped notifier: sent, retry or failed."""
        try:
            result = self.inner.send(bundle)
        except DeliveryError as err:
            metrics.DELIVERIES.labels("failed" if err.permanent else "retry").inc()
            raise
        metrics.DELIVERIES.labels("sent").inc()
        return result


def step_of(problem: str) -> str:
    """The step a sweep problem is about (`digests (workspace 3): …` → `digests`)."""
    head = problem.split(":", 1)[0].split(" (", 1)[0].strip()
    return head if head.replace(" ", "").isalpha() and len(head) <= 30 else "other"


def run_sweep(sessions: sessionmaker[Session], notifier: Notifier) -> None:
    """The scheduled job: one sweep at the current time; errors are logged, never raised."""
    started = time.perf_counter()
    try:
        report = jobs.sweep(sessions, MeteredNotifier(notifier), now=datetime.now(UTC))
        for problem in report.errors:
            metrics.SWEEP_SKIPPED.labels(step_of(problem)).inc()
    except Exception:
        metrics.SWEEP_ERRORS.inc()
        log.exception("sweep failed; the next one will pick up where it left off")
    finally:
        metrics.SWEEP_SECONDS.observe(time.perf_counter() - started)


def configure(
    scheduler: BaseScheduler, sessions: sessionmaker[Session], notifier: Notifier
) -> None:
    """The explicit job list: one stateless sweep a minute, coalesced, never overlapping."""
    scheduler.add_job(
        run_sweep,
        "interval",
        seconds=SWEEP_SECONDS,
        id="sweep",
        args=[sessions, notifier],
        coalesce=True,
        max_instances=1,
        misfire_grace_time=SWEEP_SECONDS,
        next_run_time=datetime.now(UTC),
        replace_existing=True,
    )


def background(sessions: sessionmaker[Session], notifier: Notifier) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=UTC)
    configure(scheduler, sessions, notifier)
    scheduler.start()
    return scheduler


def blocking(sessions: sessionmaker[Session], notifier: Notifier) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=UTC)
    configure(scheduler, sessions, notifier)
    return scheduler
