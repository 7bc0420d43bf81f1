"""Signed requests with malformed bodies (a buggy proxy, a replayed payload cut short, an
attacker holding the signing secret of a test app): never a 500, never a traceback, never a
row written; the request is refused or answered, and the server keeps serving."""

from __future__ import annotations

import http.client
import json
import time
import urllib.parse
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from bot.web import MAX_BODY
from models import AuditEvent, Project, Workspace
from tests.conftest import NOW
from tests.slack_harness import SlackBot

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def slack(engine, sessions, db_url) -> Iterator[SlackBot]:  # type: ignore[no-untyped-def]
    bot = SlackBot(engine, sessions, db_url, NOW)
    bot.deps.notify_pace = 0
    bot.fake.add_user("U1", "lead")
    yield bot
    bot.close()


def payload(obj: object) -> str:
    return urllib.parse.urlencode({"payload": json.dumps(obj)})


CASES: list[tuple[str, str, str]] = [
    ("payload not JSON", "payload=%7Bnot+json", FORM),
    ("payload a JSON list", payload([1, 2]), FORM),
    ("payload a JSON string", payload("block_actions"), FORM),
    ("payload without type", payload({"team": {"id": "T1"}, "user": {"id": "U1"}}), FORM),
    ("user a string", payload({"type": "block_actions", "team": {"id": "T1"}, "user": "U1",
                               "actions": [{"action_id": "action_done", "value": "1"}]}), FORM),
    ("team null", payload({"type": "block_actions", "team": None, "user": {"id": "U1"},
                           "actions": [{"action_id": "action_done", "value": "1"}]}), FORM),
    ("actions empty", payload({"type": "block_actions", "team": {"id": "T1"},
                               "user": {"id": "U1"}, "actions": []}), FORM),
    ("actions not a list", payload({"type": "block_actions", "team": {"id": "T1"},
                                    "user": {"id": "U1"}, "actions": {"a": 1}}), FORM),
    ("action value not a number", payload({"type": "block_actions", "team": {"id": "T1"},
        "user": {"id": "U1"}, "actions": [{"action_id": "action_done", "value": "x'; --"}]}), FORM),
    ("unknown action", payload({"type": "block_actions", "team": {"id": "T1"},
        "user": {"id": "U1"}, "actions": [{"action_id": "no_such", "value": "1"}]}), FORM),
    ("view without state", payload({"type": "view_submission", "team": {"id": "T1"},
        "user": {"id": "U1"}, "view": {"callback_id": "action_new", "private_metadata": "{"}}),
     FORM),
    ("view state values not a dict", payload({"type": "view_submission", "team": {"id": "T1"},
        "user": {"id": "U1"}, "view": {"callback_id": "project_new", "private_metadata": "",
                                       "state": {"values": [1]}}}), FORM),
    ("shortcut without message", payload({"type": "message_action", "team": {"id": "T1"},
        "user": {"id": "U1"}, "callback_id": "minutes_add", "channel": {"id": "C1"}}), FORM),
    ("command without user", "command=%2Fpmo&text=project+new+EVIL+x&team_id=T1", FORM),
    ("command with invalid percent-encoding",
     "command=%2Fpmo&text=%FF%FE%zz&team_id=T1&user_id=U1&channel_id=C1", FORM),
    ("command text of 1 MB", urllib.parse.urlencode({"command": "/pmo", "team_id": "T1",
        "user_id": "U1", "channel_id": "C1", "text": "project new BIG " + "x" * 1_000_000}),
     FORM),
    ("event without event", json.dumps({"type": "event_callback", "team_id": "T1"}),
     "application/json"),
    ("event a list", json.dumps([{"type": "event_callback"}]), "application/json"),
    ("event without type", json.dumps({"type": "event_callback", "team_id": "T1",
                                       "event": {"user": "U1"}}), "application/json"),
    ("event a string", json.dumps({"type": "event_callback", "team_id": "T1",
                                   "event": "app_mention"}), "application/json"),
    ("view without type", payload({"type": "view_submission", "team": {"id": "T1"},
        "user": {"id": "U1"}, "view": {"callback_id": "project_new", "state": {"values": {}}}}),
     FORM),
    ("JSON body not JSON", "{\"type\": \"event_callb", "application/json"),
    ("empty body", "", FORM),
]  # fmt: skip


@pytest.mark.parametrize(("name", "body", "kind"), CASES, ids=[c[0] for c in CASES])
def test_a_malformed_signed_body_is_refused_or_answered_never_a_500(  # type: ignore[no-untyped-def]
    slack: SlackBot, sessions, name: str, body: str, kind: str
) -> None:
    status, text = slack.send(body, kind)
    assert status in (200, 400, 404, 413), (name, status, text[:300])
    assert "Traceback" not in text and "Internal Server Error" not in text, (name, text[:300])
    time.sleep(0.3)  # work handed to a worker has run by now
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Project)) == 0, name
        # The first person seen is made admin and PMO lead (audited); nothing else may change.
        changes = select(func.count()).select_from(AuditEvent)
        changes = changes.where(AuditEvent.entity_type.notin_(["person", "workspace_role"]))
        assert s.scalar(changes) == 0, (
            name,
            s.execute(select(AuditEvent.entity_type, AuditEvent.action)).all(),
        )
    # Nothing posted to anyone but possibly a polite ephemeral refusal.
    for call in slack.fake.calls + slack.fake.responses:
        seen = json.dumps(call.args if hasattr(call, "args") else call, default=str)
        assert "Traceback" not in seen and "Exception" not in seen, (name, seen[:300])
    # The server still answers the next real command.
    reply = slack.command("help")
    assert reply.get("text") or reply.get("blocks"), reply
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Workspace)) <= 1


def test_an_oversized_command_is_refused_in_words(slack: SlackBot, sessions) -> None:  # type: ignore[no-untyped-def]
    reply = slack.command("project new BIG " + "x" * 1_000_000)
    said = json.dumps(reply)
    assert reply["response_type"] == "ephemeral"
    assert "the limit is 4000" in said, said[:500]
    assert len(said) < 5_000  # the text is not echoed back
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Project)) == 0


def _raw(url: str, chunks: list[bytes], *, length: int | None) -> tuple[int, bytes]:
    """POST with a declared Content-Length, or chunked when `length` is None."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.putrequest("POST", parts.path)
    conn.putheader("Content-Type", FORM)
    if length is None:
        conn.putheader("Transfer-Encoding", "chunked")
    else:
        conn.putheader("Content-Length", str(length))
    conn.endheaders()
    try:
        for c in chunks:
            conn.send(f"{len(c):x}\r\n".encode() + c + b"\r\n" if length is None else c)
        if length is None:
            conn.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed before reading it all
    resp = conn.getresponse()
    status, body = resp.status, resp.read()
    conn.close()
    return status, body


def test_a_body_over_8_mb_is_refused_before_it_is_read(slack: SlackBot) -> None:  # type: ignore[no-untyped-def]
    """Unsigned or not, a huge body never reaches memory whole: 413 by its declared length,
    and 413 when it streams in chunked with no length; the server keeps serving."""
    status, body = _raw(slack.url, [b"x" * 1024], length=MAX_BODY + 1)
    assert status == 413 and b"too large" in body
    chunk = b"payload=" + b"x" * (1 << 20)
    status, body = _raw(slack.url, [chunk] * 9, length=None)
    assert status == 413 and b"too large" in body
    assert slack.command("help")["response_type"] == "ephemeral"
