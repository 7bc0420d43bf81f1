"""What a one-line status update carried over, shown under its confirmation. Pure."""

from __future__ import annotations

from handlers.slack.blocks import Message, command, context, escape
from services.status.update import UpdateView


def carried_message(message: Message, carried: tuple[str, ...], view: UpdateView | None) -> Message:
    """The confirmation with the carried-over fields listed and how to drop them."""
    if not carried or view is None:
        return message
    key, rag = view.project_key, view.fields.overall.value
    text = (
        "⚠️ Carried over from the last update: "
        + "; ".join(escape(c) for c in carried)
        + f". To send it without them: {command(f'status {key} {rag} <summary> --clear')}"
    )
    return Message(
        message.text + " (carried over: " + "; ".join(carried) + ")",
        [*message.blocks, context(text)],
    )
