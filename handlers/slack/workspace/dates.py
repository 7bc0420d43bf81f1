"""How a person writes dates (`me dates`) in Block Kit. Pure."""

from __future__ import annotations

from handlers.slack.blocks import Message, command, context, escape, fallback, section
from services.commands.results import DatesResult

SOURCE = {
    "yours": "your choice",
    "locale": "from your Slack language",
    "workspace": "the workspace's setting",
    "default": "the default",
}


def dates_message(result: DatesResult) -> Message:
    v = result.dates
    source = SOURCE[v.source] + (f" ({v.locale})" if v.source == "locale" and v.locale else "")
    lead = "✅ Saved. " if result.changed else ""
    text = f"{lead}You write dates *{v.order.value}*: today is *{v.example}* ({escape(source)})."
    how = (
        f"Change it with {command('me dates DMY')}, {command('me dates MDY')} or "
        f"{command('me dates YMD')}; {command('me dates auto')} follows your Slack language, "
        "else the workspace."
    )
    return Message(fallback(text), [section(text), context(how)])
