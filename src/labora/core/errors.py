"""Domain errors. Services raise these; the API and pages turn them into API.md's error body.

{"error": {"code": "<machine_code>", "message": "<what is wrong and how to fix it>", "fields": {...}}}
"""

from __future__ import annotations

from typing import Any


class LaboraError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "fields": self.fields}
        error.update(self.extra)
        return {"error": error}


class Unauthenticated(LaboraError):
    status = 401
    code = "unauthenticated"


class PermissionDenied(LaboraError):
    status = 403
    code = "forbidden"


class NotFound(LaboraError):
    status = 404
    code = "not_found"


class Conflict(LaboraError):
    """A stale write or a uniqueness clash. `current` carries the resource as it is now."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, *, current: Any = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.current = current


class ValidationError(LaboraError):
    status = 422
    code = "invalid"


class RateLimited(LaboraError):
    status = 429
    code = "rate_limited"
