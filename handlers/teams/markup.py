"""Text in an Adaptive Card shows as typed: people's words never become card markup.

A TextBlock's text and a Fact's title and value are read by Teams as a Markdown subset
(`**bold**`, `_italic_`, `[text](url)`, `- ` / `1. ` lists, and in the desktop and web
clients the rest of CommonMark that markdown-it knows: headings, quotes, code, `~~`, tables,
entities, `<autolinks>`) after the `{{DATE(…)}}` / `{{TIME(…)}}` functions are replaced; a
`<at>Name</at>` can become a mention. So every string put there is plain text unless it is
`Markup` (the bot's own formatting), and `card()` escapes the plain ones when it builds the
card (`escape_card`): one place, so a new card can't forget it.

The escaping is CommonMark's backslash before an ASCII punctuation character, which the
desktop and web clients hide (msteams-docs issue #5793; Teams' mobile clients may show the
backslash, but never the markup). Only what could start markup is escaped, to keep those
backslashes rare: `\\ * [ ] ` ~ | < >` everywhere (so no `<at>` is left whole), `_` unless
inside a word, `(` after `]`, the second `{` of `{{` (so no `{{DATE(` is left whole), `&` of
an entity, and at the start of a line `#`, a list's `-` `+` or `1.`, and `-` / `=`
under-lines. Inputs' values (a dialog's prefills) are not markup and are never escaped.
"""

from __future__ import annotations

import re
from typing import Any

ALWAYS = frozenset("\\*[]`~|<>")
SPECIAL = re.compile(r"[\\*\[\]`~|<>_({&]")  # every character `_inline` may mark
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
BREAK = re.compile(r"(\r\n|\r|\n)")
HEADING = re.compile(r"#{1,6}(?=[ \t]|$)")
BULLET = re.compile(r"[-+](?=[ \t]|$)")
NUMBERED = re.compile(r"[0-9]{1,9}(?=[.)](?:[ \t]|$))")
UNDERLINE = re.compile(r"[-=][-= \t]*$")


class Markup(str):
    """Card markup the bot wrote itself: put into a card as it is, never escaped."""

    __slots__ = ()


def escape(text: str) -> Markup:
    """Plain text as card text that shows exactly that text (Markup passes unchanged)."""
    if isinstance(text, Markup):
        return text
    return Markup("".join(_line(p) if i % 2 == 0 else p for i, p in enumerate(BREAK.split(text))))


def _line(line: str) -> str:
    start = len(line) - len(line.lstrip(" \t"))
    block: int | None = None
    if start < len(line):
        if any(p.match(line, start) for p in (HEADING, BULLET, UNDERLINE)):
            block = start
        elif m := NUMBERED.match(line, start):
            block = m.end()
    if block is None and not SPECIAL.search(line):
        return line  # most lines: nothing that could be markup (and no per-character walk)
    marks = [_inline(line, i) for i in range(len(line))]
    if block is not None:
        marks[block] = True
    return "".join("\\" + ch if mark else ch for ch, mark in zip(line, marks, strict=True))


def _inline(line: str, i: int) -> bool:
    """Whether the character at `i` could start or end markup wherever the line is put."""
    ch = line[i]
    if ch in ALWAYS:
        return True
    before = line[i - 1] if i else ""
    match ch:
        case "_":  # inside a word it is never emphasis
            after = line[i + 1] if i + 1 < len(line) else ""
            return not (before.isalnum() and after.isalnum())
        case "(":
            return before in ("", "]")
        case "{":
            return before in ("", "{")
        case "&":
            return ENTITY.match(line, i) is not None
    return False


def escape_card(content: dict[str, Any]) -> dict[str, Any]:
    """Escape, in place, every plain TextBlock text and Fact title and value of a card body
    (and of the cards its actions show); inputs' values are left as they are."""

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for v in node:
                walk(v)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("type")
        if kind == "TextBlock" and isinstance(node.get("text"), str):
            node["text"] = escape(node["text"])
        elif kind == "FactSet":
            for fact in node.get("facts") or []:
                fact["title"] = escape(str(fact.get("title", "")))
                fact["value"] = escape(str(fact.get("value", "")))
        for key in ("body", "items", "columns", "actions", "card"):
            if key in node:
                walk(node[key])

    walk(content.get("body"))
    walk(content.get("actions"))
    return content
