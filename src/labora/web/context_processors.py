"""What every page's shell needs: the user's workspaces, the current one, palette commands."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from labora.workspaces.selectors import memberships_for_user


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = list(memberships_for_user(user=user))
    slug = getattr(request, "resolver_match", None) and request.resolver_match.kwargs.get("ws")
    current = next((m for m in memberships if m.workspace.slug == slug), None)
    return {
        "my_memberships": memberships,
        "current_membership": current,
        "current_workspace": current.workspace if current else None,
    }
