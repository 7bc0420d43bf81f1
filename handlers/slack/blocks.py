"""Block Kit primitives and the Slack reading of structured text. Pure: data in, JSON out.

Every string that came from a person is escaped (`&`, `<`, `>`), so it can never form
`<!channel>`, `<!here>` or a `<@U…>` ping; limits from Slack's Block Kit reference are
enforced here (section 3,000 chars, header 150, button text 75, 50 blocks a message,
100 a view), with "and N more" where a list is cut.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, assert_never

from services.core.dates import day_label, relative_phrase
from services.core.errors import DomainError
from services.core.refs import ChannelRef, Cmd, Named, Text, parts_of, plain_part
from services.core.views import PersonRef

Block = dict[str, Any]
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
HEADER_TEXT = 150
BUTTON_TEXT = 75
FALLBACK_TEXT = 3000
SLACK_USER = re.compile(r"^[UW][A-Z0-9]{1,20}$")
SLACK_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{1,20}$")
COMMAND = "/pmo"


@dataclass(frozen=True)
class Message:
    """A Slack message: fallback text and blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)


def escape(text: str) -> str:
    """Escape user text for mrkdwn so it renders literally and pings nobody."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Cut to `limit` characters with an ellipsis, never splitting an escape entity."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def plain(text: str, limit: int = BUTTON_TEXT) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": True}


def section(mrkdwn: str, **extra: Any) -> Block:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": clip(mrkdwn, SECTION_TEXT)},
        **extra,
    }


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, HEADER_TEXT)}


def context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(mrkdwn, 2000)}]}


def button(text: str, action_id: str, value: str = "", style: str | None = None) -> dict[str, Any]:
    b: dict[str, Any] = {"type": "button", "text": plain(text), "action_id": action_id}
    if value:
        b["value"] = value[:2000]
    if style:
        b["style"] = style
    return b


BLOCK_ID = 255


def block_id(prefix: str, row: object, part: int | None = None) -> str:
    """A block's id, made from what the block is about: its kind (`prefix`), the row it
    shows and, where one message holds several parts that may show the same row (a PM who is
    also PMO lead gets both escalations of one item in one DM), the part's index in that
    message. Unique by construction: a row too long to fit is named by a digest of it."""
    tail = "" if part is None else f":{part}"
    head = f"{prefix}{row}"
    if len(head) + len(tail) > BLOCK_ID:
        head = f"{prefix}#{hashlib.sha256(str(row).encode()).hexdigest()[:32]}"
    return head + tail


def actions(block_id: str, elements: list[dict[str, Any]]) -> Block:
    """An actions block with its id (made by `block_id`, so unique within the message)."""
    if len(block_id) > BLOCK_ID:
        raise ValueError(f"a block id over {BLOCK_ID} chars: {block_id[:40]}…")
    return {"type": "actions", "block_id": block_id, "elements": elements[:25]}


def who(p: PersonRef | None) -> str:
    """A person as a Slack mention when we hold their Slack id, else their escaped name."""
    if p is None:
        return "_nobody_"
    if SLACK_USER.match(p.external_id):
        return f"<@{p.external_id}>"
    return escape(f"@{p.handle}")


def channel_link(channel_id: str) -> str:
    """A channel as a Slack link when it is a channel id, else its escaped name."""
    return f"<#{channel_id}>" if SLACK_CHANNEL.match(channel_id) else escape(channel_id)


def command(text: str) -> str:
    """A command of the language as a person types it in Slack."""
    return f"`{COMMAND} {escape(text)}`"


def rich(text: Text) -> str:
    """Structured text in mrkdwn: people's words escaped, commands, channels and people
    shown the Slack way."""
    out = []
    for part in parts_of(text):
        match part:
            case str():
                out.append(escape(part))
            case Cmd(cmd):
                out.append(command(cmd))
            case ChannelRef(channel_id):
                out.append(channel_link(channel_id))
            case PersonRef():
                out.append(who(part))
            case Named(external_id, handle, display_name):
                if external_id and SLACK_USER.match(external_id):
                    out.append(f"<@{external_id}>")
                else:
                    out.append(escape(f"@{handle or display_name or external_id}"))
            case _:
                assert_never(part)
    return "".join(out)


def flat(text: Text | None) -> str:
    """Structured text as plain text, for notification fallbacks."""
    if text is None:
        return ""
    return "".join(
        f"{COMMAND} {p.text}" if isinstance(p, Cmd) else plain_part(p) for p in parts_of(text)
    )


def day(d: date | None, today: date) -> str:
    if d is None:
        return "no due date"
    phrase, overdue = relative_phrase(d, today)
    return f"{day_label(d, today)} ({'*' + phrase + '*' if overdue else phrase})"


def fallback(trusted: str, user: str = "", tail: str = "") -> str:
    """Plain `text` for notifications and screen readers.

    `trusted` and `tail` are ours (mentions we made stay mentions, bold marks go); `user` is
    what a person typed, escaped so it cannot ping anyone.
    """
    return clip(trusted.replace("*", "") + escape(user) + tail.replace("*", ""), FALLBACK_TEXT)


def list_with_overflow(
    rows: list[list[Block]], head: list[Block], total: int, limit: int
) -> list[Block]:
    """Add row groups while they fit under `limit` blocks; say how many did not."""
    blocks = list(head)
    shown = 0
    for group in rows:
        if len(blocks) + len(group) > limit - 1:
            break
        blocks.extend(group)
        shown += 1
    if total > shown:
        blocks.append(context(f"… and {total - shown} more."))
    return blocks


def error_message(err: DomainError) -> Message:
    """A user error: what went wrong and what to do."""
    text = f":warning: {rich(err.message)}" + (f"\n{rich(err.hint)}" if err.hint else "")
    hint = f" {flat(err.hint)}" if err.hint else ""
    return Message(fallback("", flat(err.message) + hint), [section(text)])


def notice(text: str) -> Message:
    """A short message of our own words (escaped)."""
    return Message(fallback("", text), [section(escape(text))])


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))
