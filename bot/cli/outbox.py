"""`pmo-bot outbox`: inspect and retry queued notifications."""

from __future__ import annotations

import click
from sqlalchemy import select

from bot import db
from bot.cli.common import load_settings, open_engine
from handlers.console.channel import system_now
from models import Notification, NotificationState, Person
from services.outbox import delivery


@click.group()
def outbox() -> None:
    """Inspect and retry queued notifications."""


@outbox.command(name="list")
@click.option("--failed", is_flag=True, help="Only notifications that gave up.")
@click.option("--limit", default=50, show_default=True)
def outbox_list(failed: bool, limit: int) -> None:
    """List notifications, newest first."""
    settings = load_settings()
    with open_engine(settings) as engine, db.session_scope(db.make_sessionmaker(engine)) as s:
        q = select(Notification, Person.handle).outerjoin(
            Person, Person.id == Notification.recipient_id
        )
        if failed:
            q = q.where(Notification.state == NotificationState.FAILED)
        rows = s.execute(q.order_by(Notification.id.desc()).limit(limit)).all()
        if not rows:
            click.echo("No failed notifications." if failed else "The outbox is empty.")
            return
        for n, handle in rows:
            err = f" — {n.last_error}" if n.last_error else ""
            click.echo(
                f"#{n.id} {n.state.value:<8} {n.rule:<16} {n.subject_type.replace('_', ' ')} "
                f"#{n.subject_id} to {'@' + handle if handle else n.channel} "
                f"(attempts {n.attempts}){err}"
            )


@outbox.command(name="retry")
@click.argument("notification_id", type=int)
def outbox_retry(notification_id: int) -> None:
    """Put a failed notification back in the queue."""
    settings = load_settings()
    with open_engine(settings) as engine, db.session_scope(db.make_sessionmaker(engine)) as s:
        ok = delivery.retry(s, notification_id=notification_id, now=system_now())
    if not ok:
        raise click.ClickException(f"Notification #{notification_id} is not a failed one.")
    click.echo(f"Notification #{notification_id} will be sent on the next sweep.")
