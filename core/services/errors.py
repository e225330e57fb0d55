"""Errors a service raises for a caller's mistake. The web layer maps each to one HTTP status."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    status_code = 400

    def __init__(self, message: str, *, errors: list[dict[str, Any]] | None = None, headers: dict | None = None):
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
