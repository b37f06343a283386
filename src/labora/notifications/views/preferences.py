"""Notification preferences (in the account settings area) and the one-click unsubscribe page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from labora.accounts.models import User
from labora.core.errors import Conflict, ValidationError
from labora.core.policy import check
from labora.notifications import emails, selectors, services
from labora.notifications.models import Channel, EmailMode, Kind
from labora.notifications.views._request import Request
from labora.workspaces.models import Workspace
from labora.workspaces.selectors import workspace_for_user


def _version(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: Request, ws: str) -> HttpResponse:
    workspace, membership = workspace_for_user(user=request.user, slug=ws)
    check(request.user, "notification.manage", membership, message="You can only change your own preferences.")
    error = ""
    status = 200
    if request.method == "POST":
        switches = {
            (kind, channel): request.POST.get(f"{channel}:{kind}") == "on"
            for kind in Kind.values
            for channel in Channel.values
        }
        try:
            services.preferences_update(
                actor=request.user,
                membership=membership,
                version=_version(request.POST.get("version")),
                email_mode=request.POST.get("email_mode") or None,
                switches=switches,
            )
        except Conflict as exc:
            error, status = exc.message, 409
        except ValidationError as exc:
            error, status = exc.message, 422
        else:
            messages.success(request, "Notification preferences saved.")
            return redirect("notification_preferences", ws=workspace.slug)
    context: dict[str, Any] = {
        "workspace": workspace,
        "prefs": selectors.preferences_get(user=request.user, workspace=workspace),
        "modes": EmailMode.choices,
        "error": error,
    }
    return render(request, "notifications/preferences.html", context, status=status)


def _read(token: str) -> tuple[emails.Unsubscribe | None, str]:
    try:
        return emails.read_unsubscribe_token(token), ""
    except signing.SignatureExpired:
        return None, "expired"
    except signing.BadSignature:
        return None, "invalid"


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no cookie or token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: Request, token: str) -> HttpResponse:
    """GET: confirm what the link stops; POST: stop it. The signed token is the authority."""
    request_, problem = _read(token)
    user = workspace = None
    if request_ is not None:
        user = User.objects.filter(pk=request_.user_id, is_active=True).first()
        workspace = Workspace.objects.filter(pk=request_.workspace_id, deleted_at__isnull=True).first()
        if user is None or workspace is None:
            problem = "invalid"
    context: dict[str, Any] = {"problem": problem, "token": token, "done": False}
    if problem or request_ is None or user is None or workspace is None:
        return render(request, "notifications/unsubscribe.html", context, status=400 if problem == "invalid" else 410)
    kind = request_.kind
    context.update(
        {
            "user_email": user.email,
            "workspace": workspace,
            "kind": kind,
            "kind_label": "" if kind == emails.ALL else Kind(kind).label,
        }
    )
    if request.method == "POST":
        services.preference_unsubscribe(user=user, workspace=workspace, kind=kind)
        context["done"] = True
    return render(request, "notifications/unsubscribe.html", context)


urlpatterns = [
    path("w/<slug:ws>/settings/notifications/", preferences, name="notification_preferences"),
    path("notifications/unsubscribe/<str:token>/", unsubscribe, name="notification_unsubscribe"),
]
