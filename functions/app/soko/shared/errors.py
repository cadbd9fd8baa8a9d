"""Typed domain errors. Each class carries its HTTP status and machine-readable code.

The HTTP layer maps them to ``{"error": {"code", "message", "details"}}`` in one place
(:mod:`soko.shared.http`); nothing picks a status by reading a message.
"""

from __future__ import annotations

from typing import Any, ClassVar


class SokoError(Exception):
    """Base of every error a client may see. ``message`` is a sentence a person understands."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "INTERNAL_ERROR"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}
        if code is not None:
            self.code = code  # type: ignore[misc]  # instance override of the class default


class BadRequest(SokoError):
    status = 400
    code = "BAD_REQUEST"


class MalformedJson(BadRequest):
    code = "MALFORMED_JSON"


class InvalidCursor(BadRequest):
    code = "INVALID_CURSOR"


class Unauthorized(SokoError):
    status = 401
    code = "UNAUTHORIZED"


class Forbidden(SokoError):
    status = 403
    code = "FORBIDDEN"


class NotFound(SokoError):
    status = 404
    code = "NOT_FOUND"


class Conflict(SokoError):
    status = 409
    code = "CONFLICT"


class PayloadTooLarge(SokoError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(SokoError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"


class Unprocessable(SokoError):
    status = 422
    code = "VALIDATION_ERROR"


class TooManyRequests(SokoError):
    status = 429
    code = "TOO_MANY_REQUESTS"

    def __init__(self, message: str, *, retry_after_seconds: int, details: dict[str, Any] | None = None):
        super().__init__(message, details={"retry_after_seconds": retry_after_seconds, **(details or {})})
        self.retry_after_seconds = retry_after_seconds


class DependencyUnavailable(SokoError):
    """A dependency (table, bus, provider) did not answer; the client may retry later."""

    status = 503
    code = "DEPENDENCY_UNAVAILABLE"
