"""Whether Teams is configured, from the Agents SDK's own settings, read without importing the
SDK: a server that serves only Slack never loads it (it would cost every worker ~10 MB)."""

from __future__ import annotations

from collections.abc import Mapping

PREFIX = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"


def teams_configured(env: Mapping[str, str]) -> bool:
    """Teams credentials (or anonymous mode) are set."""
    return bool(env.get(PREFIX + "CLIENTID")) or anonymous(env)


def anonymous(env: Mapping[str, str]) -> bool:
    return str(env.get(PREFIX + "ANONYMOUS_ALLOWED", "")).strip().lower() in ("true", "1", "yes")
