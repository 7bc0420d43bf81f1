"""The Teams app package: manifest.json (schema 1.25) and two icons, zipped.

Pure: arguments in, bytes out (the same arguments give the same bytes). The bot's command menu
is taken from the help table (services/commands/help.py), so it says what `help` says; the
icons are drawn here (bot/teams_icons.py). `pmo-bot teams package` writes the zip.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot import teams_icons
from handlers.teams.ids import MessageAction
from services.commands.help import ENTRIES

SCHEMA_URL = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v1.25/MicrosoftTeams.schema.json"
)
MANIFEST_VERSION = "1.25"
ACCENT = "#1D3557"  # the Slack app's background colour (slack/manifest.yaml)
SHORT_DESCRIPTION = "Status, action items, deliverables and minutes for your PMO."
FULL_DESCRIPTION = (
    "PMO Bot does the chasing and bookkeeping of a project management office in chat: the "
    "project register and its members, action items and deliverables with owners and dates, "
    "weekly status updates and the portfolio report, meeting minutes, the RAID log, RACI "
    "charts, reminders and digests, with a full audit trail. Talk to it in its personal "
    "chat (`help`, `action list mine`) or @mention it in a channel or group chat "
    "(`@PMO Bot status APOLLO`). From any message, More actions → Create action item or "
    "Add to minutes."
)
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")  # the schema's
SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
MAX_COMMANDS, MAX_TITLE, MAX_DESCRIPTION = 10, 32, 128  # Teams' command menu limits
MAX_SHORT_NAME = 30
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same arguments give the same bytes


# id: (title, description): the words of the Slack message shortcuts (slack/manifest.yaml).
MESSAGE_ACTIONS: dict[MessageAction, tuple[str, str]] = {
    MessageAction.CREATE_ITEM: (
        "Create action item",
        "Turn this message into a tracked action item",
    ),
    MessageAction.ADD_TO_MINUTES: (
        "Add to minutes",
        "Add this message to the minutes open in this channel",
    ),
}

# The command menu per scope: commands as typed (a command's literal words in the help table).
# In the personal chat: your own work; in channels and group chats: the team's.
PERSONAL_MENU = (
    "help",
    "action list",
    "new",
    "status",
    "project list",
    "report",
    "raid",
    "digest",
    "leave",
    "me",
)
TEAM_MENU = (
    "help",
    "project show",
    "status",
    "action add",
    "minutes start",
    "minutes note",
    "minutes decision",
    "minutes action",
    "minutes end",
    "raid",
)
MENUS = {"personal": PERSONAL_MENU, "team": TEAM_MENU, "groupChat": TEAM_MENU}


class PackageError(ValueError):
    """An argument the package cannot be built from; the message says what to give."""


@dataclass(frozen=True)
class PackageSpec:
    """What the package is built from (checked by `spec`)."""

    app_id: str
    public_url: str
    name: str = "PMO Bot"
    version: str = "1.0.0"
    developer: str = "PMO Bot"


def spec(
    *, app_id: str, public_url: str, name: str = "PMO Bot", version: str = "1.0.0"
) -> PackageSpec:
    """Check the arguments and return them normalised; PackageError says what is wrong."""
    return PackageSpec(
        app_id=check_app_id(app_id),
        public_url=check_public_url(public_url),
        name=check_name(name),
        version=check_version(version),
    )


def check_app_id(value: str) -> str:
    """The Entra application (client) id, a GUID, in lower case."""
    value = value.strip()
    if not GUID.match(value):
        raise PackageError(
            f"The app id must be the bot's Microsoft Entra application (client) ID, a GUID "
            f"like 6f1d2c3b-0a9e-4b7c-8d5e-123456789abc; got {value!r}. Find it on the Azure "
            f"Bot resource under Configuration → Microsoft App ID."
        )
    return value.lower()


def check_public_url(value: str) -> str:
    """The https address people and Teams reach `pmo-bot serve` at, without a trailing /."""
    value = value.strip()
    parts = urlsplit(value)
    example = "e.g. https://pmo.example.com"
    if parts.scheme.lower() != "https":
        raise PackageError(
            f"The public URL must start with https:// (Teams talks to bots over HTTPS only), "
            f"{example}; got {value!r}."
        )
    host = parts.hostname or ""
    if "." not in host or parts.username or parts.password:
        raise PackageError(
            f"The public URL must name a public host that Teams can reach from the internet, "
            f"{example} (a tunnel's address works for a test); got {value!r}."
        )
    if parts.query or parts.fragment:
        raise PackageError(
            f"The public URL is the server's address only, {example}, without ?… or #…; "
            f"got {value!r}."
        )
    return f"https://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def check_name(value: str) -> str:
    """The app's short name as Teams shows it (1 to 30 characters)."""
    value = " ".join(value.split())
    if not 0 < len(value) <= MAX_SHORT_NAME:
        raise PackageError(
            f"The name must be 1 to {MAX_SHORT_NAME} characters (Teams' limit for an app's "
            f"short name); got {len(value)}."
        )
    return value


def check_version(value: str) -> str:
    """The package version, MAJOR.MINOR.PATCH; raise it to update an uploaded app."""
    value = value.strip()
    if not SEMVER.match(value):
        raise PackageError(
            f"The version must be three numbers like 1.0.0 (raise it for each new upload of "
            f"the same app); got {value!r}."
        )
    return value


def literal(usage: str) -> str:
    """A usage's command words, before the first placeholder: `action add [<KEY>] …` →
    `action add`."""
    words: list[str] = []
    for word in usage.split():
        if not word[0].isalpha() or "|" in word:
            break
        words.append(word)
    return " ".join(words)


def menu_command(title: str) -> dict[str, str]:
    """One command of the menu, described by the first help entry that offers it."""
    for entry in ENTRIES:
        for usage in entry.usage.split("  ·  "):
            if literal(usage) == title:
                described = entry.summary if usage == title else f"{entry.summary}: {usage}"
                if len(described) > MAX_DESCRIPTION:
                    described = entry.summary
                return {"title": title, "description": cut(described, MAX_DESCRIPTION)}
    raise PackageError(f"No help entry for the menu command {title!r}.")


def cut(text: str, limit: int) -> str:
    """`text`, or its first words and … within `limit` characters."""
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def command_lists() -> list[dict[str, Any]]:
    """The bot's command menu, one list per scope."""
    return [
        {"scopes": [scope], "commands": [menu_command(title) for title in titles]}
        for scope, titles in MENUS.items()
    ]


def manifest(spec: PackageSpec) -> dict[str, Any]:
    """manifest.json for the Teams app whose bot is `spec.app_id`."""
    host = urlsplit(spec.public_url).hostname or ""
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": spec.version,
        "id": spec.app_id,
        "developer": {
            "name": spec.developer,
            "websiteUrl": spec.public_url,
            "privacyUrl": spec.public_url,
            "termsOfUseUrl": spec.public_url,
        },
        "name": {"short": spec.name, "full": f"{spec.name}: the PMO assistant"},
        "description": {"short": SHORT_DESCRIPTION, "full": FULL_DESCRIPTION},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [
            {
                "botId": spec.app_id,
                "scopes": ["personal", "team", "groupChat"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": command_lists(),
            }
        ],
        "composeExtensions": [
            {
                "botId": spec.app_id,
                "commands": [
                    {
                        "id": str(command_id),
                        "type": "action",
                        "title": title,
                        "description": description,
                        "context": ["message"],
                        "fetchTask": True,
                    }
                    for command_id, (title, description) in MESSAGE_ACTIONS.items()
                ],
            }
        ],
        "validDomains": [host],
        "webApplicationInfo": {"id": spec.app_id},
    }


def package(spec: PackageSpec) -> bytes:
    """The app package: a zip of manifest.json, color.png and outline.png at its root."""
    files = {
        "manifest.json": (json.dumps(manifest(spec), indent=2, ensure_ascii=False) + "\n").encode(),
        "color.png": teams_icons.color_icon(),
        "outline.png": teams_icons.outline_icon(),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return out.getvalue()
