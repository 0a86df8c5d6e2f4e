"""Errors the front desk can act on.

Every operation in `frontdesk` refuses bad requests by raising a `FrontdeskError`
whose message is written for staff ("Dr. Patel already has Maria Lopez at 9:30").
Screens and the CLI show that message as it is; anything else is a bug.
"""

from __future__ import annotations

__all__ = [
    "FrontdeskError",
    "InvalidInput",
    "NotFound",
    "Conflict",
    "StaleEdit",
    "SignInRefused",
    "NotAllowed",
    "StorageError",
    "ConfigError",
]


class FrontdeskError(Exception):
    """A refusal or failure with a message written for staff."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        """The form field the message is about, so a screen can focus it."""

    def __str__(self) -> str:
        return self.message


class InvalidInput(FrontdeskError):
    """Something staff typed cannot be right."""


class NotFound(FrontdeskError):
    """The record asked for does not exist."""


class Conflict(FrontdeskError):
    """The change collides with something already there."""


class StaleEdit(Conflict):
    """Someone else changed the record since it was read."""


class SignInRefused(FrontdeskError):
    """Wrong credentials, or an account that may not sign in now."""


class NotAllowed(FrontdeskError):
    """The signed-in person's role does not allow the action."""


class StorageError(FrontdeskError):
    """The database cannot be opened, read or written."""


class ConfigError(FrontdeskError):
    """The configuration file has a bad value."""
