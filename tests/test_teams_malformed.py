"""Activities of a shape Teams never sends, posted to /api/messages (anonymous mode, as a
caller past the bearer check would): never a 500 with a traceback, nothing written but a
first-seen person, and the bot keeps answering."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.web import MAX_BODY
from models import AuditEvent, Person, Project
from tests.conftest import NOW
from tests.teams_harness import TeamsBot


@pytest.fixture
def teams(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[TeamsBot]:
    bot = TeamsBot(engine, sessions, NOW)
    yield bot
    bot.close()


def raw_post(bot: TeamsBot, body: bytes) -> tuple[int, str]:
    req = urllib.request.Request(
        f"{bot.base}/api/messages", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as err:
        try:
            return err.code, err.read().decode(errors="replace")
        finally:
            err.close()


def shaped(bot: TeamsBot, **changes: Any) -> bytes:
    a = bot.activity("ana", text="project new EVIL x")
    for k, v in changes.items():
        if v is ...:
            a.pop(k, None)
        else:
            a[k] = v
    return json.dumps(a).encode()


CASES: dict[str, Any] = {
    "not JSON": lambda b: b"{not json",
    "a JSON list": lambda b: b"[1, 2]",
    "a JSON string": lambda b: b'"message"',
    "not UTF-8": lambda b: b'{"type": "message", "text": "\xff\xfe"}',
    "empty": lambda b: b"",
    "no type": lambda b: shaped(b, type=...),
    "type a number": lambda b: shaped(b, type=7),
    "from a string": lambda b: shaped(b, **{"from": "ana"}),
    "no from": lambda b: shaped(b, **{"from": ...}),
    "conversation a list": lambda b: shaped(b, conversation=[1]),
    "no conversation": lambda b: shaped(b, conversation=...),
    "text an object": lambda b: shaped(b, text={"a": 1}),
    "entities not a list": lambda b: shaped(b, entities="clientInfo"),
    "entities of strings": lambda b: shaped(b, entities=["clientInfo"]),
    "invoke without name": lambda b: shaped(b, type="invoke", value={"action": {}}),
    "invoke value a string": lambda b: shaped(
        b, type="invoke", name="adaptiveCard/action", value="Done"
    ),
    "invoke task/submit junk": lambda b: shaped(
        b, type="invoke", name="task/submit", value={"data": [1, 2]}
    ),
    "invoke action data junk": lambda b: shaped(
        b, type="invoke", name="adaptiveCard/action", value={"action": {"verb": 5, "data": 1}}
    ),
    "serviceUrl missing": lambda b: shaped(b, serviceUrl=...),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_malformed_activity_never_gets_a_500_and_writes_nothing(
    teams: TeamsBot, sessions: sessionmaker[Session], name: str
) -> None:
    status, text = raw_post(teams, CASES[name](teams))
    assert status < 500, (name, status, text[:300])
    assert "Traceback" not in text, (name, text[:300])
    teams.settle()
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Project)) == 0, name
        changes = select(AuditEvent.entity_type, AuditEvent.action).where(
            AuditEvent.entity_type.notin_(["person", "workspace_role"])
        )
        assert s.execute(changes).all() == [], name
    for sent in teams.fake.activities() if hasattr(teams.fake, "activities") else []:
        assert "Traceback" not in json.dumps(sent), (name, sent)
    status, reply = teams.post(teams.activity("bob", text="help"))
    assert status < 300, (name, status, reply)


def test_an_unknown_client_zone_is_not_stored(
    teams: TeamsBot, sessions: sessionmaker[Session]
) -> None:
    """A clientInfo time zone tzdata doesn't know leaves the person on a zone that works (an
    unreadable stored zone would hold back their reminders and digests)."""
    a = teams.activity("ana", text="help")
    a["entities"] = [{"type": "clientInfo", "timezone": "Mars/Olympus", "locale": "en-GB"}]
    status, _ = teams.post(a)
    assert status < 300
    with sessions() as s:
        zones = s.scalars(select(Person.timezone)).all()
    assert zones and "Mars/Olympus" not in zones
    for zone in zones:
        ZoneInfo(zone)


def test_an_activity_over_8_mb_is_refused(teams: TeamsBot) -> None:
    """Refused by its declared length before it is read (the rest is never sent)."""
    conn = http.client.HTTPConnection("127.0.0.1", int(teams.base.rsplit(":", 1)[1]), timeout=30)
    conn.putrequest("POST", "/api/messages")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(MAX_BODY + 1))
    conn.endheaders()
    conn.send(json.dumps(teams.activity("ana", text="x" * 1000)).encode())
    resp = conn.getresponse()
    assert resp.status == 413 and b"too large" in resp.read()
    conn.close()
    status, _ = teams.post(teams.activity("ana", text="help"))
    assert status < 300
