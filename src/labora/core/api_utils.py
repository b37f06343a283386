"""Helpers shared by the routers: the acting user, If-Match, 409 bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja.responses import NinjaJSONEncoder
from pydantic import AfterValidator

from labora.core.errors import Unauthenticated, ValidationError

_current_serialisers: dict[type, Callable[[Any], dict[str, Any]]] = {}


def current_serialiser(model: type) -> Callable[[Callable[[Any], dict[str, Any]]], Callable[[Any], dict[str, Any]]]:
    """Register how a model is shown as `current` in a 409 answer."""

    def register(fn: Callable[[Any], dict[str, Any]]) -> Callable[[Any], dict[str, Any]]:
        _current_serialisers[model] = fn
        return fn

    return register


def serialise_current(obj: Any) -> dict[str, Any] | None:
    fn = _current_serialisers.get(type(obj))
    return fn(obj) if fn else {"version": getattr(obj, "version", None)}


def actor(request: HttpRequest) -> Any:
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        raise Unauthenticated("Sign in or send a token.")
    return user


def expected_version(request: HttpRequest, body_version: int | None) -> int | None:
    """The version a write is based on: `If-Match: <n>` or the body's `version`."""
    header = request.headers.get("If-Match")
    if header is None:
        return body_version
    raw = header.strip().removeprefix("W/").strip('"')
    if not raw.isdigit():
        raise ValidationError(
            "If-Match must be the resource's integer version, e.g. If-Match: 3.", fields={"If-Match": "not an integer"}
        )
    return int(raw)


def _to_utc(value: datetime) -> datetime:
    # Any ISO offset parses, but PostgreSQL stores only -15:59..+15:59: normalise to UTC here
    # (a time without an offset is read as UTC). Past year 9999 there is no UTC to convert to.
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range; use a date before the year 9999") from None


# A timestamp field of an API schema: `expires_at: UtcDateTime | None = None`.
UtcDateTime = Annotated[datetime, AfterValidator(_to_utc)]


def json_response(body: Any, *, status: int = 200) -> HttpResponse:
    """`body` as the JSON ninja would render for it, skipping the response schema's validation.

    For hot list routes whose handler already builds exactly what the route's `response=` schema
    documents (the schema stays for the OpenAPI document; the route's tests compare bodies): same
    encoder as ninja's renderer (dates ISO 8601, datetimes with milliseconds and `Z`), compact.
    """
    content = json.dumps(body, cls=NinjaJSONEncoder, separators=(",", ":"))
    return HttpResponse(content.encode(), status=status, content_type="application/json; charset=utf-8")
