"""Which Slack requests PMO Bot believes: signature and timestamp checks, and the one team a
single-workspace install serves."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_bolt.middleware.request_verification import RequestVerification
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

# Seconds since 1970 in decimal ASCII digits; 12 digits last until the year 33658.
MAX_TIMESTAMP_DIGITS = 12


def well_formed_timestamp(timestamp: str | None) -> bool:
    """True when X-Slack-Request-Timestamp is a plausible count of seconds (ASCII digits)."""
    return (
        timestamp is not None
        and 0 < len(timestamp) <= MAX_TIMESTAMP_DIGITS
        and timestamp.isascii()
        and timestamp.isdigit()
    )


class StrictSignatureVerifier(SignatureVerifier):
    """slack_sdk's verifier that says False (401), not ValueError (500), to a bad timestamp."""

    def is_valid(self, body: str | bytes, timestamp: str | None, signature: str | None) -> bool:
        """Whether the request is signed with our secret within the last five minutes."""
        if not well_formed_timestamp(timestamp):
            return False
        return super().is_valid(body, timestamp, signature)


class StrictRequestVerification(RequestVerification):
    """Bolt's request verification with `StrictSignatureVerifier` (as `before_authorize`)."""

    @property
    def verifier(self) -> SignatureVerifier:
        """The verifier, built on first use as Bolt's own is."""
        if self._verifier is None:
            self._verifier = StrictSignatureVerifier(signing_secret=self._signing_secret)
        return self._verifier


class OwnTeamOnly(Middleware):
    """Single-workspace mode: refuse requests from any team but the bot token's own.

    Runs after Bolt's authorization, whose `auth.test` says which team the token belongs to;
    a request naming another team is refused before any listener (so it never becomes a
    workspace in our database).
    """

    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,  # noqa: ARG002 - Bolt passes it by this name
        next: Callable[[], BoltResponse],
    ) -> BoltResponse:
        """Pass the token's own team on; answer 403 to another."""
        own = req.context.authorize_result.team_id if req.context.authorize_result else None
        asked = req.context.team_id
        if own and asked and asked != own:
            log.warning("refused a Slack request from team %s: this install serves %s", asked, own)
            return BoltResponse(status=403, body="This PMO Bot serves another Slack workspace.")
        return next()
