"""Fetch a calendar file someone uploaded to Slack (its url_private needs the bot token)."""

from __future__ import annotations

import logging
import urllib.parse
import urllib.request
from typing import Any

from slack_sdk import WebClient

from services.core.errors import InvalidInput

log = logging.getLogger(__name__)
MAX_ICS_BYTES = 2_000_000
SLACK_FILE_HOSTS = ("files.slack.com",)


def download(client: WebClient, files: list[dict[str, Any]], *, field: str = "file") -> bytes:
    """The first uploaded file's bytes; the bot token goes to Slack's own hosts only."""
    if not files:
        raise InvalidInput("Attach the .ics file.", field=field)
    url = str(files[0].get("url_private_download") or files[0].get("url_private") or "")
    host = urllib.parse.urlparse(url).hostname or ""
    ours = urllib.parse.urlparse(client.base_url).hostname or ""
    if host not in (*SLACK_FILE_HOSTS, ours):
        raise InvalidInput(
            "That file is not stored in Slack.", "Upload the .ics file itself.", field=field
        )
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            data: bytes = resp.read(MAX_ICS_BYTES + 1)
    except OSError as exc:
        log.warning("ics download failed: %s", exc)
        raise InvalidInput(
            "I couldn't read that file from Slack; upload it again.", field=field
        ) from None
    if len(data) > MAX_ICS_BYTES:
        raise InvalidInput(
            "That calendar file is over 2 MB.", "Export a single calendar.", field=field
        )
    return data
