"""The one error hierarchy of the domain, raised below the controllers.

`core.web` (`EXCEPTION_HANDLERS`) maps these to HTTP statuses and friendly pages in one place.
Messages are English message ids, translated when shown.
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """Base of every error a user can cause."""

    message = "Something went wrong."

    def __init__(self, message: str | None = None, **params: object) -> None:
        self.message = message or self.message
        self.params = params
        super().__init__(self.message)


class NotFound(DomainError):
    """The object does not exist, or the user may not know that it does."""

    message = "Not found."


class NotAllowed(DomainError):
    """The user may not do this."""

    message = "You are not allowed to do this."


class Conflict(DomainError):
    """Someone else changed the object first, or it is in a state that forbids this."""

    message = "This record was changed by someone else; reload and try again."


class Invalid(DomainError):
    """Input that fails validation; `errors` maps each field to its message id."""

    message = "Please correct the marked fields."

    def __init__(self, errors: Mapping[str, str], message: str | None = None) -> None:
        super().__init__(message)
        self.errors = dict(errors)


class TooManyAttempts(DomainError):
    """Too many attempts in a short time (failed sign-ins), or too much work at once (heavy jobs)."""

    message = "Too many failed attempts. Try again in {minutes} minutes."

    @property
    def retry_after(self) -> int | None:
        """Whole seconds to wait, when the refusal says them (its `seconds`): the 429's Retry-After."""
        seconds = self.params.get("seconds")
        return seconds if isinstance(seconds, int) else None
