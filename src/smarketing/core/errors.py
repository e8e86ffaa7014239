"""Domain errors raised by services; the API and views translate them.

Errors carry the field they are about, so callers never match message text.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request; nothing was written."""

    code = "invalid"

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "message": self.message}


class ValidationFailed(DomainError):
    code = "invalid"


class TransitionRefused(DomainError):
    code = "transition_refused"


class NotFound(DomainError):
    """The object does not exist, or the user may not see or change it."""

    code = "not_found"


class PermissionDenied(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    """Someone else changed the object first (e.g. two reps deciding the same MQL)."""

    code = "conflict"


class RateLimited(DomainError):
    """Too many requests: retry after `retry_after` seconds (HTTP 429 + Retry-After)."""

    code = "rate_limited"

    def __init__(self, message: str, *, field: str = "", retry_after: int = 60) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after
