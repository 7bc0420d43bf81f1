"""Teams wiring: the Microsoft 365 Agents SDK (CloudAdapter, MSAL connections, JWT validation)
configured from its own environment variables, and `POST /api/messages` for Starlette.

Teams is on when `CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID` is set (with its
CLIENTSECRET, TENANTID, AUTHTYPE), or `…__ANONYMOUS_ALLOWED=true` alone, for local tests only.
Every request's bearer is validated by the SDK; without one, outside anonymous mode, 401.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from microsoft_agents.activity import load_configuration_from_env
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core import AgentAuthConfiguration, TurnContext
from microsoft_agents.hosting.fastapi import CloudAdapter, jwt_authorization_decorator
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.teams import shape
from bot.teams.config import anonymous
from handlers.teams.app import TeamsAgent
from handlers.teams.cards import notice_card
from handlers.teams.connector import Outbound, card_activity
from handlers.teams.notifier import TeamsNotifier
from handlers.teams.runtime import OOPS, TeamsDeps
from services.core.people import PersonDefaults
from services.outbox.port import Bundle, DeliveryError, Notifier

log = logging.getLogger("pmo_bot")


@dataclass
class TeamsEndpoint:
    """The SDK pieces and our agent, ready to mount."""

    adapter: CloudAdapter
    agent: TeamsAgent
    auth: AgentAuthConfiguration
    deps: TeamsDeps
    anonymous: bool

    def route(self) -> Route:
        """POST /api/messages, behind the SDK's JWT validation."""
        adapter, agent = self.adapter, self.agent

        @jwt_authorization_decorator
        async def api_messages(request: Request) -> Response:
            wrong = shape.problem(await request.body())  # the body is kept for the SDK
            if wrong is not None:
                log.warning("a malformed Teams activity refused: %s", wrong)
                return JSONResponse({"error": "malformed activity", "detail": wrong}, 400)
            return await adapter.process(request, agent)  # type: ignore[return-value]

        return Route("/api/messages", api_messages, methods=["POST"])

    def mount(self, app: Starlette) -> None:
        """Give the SDK's decorator the auth configuration it reads from the app state."""
        app.state.agent_configuration = self.auth

    def notifier(self) -> TeamsNotifier:
        return TeamsNotifier(self.deps.outbound, self.deps.sessions)

    def describe(self) -> str:
        if self.anonymous and not self.auth.CLIENT_ID:
            return "Teams at /api/messages in ANONYMOUS mode (local tests only: no sign-in checked)"
        return f"Teams at /api/messages for app {self.auth.CLIENT_ID}"


def build_teams(
    env: Mapping[str, str],
    sessions: sessionmaker[Session],
    *,
    defaults: PersonDefaults | None = None,
    public_url: str = "http://localhost:3000",
    announce: bool = True,
    **deps: Any,
) -> TeamsEndpoint:
    """The Teams endpoint from the SDK's environment variables."""
    config = load_configuration_from_env(env)
    connections = MsalConnectionManager(**config)
    adapter = CloudAdapter(connection_manager=connections)

    async def on_error(context: TurnContext, error: Exception) -> None:
        log.error("Teams turn failed: %s", type(error).__name__, exc_info=error)
        await context.send_activity(card_activity(notice_card(OOPS)))

    adapter.on_turn_error = on_error  # never the SDK's "Exception caught : …" to the person
    team_deps = TeamsDeps(
        sessions,
        Outbound(adapter),
        defaults=defaults or PersonDefaults(),
        public_url=public_url,
        **deps,
    )
    auth = connections.get_default_connection_configuration()
    endpoint = TeamsEndpoint(adapter, TeamsAgent(team_deps), auth, team_deps, anonymous(env))
    if endpoint.anonymous and announce:
        log.warning(
            "TEAMS ANONYMOUS MODE: requests without a bearer token are accepted. "
            "For local tests only; never expose this server."
        )
    return endpoint


class ByPlatform:
    """One notifier per platform: each bundle goes out through its workspace's platform."""

    def __init__(self, notifiers: Mapping[str, Notifier]) -> None:
        self.notifiers = dict(notifiers)

    def send(self, bundle: Bundle) -> dict[str, Any] | None:
        notifier = self.notifiers.get(bundle.workspace_platform)
        if notifier is None:
            raise DeliveryError(f"{bundle.workspace_platform} is not configured", permanent=True)
        return notifier.send(bundle)
