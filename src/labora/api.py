"""The REST API under /api/v1: one NinjaAPI, routers from each app, API.md's error body."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import SessionAuth

from labora.accounts.api import TokenAuth
from labora.accounts.api import router as accounts_router
from labora.chat.api import router as chat_router
from labora.collaboration.api import router as collaboration_router
from labora.collaboration.api_comments import router as comments_router
from labora.core.api import router as core_router
from labora.core.api_utils import serialise_current
from labora.core.errors import Conflict, LaboraError
from labora.notifications.api import router as notifications_router
from labora.planning.api import router as planning_router
from labora.planning.api_gantt import router as planning_gantt_router
from labora.work.api import router as work_router
from labora.work.api_fields import router as work_fields_router
from labora.work.api_members import router as work_members_router
from labora.work.api_search import router as work_search_router
from labora.work.api_views import router as work_views_router
from labora.workspaces.api import router as workspaces_router

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "description": "API.md's error body. A 409 also carries `current`: the resource as it is now.",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "description": "Machine-readable, e.g. `not_found`, `stale_version`."},
                "message": {"type": "string", "description": "What is wrong and how to fix it."},
                "fields": {"type": "object", "description": "Per-field problems, keyed by field name."},
            },
        },
        "current": {"type": "object", "description": "409 only: the current state of the resource."},
    },
}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_WRITES = {"post", "put", "patch", "delete"}
_ERROR_RESPONSES = {
    400: "The body is not a JSON object.",
    401: "Not signed in: send `Authorization: Bearer <token>` or use a browser session.",
    403: "Signed in, but not allowed to do this.",
    404: "Unknown, or in a workspace you cannot see.",
    409: "A stale `If-Match`/`version`, or a conflict such as a taken name; carries `current`.",
    422: "Invalid input; `fields` names each problem.",
}


class NulCharacter(ValueError):
    """Text with a NUL character: PostgreSQL cannot store it, so it is refused as input."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def _find_nul(value: Any, where: str) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise NulCharacter(where)
    elif isinstance(value, dict):
        for key, item in value.items():
            _find_nul(key, where)
            _find_nul(item, f"{where}.{key}" if where != "body" else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _find_nul(item, f"{where}.{index}")


class ObjectBodyParser(Parser):
    """Request bodies are JSON objects. Anything else (an array, a string, null) is refused
    here: ninja's schemas read attributes, so `[null]` would otherwise pass as an empty PATCH.
    So is text with a NUL character, which PostgreSQL cannot store (a 500 otherwise)."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise TypeError("the body is not a JSON object")
        _find_nul(data, "body")
        return data


def _reject_nul_in_address(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The path and query string get the same NUL check as bodies."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        for name, values in [*kwargs.items(), *request.GET.lists()]:
            for value in values if isinstance(values, list) else [values]:
                if (isinstance(value, str) and "\x00" in value) or "\x00" in name:
                    return _nul_error(request, name)
        return view(request, *args, **kwargs)

    return guarded


def _nul_error(request: HttpRequest, field: str) -> HttpResponse:
    return _error(
        request,
        422,
        "invalid",
        f"{field}: text cannot contain the NUL character (\\u0000). Remove it and retry.",
        {field: "contains a NUL character"},
    )


class LaboraAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI documents the error answers every operation can give, so that
    clients (and schemathesis) know a 404 or a 422 is part of the contract."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                for status in _error_statuses(method, operation):
                    operation["responses"].setdefault(
                        status,
                        {
                            "description": _ERROR_RESPONSES[status],
                            "content": {"application/json": {"schema": _ERROR_REF}},
                        },
                    )
        return schema

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        # Appended after every router, whatever order they were added in: an unknown
        # /api/v1 address answers the JSON error body like every other 404, not HTML.
        urls = [
            URLPattern(u.pattern, _reject_nul_in_address(u.callback), u.default_args, u.name)
            if isinstance(u, URLPattern)
            else u
            for u in super()._get_urls()
        ]
        return [*urls, path("<path:rest>", _unknown_route)]


def _unknown_route(request: HttpRequest, rest: str) -> HttpResponse:
    return _error(request, 404, "not_found", f"No API route {request.path}. See /api/v1/docs for the routes.")


def _error_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    # Integer keys, like the ones ninja writes for the routes' own responses.
    statuses = []
    if "requestBody" in operation:
        statuses.append(400)
    if operation.get("security"):
        statuses += [401, 403, 404]
    if method in _WRITES and operation.get("security"):
        statuses.append(409)
    if operation.get("parameters") or "requestBody" in operation:
        statuses.append(422)
    return statuses


api = LaboraAPI(
    title="Labora API",
    version="1",
    description="Work management for teams and organisations. See API.md for the conventions: "
    "token auth (`Authorization: Bearer lab_...`), lists as {items, count, next}, errors as "
    "{error: {code, message, fields}}, optimistic concurrency with `If-Match: <version>`.",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    parser=ObjectBodyParser(),
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
    if isinstance(exc.__cause__, NulCharacter):
        return _nul_error(request, exc.__cause__.field)
    if exc.status_code == 400 and str(exc.message).startswith("Cannot parse request body"):
        return _error(
            request,
            400,
            "bad_request",
            'The body must be a JSON object, e.g. {"name": "..."}, sent with Content-Type: application/json.',
            {"body": "not a JSON object"},
        )
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc.message))


api.add_router("", core_router)
api.add_router("", accounts_router)
api.add_router("", workspaces_router)
api.add_router("", collaboration_router)
api.add_router("", work_views_router)  # before work_router: /tasks/move-to-project is no task key
api.add_router("", work_members_router)
api.add_router("", planning_router)  # before work_router: /projects/import/mspdi is no project key
api.add_router("", planning_gantt_router)  # the Gantt chart's data
api.add_router("", work_router)
api.add_router("", work_search_router)
api.add_router("", work_fields_router)
api.add_router("", comments_router)
api.add_router("", notifications_router)
api.add_router("", chat_router)
