"""Resolve Slack teams and users to our Workspace and Person (profiles refreshed daily)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Person, Platform
from services.core import people
from services.core.errors import NotFound
from services.core.people import Mention, PersonDefaults
from services.core.refs import Named, phrase

log = logging.getLogger(__name__)
PROFILE_TTL = timedelta(days=1)


def ensure_workspace(session: Session, team_id: str, now: datetime) -> int:
    """The workspace id for a Slack team, created on first sight."""
    ws = people.ensure_workspace(
        session, platform=Platform.SLACK, external_id=team_id, name=team_id, now=now
    )
    return ws.id


def ensure_person(
    session: Session,
    client: WebClient,
    *,
    workspace_id: int,
    user_id: str,
    now: datetime,
    defaults: PersonDefaults,
    strict: bool = False,
) -> Person:
    """The Person for a Slack user id; `users.info` on first sight and once a day after.

    With `strict`, a user Slack does not know (or a deactivated one) raises NotFound;
    otherwise a person we already know is kept as is when Slack can't be asked.
    """
    person = session.scalar(
        select(Person).where(Person.workspace_id == workspace_id, Person.external_id == user_id)
    )
    fresh = (
        person is not None
        and person.profile_refreshed_at is not None
        and now - person.profile_refreshed_at < PROFILE_TTL
    )
    if fresh:
        assert person is not None
        return person
    try:
        info = client.users_info(user=user_id, include_locale=True)["user"]
    except SlackApiError as exc:
        code = exc.response.get("error")
        log.warning("users.info failed for %s: %s", user_id, code)
        if strict and code in ("user_not_found", "account_inactive"):
            raise NotFound(
                phrase("Slack doesn't know ", Named(external_id=user_id), "."),
                "Pick someone in this workspace.",
            ) from None
        if person is not None:
            return person
        info = {"id": user_id, "name": user_id}
    if strict and (info.get("deleted") or info.get("is_bot")):
        what = "a bot" if info.get("is_bot") else "deactivated"
        raise NotFound(
            phrase(Named(external_id=user_id), f" is {what} and can't own work."), "Pick a person."
        )
    profile = info.get("profile") or {}
    display = profile.get("display_name") or info.get("real_name") or info.get("name") or user_id
    return people.upsert_person(
        session,
        workspace_id=workspace_id,
        external_id=user_id,
        handle=str(info.get("name") or user_id),
        display_name=str(display),
        email=profile.get("email"),
        timezone=info.get("tz"),
        locale=info.get("locale"),
        now=now,
        defaults=defaults,
    )


@dataclass(frozen=True)
class SlackPeople:
    """How Slack names people: `<@U…>` mentions and user pickers give Slack user ids, asked
    about with `users.info` when we have not met the person yet."""

    client: WebClient
    defaults: PersonDefaults
    now: datetime

    def resolve(self, session: Session, workspace_id: int, mention: Mention) -> Person:
        """The person a mention names; a Slack id must be a real, active person."""
        if mention.external_id:
            return ensure_person(
                session,
                self.client,
                workspace_id=workspace_id,
                user_id=mention.external_id,
                now=self.now,
                defaults=self.defaults,
                strict=True,
            )
        return people.resolve_mention(session, workspace_id=workspace_id, mention=mention)

    def mention(self, raw: str) -> Mention:
        """A person picked in a modal (a users_select gives their Slack id)."""
        return Mention(external_id=raw)
