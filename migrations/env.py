"""Alembic environment: runs against the engine PMO Bot passes in."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Engine

import handlers.slack.oauth_tables  # noqa: F401  (Slack's OAuth tables live in our schema)
import models

config = context.config
target_metadata = models.Base.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render UTCDateTime as sa.DateTime(timezone=True), so migrations never import models."""
    if type_ == "type" and isinstance(obj, models.UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_online() -> None:
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:
        from bot.config import get_settings
        from bot.db import make_engine

        engine = make_engine(get_settings().database_url)
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
        )
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run pmo-bot db upgrade.")
run_migrations_online()
