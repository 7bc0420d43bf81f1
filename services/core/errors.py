"""Domain errors. Their text is written for the person who typed the command.

`message` says what went wrong and `hint` what to do instead; either may be a `Phrase` that
names commands, channels and people as structured parts, so each channel shows them its own
way. `field` names the form field the error belongs to (a Slack modal shows it there, the
console re-asks that field only); errors are data, never matched by their wording.
"""

from __future__ import annotations

from collections.abc import Mapping

from services.core.refs import Phrase, Text, plain_text


class DomainError(Exception):
    """A user-facing error: `message` says what went wrong, `hint` what to do instead."""

    def __init__(self, message: Text, hint: Text | None = None, *, field: str | None = None):
        super().__init__(plain_text(message))
        self.message: Text = message
        self.hint: Text | None = hint
        self.field = field

    def __str__(self) -> str:
        text = plain_text(self.message)
        return f"{text} {plain_text(self.hint)}" if self.hint else text

    def on(self, field: str) -> DomainError:
        """This error placed on a form field (unless it already names one)."""
        if self.field is None:
            self.field = field
        return self


class InvalidInput(DomainError):
    """The command or a value in it could not be understood."""


class FormErrors(InvalidInput):
    """Several fields of a form are wrong at once: `errors` maps field name to message."""

    def __init__(self, errors: Mapping[str, Text]) -> None:
        first = next(iter(errors))
        super().__init__(errors[first], field=first)
        self.errors: dict[str, Text] = dict(errors)


class NotFound(DomainError):
    """The thing named does not exist, or the actor may not see it."""


class PermissionDenied(DomainError):
    """The actor may see the thing but not change it."""


class Conflict(DomainError):
    """The change clashes with existing data (a duplicate key, a closed project)."""


__all__ = [
    "Conflict",
    "DomainError",
    "FormErrors",
    "InvalidInput",
    "NotFound",
    "PermissionDenied",
    "Phrase",
]
