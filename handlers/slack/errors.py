"""Slack Web API errors, told to people in words that say what to do."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

ADVICE = {
    "not_in_channel": "I'm not in that channel. Invite me with `/invite @PMO Bot` and try again.",
    "channel_not_found": "I can't see that channel. If it is private, invite me with "
    "`/invite @PMO Bot`.",
    "is_archived": "That channel is archived, so I can't post there.",
    "user_not_found": "Slack doesn't know that person (they may have left the workspace).",
    "account_inactive": "That person's Slack account is deactivated.",
    "ratelimited": "Slack is rate-limiting me right now. Give it a minute and try again.",
    "invalid_blocks": "Slack refused the message layout. This is a bug on my side; nothing "
    "was lost.",
    "missing_scope": "I'm missing a Slack permission for that. Ask a Slack admin to reinstall "
    "the app with the scopes in slack/manifest.yaml.",
    "not_authed": "My Slack token is missing or invalid. Ask an admin to check SLACK_BOT_TOKEN.",
    "invalid_auth": "My Slack token is missing or invalid. Ask an admin to check SLACK_BOT_TOKEN.",
    "token_revoked": "My Slack token was revoked. Ask an admin to reinstall PMO Bot.",
    "restricted_action": "A workspace policy stops me from posting there.",
    "expired_trigger_id": "That took too long to open. Please click again.",
    "msg_too_long": "That message is too long for Slack.",
}

# The channel itself refuses the bot: an ephemeral message there fails the same way, so the
# person is told by DM.
CHANNEL_REFUSALS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})


def slack_error_code(exc: SlackApiError) -> str:
    """The `error` field of a failed Web API call."""
    try:
        return str(exc.response.get("error") or "unknown_error")
    except Exception:
        return "unknown_error"


def advice_for(exc: SlackApiError) -> str:
    """A sentence for a person about a failed Web API call."""
    code = slack_error_code(exc)
    if code == "missing_scope":
        needed = exc.response.get("needed")
        if needed:
            return ADVICE[code].replace("for that.", f"for that (`{needed}`).")
    return ADVICE.get(code, f"Slack said `{code}`; nothing was changed. Please try again.")
