"""Who is on the other end of a websocket: an API token, or the browser's session.

Order: `Authorization: Bearer <token>`, then `?token=<token>` (browsers' WebSocket cannot set
headers), then the session cookie. A token that is present but invalid does not fall back to
the session: the connection is refused (4401), like the REST API's 401.

The session cookie is only honoured when the handshake's Origin is this site (or absent, for
non-browser clients): browsers send cookies with cross-site websocket handshakes, so without
this check any web page could read a signed-in user's live events (cross-site websocket hijacking).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from labora.accounts.services import token_authenticate

TOKEN_INVALID = "token_invalid"  # noqa: S105  (a state name, not a secret)
ORIGIN_REFUSED = "origin_refused"


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""


def bearer_token(scope: dict[str, Any]) -> str | None:
    """The raw token from the Authorization header or the query string, if any was sent."""
    header = _header(scope, b"authorization")
    if header:
        kind, _, raw = header.partition(" ")
        if kind.lower() == "bearer":
            return raw.strip()
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if "token" in query:
        return query["token"][0].strip()
    return None


def origin_allowed(scope: dict[str, Any]) -> bool:
    """No Origin (not a browser), or one whose host is this server's Host or an allowed host."""
    origin = _header(scope, b"origin")
    if not origin:
        return True
    parts = urlsplit(origin)
    if not parts.hostname:
        return False
    host = _header(scope, b"host")
    if host and parts.netloc.lower() == host.lower():
        return True
    public = urlsplit(settings.PUBLIC_URL)
    return parts.scheme == public.scheme and parts.netloc.lower() == public.netloc.lower()


class TokenOrSessionMiddleware:
    """Sets scope["user"] from a token when one is sent; otherwise keeps the session's user
    (put there by channels' AuthMiddlewareStack around this) when the Origin is ours.
    scope["live_auth"] says which ("token", "session") or why nobody ("token_invalid",
    "origin_refused", "none")."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        raw = bearer_token(scope)
        if raw is not None:
            user = await database_sync_to_async(token_authenticate)(raw)
            scope = {**scope, "user": user or AnonymousUser(), "live_auth": "token" if user else TOKEN_INVALID}
        elif not origin_allowed(scope):
            scope = {**scope, "user": AnonymousUser(), "live_auth": ORIGIN_REFUSED}
        else:
            user = scope.get("user")
            signed_in = bool(user is not None and user.is_authenticated)
            scope = {**scope, "live_auth": "session" if signed_in else "none"}
        return await self.inner(scope, receive, send)


def LiveAuthStack(inner: Any) -> Any:
    return AuthMiddlewareStack(TokenOrSessionMiddleware(inner))
