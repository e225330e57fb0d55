"""Errors a service raises for a caller's mistake. The web layer maps each to one HTTP status.

A message is an English message id. One with values names them as ``{placeholders}`` and
passes them in ``params``: the web layer translates the id and formats each value for the
reader's language and the locality's time zone (``core.i18n.Translator.error``; a datetime
becomes "2026年12月1日 09:00" on a Chinese page). ``message`` is the id filled in with plain
values (datetimes in ISO 8601, UTC), for logs and for callers that do not translate.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


class Choices(tuple):
    """Message ids a message lists as alternatives (``Choices(["Weekly plan", "Daily record"])``):
    put into a translated message each translated and joined as the reader's language joins
    them ("周计划或日记实", "Weekly plan or Daily record"); plain, as the ids joined by ", "."""


def plain(value: Any) -> str:
    """A value as it reads in a message that is not translated."""
    if isinstance(value, Choices):
        return ", ".join(value)
    if isinstance(value, datetime):
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.isoformat(timespec="minutes")
    return str(value)


class ServiceError(Exception):
    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        params: dict[str, Any] | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict | None = None,
    ):
        self.msgid = message
        self.params = dict(params or {})
        if self.params:
            message = message.format(**{name: plain(value) for name, value in self.params.items()})
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        self.headers = headers or {}


class Unauthorized(ServiceError):
    status_code = 401


class Forbidden(ServiceError):
    status_code = 403


class NotFound(ServiceError):
    status_code = 404


class Conflict(ServiceError):
    status_code = 409


class Invalid(ServiceError):
    """Input that is well-formed but not acceptable; ``errors`` says where."""

    status_code = 422


class TooLarge(ServiceError):
    status_code = 413


class RateLimited(ServiceError):
    status_code = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


def field_error(field: str, message: str) -> Invalid:
    """An ``Invalid`` (422) naming one field of the input (``errors``: ``[{field, message}]``)."""
    return Invalid(f"{field}: {message}", errors=[{"field": field, "message": message}])
