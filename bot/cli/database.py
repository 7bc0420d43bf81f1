"""`pmo-bot db`: create, inspect and revert the database schema."""

from __future__ import annotations

import sys

import click
from sqlalchemy.exc import OperationalError

from bot import db
from bot.cli.common import load_settings, open_engine


@click.group(name="db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command()
def upgrade() -> None:
    """Create or migrate the schema to the latest version."""
    settings = load_settings()
    with open_engine(settings, check_schema=False) as engine:
        try:
            db.upgrade(engine)
        except OperationalError as exc:
            raise click.ClickException(f"Can't reach the database: {exc.orig}") from None
        current, _ = db.schema_status(engine)
    click.echo(f"Database schema is at {current}.")


@db_group.command()
def status() -> None:
    """Show the schema revision of the database and of this code."""
    settings = load_settings()
    with open_engine(settings, check_schema=False) as engine:
        current, head = db.schema_status(engine)
    click.echo(f"database: {current or 'empty'}\ncode:     {head}")
    if current != head:
        click.echo("Run: pmo-bot db upgrade")
        sys.exit(1)


@db_group.command()
@click.argument("revision", default="base")
@click.confirmation_option(prompt="This drops data. Continue?")
def downgrade(revision: str) -> None:
    """Revert the schema (default: drop every PMO Bot table)."""
    settings = load_settings()
    with open_engine(settings, check_schema=False) as engine:
        db.downgrade(engine, revision)
    click.echo(f"Database schema reverted to {revision}.")
