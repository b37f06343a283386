"""/api/v1/me and personal access tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.security import HttpBearer

from labora.accounts import services
from labora.accounts.models import ApiToken, User
from labora.accounts.selectors import token_list_for_user
from labora.core.api_utils import UtcDateTime, actor, current_serialiser, expected_version
from labora.core.pagination import Page, paginate
from labora.workspaces.selectors import memberships_for_user

router = Router(tags=["me"])


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = services.token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class MyWorkspaceOut(Schema):
    slug: str
    name: str
    role: str


class MeOut(Schema):
    id: str
    email: str
    name: str
    handle: str
    timezone: str
    version: int
    workspaces: list[MyWorkspaceOut]


class MePatchIn(Schema):
    name: str | None = Field(None, max_length=150)
    handle: str | None = Field(None, max_length=40)
    timezone: str | None = Field(None, max_length=64)
    version: int | None = None


def _me(user: User) -> dict[str, Any]:
    return {
        "id": user.public_id,
        "email": user.email,
        "name": user.name,
        "handle": user.handle,
        "timezone": user.timezone,
        "version": user.version,
        "workspaces": [
            {"slug": m.workspace.slug, "name": m.workspace.name, "role": m.role}
            for m in memberships_for_user(user=user)
        ],
    }


current_serialiser(User)(_me)


@router.get("/me", response=MeOut, summary="The signed-in user and their workspaces")
def me(request: HttpRequest) -> dict[str, Any]:
    return _me(actor(request))


@router.patch("/me", response=MeOut, summary="Update your profile")
def me_update(request: HttpRequest, payload: MePatchIn) -> dict[str, Any]:
    user = actor(request)
    updated = services.user_update_profile(
        actor=user,
        user=user,
        version=expected_version(request, payload.version),
        name=payload.name,
        handle=payload.handle,
        timezone_name=payload.timezone,
    )
    return _me(updated)


class TokenOut(Schema):
    id: str
    name: str
    hint: str
    state: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The secret. Shown only in this answer; store it now.")


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    expires_at: UtcDateTime | None = None


def _token(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.public_id,
        "name": token.name,
        "hint": f"lab_{token.hint}…",
        "state": token.state,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
    }


@router.get("/me/tokens", response=Page[TokenOut], summary="Your personal access tokens")
def tokens_list(
    request: HttpRequest, page: int = Query(1, ge=1), page_size: int = Query(50, ge=1, le=200)
) -> dict[str, Any]:
    result = paginate(request, token_list_for_user(user=actor(request)), page=page, page_size=page_size)
    result["items"] = [_token(t) for t in result["items"]]
    return result


@router.post("/me/tokens", response={201: TokenCreatedOut}, summary="Create a personal access token")
def tokens_create(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    token, raw = services.token_create(actor=actor(request), name=payload.name, expires_at=payload.expires_at)
    return Status(201, {**_token(token), "token": raw})


@router.delete("/me/tokens/{token_id}", response={204: None}, summary="Revoke a token")
def tokens_revoke(request: HttpRequest, token_id: str) -> Status[None]:
    services.token_revoke(actor=actor(request), token_public_id=token_id)
    return Status(204, None)
