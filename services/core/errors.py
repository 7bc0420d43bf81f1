"""Domain errors. Their text is written for the person who typed the command."""

from __future__ import annotations


class DomainError(Exception):
    """A user-facing error: `message` says what went wrong, `hint` what to do instead."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class InvalidInput(DomainError):
    """The command or a value in it could not be understood."""


class NotFound(DomainError):
    """The thing named does not exist, or the actor may not see it."""


class PermissionDenied(DomainError):
    """The actor may see the thing but not change it."""


class Conflict(DomainError):
    """The change clashes with existing data (a duplicate key, a closed project)."""
