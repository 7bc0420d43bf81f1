"""The help as console text, every line within 80 columns. Light on purpose: `pmo-bot console
-c help` answers from the help table alone, without the database or the services."""

from __future__ import annotations

import textwrap

from services.commands.help import DATES_HELP, HELP_ALIASES, TOPICS, HelpEntry, entries_for

WIDTH = 80


def quick_help(text: str) -> str | None:
    """The reply to `help` or `help <topic>` (None for anything else, which the full
    command path answers, with its suggestions)."""
    words = text.strip().lower().split()
    if text.strip().startswith("/pmo"):
        words = words[1:]
    if not words or words[0] not in ("help", "?") or len(words) > 2:
        return None
    topic = HELP_ALIASES.get(words[1], words[1]) if len(words) == 2 else None
    if topic == "date":
        topic = "dates"
    if topic is not None and topic not in TOPICS:
        return None
    extra = DATES_HELP if topic in (None, "dates") else None
    return help_text(topic, entries_for(topic), extra)


def help_text(topic: str | None, entries: list[HelpEntry], extra: str | None) -> str:
    """The help, every line within 80 columns: each command, its summary under it."""
    if topic is None:
        return overview(entries, extra)
    lines = [f"PMO Bot — {topic} commands", ""]
    for e in entries:
        lines += textwrap.wrap(
            e.usage,
            WIDTH,
            initial_indent="  ",
            subsequent_indent="      ",
            break_long_words=False,
        )
        lines += textwrap.wrap(
            e.summary, WIDTH, initial_indent="      ", subsequent_indent="      "
        )
    if extra:
        lines += ["", *textwrap.wrap(extra, WIDTH)] if entries else textwrap.wrap(extra, WIDTH)
    if not entries and not extra:
        lines.append(f"Nothing more on {topic}: try `help`.")
    return "\n".join(lines)


QUICK = "mine · overdue · action list @tom · status ZEUS · report · people · me"
CONSOLE_ONLY = (
    'as <name> (act as someone) · person add @tom "Tom Lee" tz:Europe/London · '
    "clock (the local time) · clock +1d · clock next thu 10:00 · feed full|brief · quit"
)


def overview(entries: list[HelpEntry], extra: str | None) -> str:
    """Every topic on one line with its commands; `help <topic>` gives the details."""
    verbs: dict[str, list[str]] = {}
    for e in entries:
        if e.topic == "help":
            continue
        for usage in e.usage.split("  ·  "):
            words = usage.split()
            group = words[0] if words else e.topic
            verb = words[1] if len(words) > 1 and words[1][0].isalpha() else group
            shown = verb if group == e.topic or group == verb else group
            if shown not in verbs.setdefault(e.topic, []):
                verbs[e.topic].append(shown)
    lines = ["PMO Bot — what I can do (`help <topic>` for the details)", ""]
    for topic, names in verbs.items():
        lines += textwrap.wrap(
            ", ".join(names), WIDTH, initial_indent=f"  {topic:<12} ", subsequent_indent=" " * 15
        )
    lines += ["", *textwrap.wrap("Every day: " + QUICK, WIDTH)]
    lines += ["", *textwrap.wrap("Here in the console: " + CONSOLE_ONLY, WIDTH)]
    if extra:
        lines += ["", *textwrap.wrap(extra, WIDTH)]
    return "\n".join(lines)
