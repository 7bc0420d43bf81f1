"""Resolve Teams tenants and people to our Workspace and Person.

A tenant is a workspace (platform `teams`); a person is keyed by their Entra object id
(`aadObjectId`), named from the activity (the roster's name), with the time zone and locale
of the activity's `clientInfo` entity; profiles refresh at most once a day, like Slack's.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Person, Platform
from services.core import people
from services.core.errors import NotFound
from services.core.people import Mention, PersonDefaults

PROFILE_TTL = timedelta(days=1)
AT = re.compile(r"<at>([^<>]*)</at>")
OTHER_TAGS = re.compile(r"</?(?!at>)[a-zA-Z][^<>]*>")


@dataclass(frozen=True)
class Who:
    """What an activity says about its sender."""

    tenant: str
    user: str  # the Entra object id (or the channel account id when there is none)
    name: str
    email: str | None = None
    timezone: str | None = None
    locale: str | None = None


def handle_for(name: str, user: str) -> str:
    """A handle for a Teams person: their name in lower case without spaces."""
    handle = re.sub(r"[^a-z0-9._-]", "", name.lower().replace(" ", ""))
    return handle or user[:80]


def who_of(activity: dict[str, Any]) -> Who:
    """The sender of a raw activity (NotFound when it has none)."""
    sender = activity.get("from") or {}
    conversation = activity.get("conversation") or {}
    tenant = (
        conversation.get("tenantId")
        or ((activity.get("channelData") or {}).get("tenant") or {}).get("id")
        or ""
    )
    user = sender.get("aadObjectId") or sender.get("id") or ""
    if not tenant or not user:
        raise NotFound("I couldn't work out who you are. Please try again.")
    info = client_info(activity)
    return Who(
        tenant=str(tenant),
        user=str(user),
        name=str(sender.get("name") or user),
        email=sender.get("email") or sender.get("userPrincipalName"),
        timezone=info.get("timezone"),
        locale=info.get("locale") or activity.get("locale"),
    )


def client_info(activity: dict[str, Any]) -> dict[str, Any]:
    """The `clientInfo` entity (time zone, locale), or {}."""
    for entity in activity.get("entities") or []:
        if entity.get("type") == "clientInfo":
            return dict(entity)
    return {}


def ensure_workspace(session: Session, tenant: str, now: datetime) -> int:
    """The workspace id for a Teams tenant, created on first sight."""
    ws = people.ensure_workspace(
        session, platform=Platform.TEAMS, external_id=tenant, name=tenant, now=now
    )
    return ws.id


def ensure_person(
    session: Session, who: Who, *, workspace_id: int, now: datetime, defaults: PersonDefaults
) -> Person:
    """The Person for a Teams sender: created on first sight (the first of a tenant becomes its
    admin and PMO lead), refreshed from the activity once a day."""
    person = session.scalar(
        select(Person).where(Person.workspace_id == workspace_id, Person.external_id == who.user)
    )
    fresh = (
        person is not None
        and person.profile_refreshed_at is not None
        and now - person.profile_refreshed_at < PROFILE_TTL
        and (not who.timezone or person.timezone_pinned or person.timezone == who.timezone)
        and (not who.locale or person.locale == who.locale)
    )
    if fresh:
        assert person is not None
        return person
    return people.upsert_person(
        session,
        workspace_id=workspace_id,
        external_id=who.user,
        handle=person.handle if person else handle_for(who.name, who.user),
        display_name=who.name,
        email=who.email,
        timezone=who.timezone,
        locale=who.locale,
        now=now,
        defaults=defaults,
    )


@dataclass(frozen=True)
class TeamsPeople:
    """How Teams names people: `<at>Name</at>` mentions with their entities (Entra ids when
    Teams gives them), and people picked in a dialog (Entra ids)."""

    mentioned: dict[str, str] = field(default_factory=dict)  # display name → Entra id

    def resolve(self, session: Session, workspace_id: int, mention: Mention) -> Person:
        """The person a mention names: by Entra id when known, else by name."""
        if mention.display_name and mention.display_name in self.mentioned:
            user = self.mentioned[mention.display_name]
            person = session.scalar(
                select(Person).where(
                    Person.workspace_id == workspace_id, Person.external_id == user
                )
            )
            if person is not None and person.active:
                return person
        return people.resolve_mention(session, workspace_id=workspace_id, mention=mention)

    def mention(self, raw: str) -> Mention:
        """A person picked in a dialog: an Entra id, or a handle typed as @name."""
        raw = raw.strip()
        if raw.startswith("@"):
            return Mention(handle=raw[1:])
        if m := AT.fullmatch(raw):
            return Mention(display_name=m.group(1))
        return Mention(external_id=raw)


def mentioned_people(activity: dict[str, Any]) -> dict[str, str]:
    """Display name → Entra id (or account id) of the people @mentioned, the bot left out."""
    bot = (activity.get("recipient") or {}).get("id")
    out: dict[str, str] = {}
    for entity in activity.get("entities") or []:
        if entity.get("type") != "mention":
            continue
        account = entity.get("mentioned") or {}
        if account.get("id") == bot:
            continue
        m = AT.fullmatch(str(entity.get("text") or ""))
        name = m.group(1) if m else str(account.get("name") or "")
        user = account.get("aadObjectId") or account.get("id")
        if name and user:
            out[name] = str(user)
    return out


def command_text(activity: dict[str, Any]) -> str:
    """The typed command: the bot's own @mention removed, spacing tidied."""
    text = str(activity.get("text") or "")
    bot = (activity.get("recipient") or {}).get("id")
    for entity in activity.get("entities") or []:
        if entity.get("type") == "mention" and (entity.get("mentioned") or {}).get("id") == bot:
            text = text.replace(str(entity.get("text") or ""), " ")
    text = OTHER_TAGS.sub(" ", text)  # <p>, <br>, <div> of a formatted message; <at> stays
    text = html.unescape(text).replace("\xa0", " ")
    return " ".join(text.split())
