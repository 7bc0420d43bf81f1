"""The workspace commands: `settings`, `digest`, `leave` and `admin`."""

from __future__ import annotations

from collections.abc import Callable

from services.commands import ast
from services.commands.parse.core import Token, fail, no_extra, pick_verb, read_mention
from services.commands.parse.raid import parse_settings_raid
from services.core.errors import InvalidInput
from services.core.people import Mention

ADMIN_VERBS = {
    "grant": "grant",
    "give": "grant",
    "revoke": "revoke",
    "remove": "revoke",
    "roles": "roles",
    "list": "roles",
}
SETTINGS_SECTIONS = {
    "reminders": "reminders",
    "reminder": "reminders",
    "digests": "digests",
    "digest": "digests",
    "status": "status",
}


def parse_settings(args: list[Token]) -> ast.Command:
    """`settings [<section> <key> <value> | pmo_channel #c | timezone <zone>]`."""
    if not args:
        return ast.SettingsShow()
    words = [t.text for t in args]
    head = words[0].lower()
    if head == "raid":
        return parse_settings_raid(words[1:])
    section = SETTINGS_SECTIONS.get(head)
    if section and len(words) == 3:
        return ast.SettingsSet(section, words[1], words[2])
    if head in ("pmo_channel", "pmo-channel", "channel") and len(words) == 2:
        return ast.SettingsSet("", "pmo_channel", words[1])
    if head in ("timezone", "tz", "time_zone") and len(words) == 2:
        return ast.SettingsSet("", "timezone", words[1])
    if head in ("date_order", "dates", "date-order") and len(words) == 2:
        return ast.SettingsSet("", "date_order", words[1])
    raise InvalidInput(
        "I couldn't read that setting.",
        "Use: `settings reminders <key> <value>`, `settings digests <key> <value>`, "
        "`settings pmo_channel #channel` or `settings timezone Europe/London` (`help admin`).",
    )


def parse_digest(args: list[Token]) -> ast.Command:
    """`digest [on|off|at <time>]`."""
    words = [t.text.lower() for t in args]
    if not words:
        return ast.DigestShow()
    if words == ["off"] or words == ["stop"]:
        return ast.DigestSet(enabled=False)
    if words == ["on"] or words == ["start"]:
        return ast.DigestSet(enabled=True)
    if words[0] == "at" and len(words) >= 2:
        return ast.DigestSet(at=" ".join(words[1:]))
    if len(words) == 1 and words[0][:1].isdigit():
        return ast.DigestSet(at=words[0])
    raise fail("digest", "", "I couldn't read that.")


def parse_leave(args: list[Token]) -> ast.Command:
    """`leave [<from> to <to> | cancel]`."""
    words = [t.text for t in args]
    if not words:
        return ast.LeaveShow()
    if len(words) == 1 and words[0].lower() in ("cancel", "off", "end", "back"):
        return ast.LeaveCancel()
    text = " ".join(words)
    for sep in (" to ", " until ", " till ", " - ", " – "):
        if sep in text.lower():
            i = text.lower().index(sep)
            start, end = text[:i].strip(), text[i + len(sep) :].strip()
            if start and end:
                return ast.LeaveAdd(start, end)
    if len(words) == 2:
        return ast.LeaveAdd(words[0], words[1])
    if len(words) == 1:
        return ast.LeaveAdd(words[0], words[0])
    raise fail("leave", "", "I couldn't tell where the leave starts and ends.")


def parse_admin(args: list[Token]) -> ast.Command:
    """`admin [grant|revoke @person <role> | roles]`; alone it lists the roles."""
    if not args:
        return ast.AdminRoles()
    return ADMIN_PARSERS[pick_verb("admin", args[0], ADMIN_VERBS)](args[1:])


def _role(
    verb: str, cls: Callable[[Mention, str], ast.Command]
) -> Callable[[list[Token]], ast.Command]:
    def parse_it(args: list[Token]) -> ast.Command:
        person = read_mention(args[0] if args else None, "admin", verb)
        if len(args) < 2:
            raise fail("admin", verb, "The role is missing (admin or pmo_lead).")
        no_extra(args[2:], "admin", verb)
        return cls(person, args[1].text)

    return parse_it


def _roles(args: list[Token]) -> ast.Command:
    no_extra(args, "admin", "roles")
    return ast.AdminRoles()


ADMIN_PARSERS: dict[str, Callable[[list[Token]], ast.Command]] = {
    "grant": _role("grant", ast.AdminGrant),
    "revoke": _role("revoke", ast.AdminRevoke),
    "roles": _roles,
}
