"""Request id middleware: accepts a sane X-Request-ID or makes one, logs the request."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from labora.core.logging import request_id_var

logger = logging.getLogger("labora.request")
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]  # documented extension of request
        token = request_id_var.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            if response.status_code == 405 and request.path.startswith("/api/") and not _is_json(response):
                response = _json_method_not_allowed(request, response)
            status = response.status_code
            log = logger.error if status >= 500 else logger.warning if status >= 400 else logger.info
            log(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            # This line (with its request id) replaces Django's own "Not Found: ..." line,
            # which would be written after the id is gone.
            response._has_been_logged = True  # type: ignore[attr-defined]  # Django's own flag
            return response
        finally:
            request_id_var.reset(token)


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def _json_method_not_allowed(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The API answers a wrong method with API.md's error body, like every other error."""
    allowed = response.get("Allow", "")
    body = {
        "error": {
            "code": "method_not_allowed",
            "message": f"{request.method} is not allowed on {request.path}. Allowed: {allowed or 'none'}.",
            "fields": {},
        }
    }
    replacement = JsonResponse(body, status=405)
    for header in ("Allow", "X-Request-ID"):
        if header in response:
            replacement[header] = response[header]
    return replacement
