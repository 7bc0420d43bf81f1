"""Adaptive Card 1.5 primitives for Teams: a card and its text fallback, a TextBlock, the
size budget, and plain words over as many cards as they need. People's words are plain
text, escaped when the card is built (`handlers.teams.markup`). Pure: data in, JSON out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from handlers.teams.markup import escape, escape_card

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
MAX_ACTIVITY_BYTES = 28_000
CARD_BUDGET = 24_000  # bytes of card JSON per activity, leaving room for the envelope


@dataclass(frozen=True)
class Card:
    """One Adaptive Card and the plain text a client without cards (or a notification) shows."""

    content: dict[str, Any]
    text: str

    def attachment(self) -> dict[str, Any]:
        return {"contentType": CARD_TYPE, "content": self.content}


def text_block(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def card(
    body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None, *, fallback: str = ""
) -> dict[str, Any]:
    """An Adaptive Card 1.5. Every TextBlock text and Fact is plain text, shown as typed,
    unless it is `Markup` (`handlers.teams.markup`); the fallback text too."""
    content: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": "1.5",
        "body": body,
    }
    if actions:
        content["actions"] = actions
    if fallback:  # "may contain markdown" (the Adaptive Card schema)
        content["fallbackText"] = escape(fallback[:2000])
    return escape_card(content)


def size_of(content: dict[str, Any]) -> int:
    return len(json.dumps(content, ensure_ascii=False).encode())


def cost(text: str) -> int:
    """Bytes of card JSON the text can take once escaped (at most one backslash a character)."""
    return size_of({"t": text}) - 8 + sum(2 for ch in text if ch.isascii() and not ch.isalnum())


def text_cards(text: str, actions: list[dict[str, Any]] | None = None) -> list[Card]:
    """Plain words as one card, or several when they would pass the size limit."""
    chunks: list[str] = []
    current, used = "", 0
    limit = CARD_BUDGET // 2  # the text in the body; the fallback text takes the rest
    for line in text.splitlines() or [""]:
        while cost(line) > limit:  # one enormous line: cut it
            if current:
                chunks.append(current)
                current, used = "", 0
            cut = len(line) // 2
            while cost(line[:cut]) > limit:
                cut //= 2
            chunks.append(line[:cut])
            line = line[cut:]
        size = cost(line) + 2
        if current and used + size > limit:
            chunks.append(current)
            current, used = line, size
        else:
            current = f"{current}\n{line}" if current else line
            used += size
    chunks.append(current)
    out = []
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        content = card([text_block(chunk)], actions if last else None, fallback=chunk)
        out.append(Card(content, chunk))
    return out
