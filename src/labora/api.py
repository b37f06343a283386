"""The REST API under /api/v1: one NinjaAPI, routers from each app, API.md's error body."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth

from labora.accounts.api import TokenAuth
from labora.accounts.api import router as accounts_router
from labora.collaboration.api import router as collaboration_router
from labora.core.api import router as core_router
from labora.core.api_utils import serialise_current
from labora.core.errors import Conflict, LaboraError
from labora.workspaces.api import router as workspaces_router

api = NinjaAPI(
    title="Labora API",
    version="1",
    description="Work management for teams and organisations. See API.md for the conventions: "
    "token auth (`Authorization: Bearer lab_...`), lists as {items, count, next}, errors as "
    "{error: {code, message, fields}}, optimistic concurrency with `If-Match: <version>`.",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, fields: dict[str, Any] | None = None, **extra: Any
) -> HttpResponse:
    body: dict[str, Any] = {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}
    return api.create_response(request, body, status=status)


@api.exception_handler(LaboraError)
def _labora_error(request: HttpRequest, exc: LaboraError) -> HttpResponse:
    body = exc.body()
    if isinstance(exc, Conflict) and exc.current is not None:
        body["current"] = serialise_current(exc.current)
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "header", "payload")]
        key = ".".join(loc) or "body"
        fields.setdefault(key, err.get("msg", "invalid"))
    summary = "; ".join(f"{k}: {v}" for k, v in fields.items())
    return _error(request, 422, "invalid", f"The request is not valid. Fix these and retry: {summary}", fields)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request,
        401,
        "unauthenticated",
        "Sign in, or send a personal access token as 'Authorization: Bearer <token>'. "
        "Create one under Settings → API tokens or with `labora token create`.",
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", str(exc) or "Not found.")


@api.exception_handler(DjangoPermissionDenied)
def _forbidden(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", str(exc) or "You do not have permission to do this.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {
        400: "bad_request",
        401: "unauthenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        422: "invalid",
        429: "rate_limited",
    }
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc.message))


api.add_router("", core_router)
api.add_router("", accounts_router)
api.add_router("", workspaces_router)
api.add_router("", collaboration_router)
