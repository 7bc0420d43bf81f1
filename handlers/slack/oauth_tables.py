"""Slack's own OAuth tables (installations, bots, single-use states) on our metadata.

slack_sdk's SQLAlchemy stores define these tables; building them on `models.Base.metadata`
lets Alembic own them like every other table. Importing this module registers them; the
composition root (`bot.db`) and `migrations/env.py` import it.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from models import Base

INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
STATES_TABLE = "slack_oauth_states"

if INSTALLATIONS_TABLE not in Base.metadata.tables:
    SQLAlchemyInstallationStore.build_installations_table(Base.metadata, INSTALLATIONS_TABLE)
    SQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS_TABLE)
    SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, STATES_TABLE)
