"""What every `pmo-bot` command shares: settings, the engine, person defaults, the workspace."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError

from bot import db
from bot.config import Settings, get_settings
from models import Workspace
from services.core.people import PersonDefaults


def load_settings() -> Settings:
    """The settings, or a ClickException naming each bad variable."""
    try:
        return get_settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()
        )
        raise click.ClickException(f"Configuration error — {problems}") from None


@contextmanager
def open_engine(settings: Settings, *, check_schema: bool = True) -> Iterator[Engine]:
    """The engine on DATABASE_URL (schema checked unless told not to), disposed at the end."""
    engine = db.make_engine(settings.database_url)
    try:
        if check_schema:
            try:
                db.require_current_schema(engine)
            except db.SchemaOutOfDate as exc:
                raise click.ClickException(str(exc)) from None
            except OperationalError as exc:
                raise click.ClickException(
                    f"Can't reach the database {engine.url.render_as_string(hide_password=True)}: "
                    f"{exc.orig}. Check DATABASE_URL."
                ) from None
        yield engine
    finally:
        engine.dispose()


def person_defaults(settings: Settings) -> PersonDefaults:
    """Time zone and working hours a new person gets, from the settings."""
    return PersonDefaults(
        timezone=settings.default_timezone,
        working_days=settings.working_days,
        work_start=settings.work_start,
        work_end=settings.work_end,
    )


def pick_workspace(s: Any, external_id: str | None) -> Workspace:
    """The workspace `--workspace` names, or the only one; a ClickException otherwise."""
    spaces = s.scalars(select(Workspace).order_by(Workspace.id)).all()
    if external_id:
        match = [w for w in spaces if w.external_id == external_id]
        if not match:
            raise click.ClickException(f"No workspace {external_id}.")
        return match[0]
    if len(spaces) == 1:
        return spaces[0]
    if not spaces:
        raise click.ClickException("There is no workspace yet; use PMO Bot once first.")
    names = ", ".join(f"{w.external_id} ({w.platform.value})" for w in spaces)
    raise click.ClickException(f"Several workspaces: pick one with --workspace ({names}).")
