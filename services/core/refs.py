"""Structured references inside text a service writes for people.

Services never write platform markup. A sentence that names a command, a channel or a person
is a `Phrase` of parts; each channel renders the parts its own way (`/pmo status APOLLO` and
`<#C123>` in Slack, `status APOLLO` and `#C123` in the console, Teams its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from services.core.views import PersonRef


@dataclass(frozen=True)
class Cmd:
    """A command of PMO Bot's language, as typed after `/pmo`: `Cmd("status APOLLO")`."""

    text: str


@dataclass(frozen=True)
class ChannelRef:
    """A chat channel by its platform id (Slack `C…`, a Teams conversation id)."""

    id: str


@dataclass(frozen=True)
class Named:
    """A person named in text as typed (a platform id or a handle), not yet looked up."""

    external_id: str | None = None
    handle: str | None = None
    display_name: str | None = None


Part = str | Cmd | ChannelRef | PersonRef | Named


@dataclass(frozen=True)
class Phrase:
    """Text with structured parts; `str()` gives the plain-text reading."""

    parts: tuple[Part, ...]

    def __str__(self) -> str:
        return "".join(plain_part(p) for p in self.parts)


Text = str | Phrase


def phrase(*parts: Part) -> Phrase:
    """A phrase from its parts: `phrase("Try ", Cmd("project list"), ".")`."""
    return Phrase(tuple(parts))


def plain_part(part: Part) -> str:
    """One part as plain text (commands in backticks, channels as #id, people as @handle)."""
    match part:
        case str():
            return part
        case Cmd(text):
            return f"`{text}`"
        case ChannelRef(id_):
            return f"#{id_}"
        case PersonRef():
            return f"@{part.handle}"
        case Named(external_id, handle, display_name):
            return f"@{handle or display_name or external_id}"
    assert_never(part)


def plain_text(text: Text | None) -> str:
    """Text (or a phrase) as plain text."""
    if text is None:
        return ""
    return text if isinstance(text, str) else str(text)


def parts_of(text: Text) -> tuple[Part, ...]:
    """The parts of a text (a plain string is one part)."""
    return (text,) if isinstance(text, str) else text.parts


def to_json(text: Text) -> str | list[object]:
    """Text in a JSON-safe form (a plain string stays a string)."""
    if isinstance(text, str):
        return text
    out: list[object] = []
    for part in text.parts:
        match part:
            case str():
                out.append(part)
            case Cmd(cmd):
                out.append({"cmd": cmd})
            case ChannelRef(id_):
                out.append({"channel": id_})
            case PersonRef():
                out.append({"person": [part.id, part.external_id, part.handle, part.display_name]})
            case Named(external_id, handle, display_name):
                out.append({"named": [external_id, handle, display_name]})
    return out


def from_json(value: object) -> Text:
    """The inverse of `to_json`."""
    if isinstance(value, str):
        return value
    parts: list[Part] = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str):
            parts.append(item)
        elif isinstance(item, dict) and "cmd" in item:
            parts.append(Cmd(str(item["cmd"])))
        elif isinstance(item, dict) and "channel" in item:
            parts.append(ChannelRef(str(item["channel"])))
        elif isinstance(item, dict) and "person" in item:
            pid, ext, handle, name = item["person"]
            parts.append(PersonRef(int(pid), str(ext), str(handle), str(name)))
        elif isinstance(item, dict) and "named" in item:
            ext, handle, name = item["named"]
            parts.append(Named(ext, handle, name))
    return Phrase(tuple(parts))
