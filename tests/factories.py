"""Factories for tests: build data through the same services users go through."""

from __future__ import annotations

import itertools
from typing import Any

from labora.accounts.models import User
from labora.accounts.services import token_create, user_create
from labora.workspaces.models import Membership, Role, Workspace
from labora.workspaces.services import workspace_create

PASSWORD = "correct-horse-battery-staple"
_seq = itertools.count(1)


def make_user(*, email: str | None = None, name: str = "", password: str = PASSWORD) -> User:
    n = next(_seq)
    return user_create(email=email or f"user{n}@example.com", password=password, name=name or f"User {n}")


def make_workspace(*, owner: User | None = None, slug: str | None = None, name: str | None = None) -> Workspace:
    n = next(_seq)
    return workspace_create(actor=owner or make_user(), name=name or f"Workspace {n}", slug=slug or f"ws-{n}")


def add_member(workspace: Workspace, user: User | None = None, role: str = Role.MEMBER) -> Membership:
    """Direct insert for test set-up of a member with a given role (no invitation round-trip)."""
    return Membership.objects.create(workspace=workspace, user=user or make_user(), role=role)


def make_token(user: User, name: str = "test") -> str:
    return token_create(actor=user, name=name)[1]


def auth(raw_token: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw_token}"}
