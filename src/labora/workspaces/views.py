"""Workspace pages: create, settings, members and invitations, teams.

Thin adapters: resolve the workspace through the user's memberships (404 otherwise), parse a
form, call one service, then redirect (plain POST) or render a named partial (HTMX).
Permission errors become a friendly 403 page; validation errors become form errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypedDict
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_htmx.middleware import HtmxDetails

from labora.accounts.models import User
from labora.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from labora.core.policy import can
from labora.workspaces import forms, selectors, services
from labora.workspaces.models import Invitation, Membership, Role, Team, Workspace

MEMBERS_PER_PAGE = 50

View = Callable[..., HttpResponse]


class Request(HttpRequest):
    """What the views see: django-htmx's details and, behind login_required, a signed-in user."""

    user: User
    htmx: HtmxDetails


# --- plumbing ------------------------------------------------------------------------------


def _forbidden(request: Request, error: PermissionDenied, workspace: Workspace | None = None) -> HttpResponse:
    return render(request, "workspaces/forbidden.html", {"error": error, "workspace": workspace}, status=403)


def workspace_page(view: View) -> View:
    """Sign-in required; `ws` resolved among the user's workspaces (404 otherwise); the view
    gets (request, workspace, membership, **kwargs). A PermissionDenied becomes the 403 page."""

    @login_required
    @require_http_methods(["GET", "HEAD", "POST"])
    @wraps(view)
    def wrapper(request: Request, ws: str, **kwargs: Any) -> HttpResponse:
        try:
            workspace, membership = selectors.workspace_for_user(user=request.user, slug=ws)
        except NotFound as exc:
            raise Http404(exc.message) from None
        try:
            return view(request, workspace, membership, **kwargs)
        except PermissionDenied as exc:
            if request.htmx:
                raise  # labora.web's error middleware answers HTMX with a toast
            return _forbidden(request, exc, workspace)

    return wrapper


def _back(request: Request) -> HttpResponseRedirect:
    """Post/redirect/get: back to the page (and page number) the form was posted from."""
    return redirect(request.get_full_path())


def _base(user: Any, workspace: Workspace, membership: Membership) -> dict[str, Any]:
    return {
        "workspace": workspace,
        "membership": membership,
        "is_admin": can(user, "workspace.update", membership),
        "can_see_people": can(user, "member.list", membership),
    }


# --- create ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def workspace_create(request: Request) -> HttpResponse:
    form = forms.WorkspaceCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = services.workspace_create(
                actor=request.user, name=form.cleaned_data["name"], slug=form.cleaned_data["slug"]
            )
        except (ValidationError, Conflict) as exc:
            forms.apply_error(form, exc)
        else:
            messages.success(request, f"Workspace “{workspace.name}” is ready: invite people to work with you.")
            return redirect("workspace_home", ws=workspace.slug)
    return render(request, "workspaces/create.html", {"form": form})


# --- settings ----------------------------------------------------------------------------------


@workspace_page
def workspace_settings(request: Request, workspace: Workspace, membership: Membership) -> HttpResponse:
    context = _base(request.user, workspace, membership)
    form = forms.WorkspaceRenameForm(
        request.POST or None, initial={"name": workspace.name, "version": workspace.version}
    )
    if request.method == "POST":
        if not context["is_admin"]:
            raise PermissionDenied("Only owners and admins can rename the workspace.")
        if form.is_valid():
            try:
                services.workspace_update(
                    actor=request.user,
                    workspace=workspace,
                    membership=membership,
                    version=form.cleaned_data["version"],
                    name=form.cleaned_data["name"],
                )
            except Conflict:
                form.add_error(
                    None,
                    "The workspace was changed elsewhere since you opened this page. "
                    "Reload the page to see the current name, then apply your change again.",
                )
                context["reload_url"] = request.path
            except ValidationError as exc:
                forms.apply_error(form, exc)
            else:
                messages.success(request, "Workspace settings saved.")
                return _back(request)
    context.update(
        form=form,
        member_count=selectors.members_list(workspace=workspace).count(),
        role_label=Role(membership.role).label,
    )
    return render(request, "workspaces/settings.html", context)


# --- members ----------------------------------------------------------------------------------


@dataclass
class MemberRow:
    """One member as the acting user sees it: which roles they may give, whether they may remove."""

    m: Membership
    is_self: bool
    roles: list[tuple[str, str]]
    can_remove: bool
    error: str = ""

    @property
    def can_change_role(self) -> bool:
        return len(self.roles) > 1


def _row(user: Any, membership: Membership, m: Membership, **kwargs: Any) -> MemberRow:
    roles = [r for r in Role.values if r == m.role or can(user, "member.change_role", (membership, (m, Role(r))))]
    is_self = m.user_id == user.pk
    return MemberRow(
        m=m,
        is_self=is_self,
        roles=forms.role_choices(roles),
        can_remove=not is_self and can(user, "member.remove", (membership, m)),
        **kwargs,
    )


def _invitable_roles(user: Any, membership: Membership) -> list[str]:
    return [r for r in Role.values if can(user, "member.invite", (membership, Role(r)))]


def _invitation_links(request: Request, invitations: list[Invitation]) -> list[tuple[Invitation, str]]:
    return [
        (i, request.build_absolute_uri(reverse("invitation_accept", args=[services.invitation_link_token(i)])))
        for i in invitations
    ]


@workspace_page
def workspace_members(request: Request, workspace: Workspace, membership: Membership) -> HttpResponse:
    user = request.user
    if not can(user, "member.list", membership):
        raise PermissionDenied("Guests and clients do not see the member list. Ask a workspace admin.")
    context = _base(request.user, workspace, membership)
    invite_roles = _invitable_roles(user, membership)
    invite_form = forms.InviteForm(roles=invite_roles)

    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "invite":
            if not invite_roles:
                raise PermissionDenied("Only owners and admins can invite people. Ask a workspace admin.")
            invite_form = forms.InviteForm(request.POST, roles=invite_roles)
            response = _member_invite(request, workspace, membership, invite_form)
        elif action == "role":
            response = _member_role(request, workspace, membership)
        elif action in {"remove", "leave"}:
            response = _member_remove(request, workspace, membership, leave=action == "leave")
        elif action == "revoke":
            response = _invitation_revoke(request, workspace, membership)
        else:
            messages.error(request, "Unknown action; reload the page and try again.")
            response = _back(request)
        if response is not None:
            return response

    page = Paginator(selectors.members_list(workspace=workspace), MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    context.update(
        page=page,
        rows=[_row(user, membership, m) for m in page.object_list],
        invite_form=invite_form,
        can_invite=bool(invite_roles),
        invitations=_invitation_links(request, list(selectors.invitations_pending(workspace=workspace)))
        if can(user, "invitation.manage", membership)
        else None,
    )
    return render(request, "workspaces/members.html", context)


def _member_invite(
    request: Request, workspace: Workspace, membership: Membership, form: forms.InviteForm
) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        result = services.member_invite(
            actor=request.user,
            workspace=workspace,
            membership=membership,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
        )
    except (ValidationError, Conflict) as exc:
        forms.apply_error(form, exc)
        return None
    role = Role(result.role).label.lower()
    if isinstance(result, Membership):
        messages.success(
            request, f"{result.user.display_name} ({result.user.email}) already had an account and joined as {role}."
        )
    else:
        messages.success(
            request,
            f"{result.email} has no account yet: we e-mailed them an invitation to join as {role}. "
            "It is listed under Pending invitations until they accept.",
        )
    return _back(request)


def _member_role(request: Request, workspace: Workspace, membership: Membership) -> HttpResponse:
    """Change one member's role: the row partial for HTMX, a redirect with a flash otherwise."""
    form = forms.RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose one of the listed roles.")
        target = selectors.member_get(workspace=workspace, user_public_id=form.cleaned_data["member"])
    except (ValidationError, NotFound) as exc:
        if request.htmx:
            return _htmx_toast(HttpResponse(status=exc.status), exc.message, "error", swap=False)
        messages.error(request, exc.message)
        return _back(request)
    error = notice = ""
    try:
        target = services.member_change_role(
            actor=request.user,
            workspace=workspace,
            membership=membership,
            target=target,
            role=form.cleaned_data["role"],
            version=form.cleaned_data["version"],
        )
        notice = f"{target.user.display_name} is now {Role(target.role).label.lower()}."
    except Conflict:
        error = "This member was changed elsewhere. Reload the page and try again."
    except ValidationError as exc:
        error = exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, notice)
        return _back(request)
    # The row alone, with any error next to the select. The acting user's own membership may
    # just have changed (an owner stepping down), so the row's choices are recomputed from it.
    _, fresh = selectors.workspace_for_user(user=request.user, slug=workspace.slug)
    target = selectors.member_get(workspace=workspace, user_public_id=target.user.public_id)
    context = {
        "row": _row(request.user, fresh, target, error=error),
        "workspace": workspace,
        "is_admin": can(request.user, "workspace.update", fresh),
    }
    response = render(request, "workspaces/members.html#row", context)
    return _htmx_toast(response, error or notice, "error" if error else "success")


def _htmx_toast(response: HttpResponse, message: str, level: str, *, swap: bool = True) -> HttpResponse:
    """Ask the page to show `message` as a toast (see frontend/js/behaviours.js)."""
    response["HX-Trigger"] = json.dumps({"labora:toast": {"message": message, "level": level}})
    if not swap:
        response["HX-Reswap"] = "none"
    return response


def _member_remove(request: Request, workspace: Workspace, membership: Membership, *, leave: bool) -> HttpResponse:
    try:
        target = (
            membership
            if leave
            else selectors.member_get(workspace=workspace, user_public_id=request.POST.get("member", ""))
        )
        services.member_remove(actor=request.user, workspace=workspace, membership=membership, target=target)
    except (ValidationError, NotFound) as exc:
        messages.error(request, exc.message)
        return _back(request)
    if target.user_id == request.user.pk:
        messages.success(request, f"You left {workspace.name}.")
        return redirect("home")
    messages.success(request, f"{target.user.display_name} was removed from {workspace.name}.")
    return _back(request)


def _invitation_revoke(request: Request, workspace: Workspace, membership: Membership) -> HttpResponse:
    try:
        invitation = services.invitation_revoke(
            actor=request.user,
            workspace=workspace,
            membership=membership,
            invitation_public_id=request.POST.get("invitation", ""),
        )
    except NotFound as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The invitation of {invitation.email} was revoked; its link no longer works.")
    return _back(request)


# --- teams -------------------------------------------------------------------------------------


@workspace_page
def workspace_teams(request: Request, workspace: Workspace, membership: Membership) -> HttpResponse:
    if not can(request.user, "team.view", membership):
        raise PermissionDenied("Guests and clients do not see teams. Ask a workspace admin.")
    context = _base(request.user, workspace, membership)
    form = forms.TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                actor=request.user,
                workspace=workspace,
                membership=membership,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except (ValidationError, Conflict) as exc:
            forms.apply_error(form, exc)
        else:
            messages.success(request, f"Team “{team.name}” created. Add its members below.")
            return redirect("workspace_team", ws=workspace.slug, team_id=team.public_id)
    context.update(form=form, teams=selectors.teams_list(workspace=workspace))
    return render(request, "workspaces/teams.html", context)


class _TeamScope(TypedDict):
    actor: User
    workspace: Workspace
    membership: Membership
    team: Team


@workspace_page
def workspace_team(request: Request, workspace: Workspace, membership: Membership, team_id: str) -> HttpResponse:
    user = request.user
    if not can(user, "team.view", membership):
        raise PermissionDenied("Guests and clients do not see teams. Ask a workspace admin.")
    try:
        team = selectors.team_get(workspace=workspace, team_public_id=team_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    context = _base(request.user, workspace, membership)
    edit_form = forms.TeamEditForm(
        initial={"name": team.name, "description": team.description, "version": team.version}
    )
    add_form: forms.TeamMemberAddForm | None = None
    scope = _TeamScope(actor=user, workspace=workspace, membership=membership, team=team)

    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "update":
            edit_form = forms.TeamEditForm(request.POST)
            if edit_form.is_valid():
                try:
                    services.team_update(**scope, **edit_form.cleaned_data)
                except Conflict as exc:
                    if exc.code == "stale_version":
                        edit_form.add_error(
                            None,
                            "This team was changed elsewhere since you opened this page. "
                            "Reload the page, then apply your change again.",
                        )
                    else:
                        forms.apply_error(edit_form, exc)
                except ValidationError as exc:
                    forms.apply_error(edit_form, exc)
                else:
                    messages.success(request, "Team saved.")
                    return _back(request)
        elif action == "delete":
            services.team_delete(**scope)
            messages.success(request, f"Team “{team.name}” moved to the trash.")
            return redirect("workspace_teams", ws=workspace.slug)
        elif action in {"add_member", "remove_member"}:
            try:
                target = selectors.member_get(workspace=workspace, user_public_id=request.POST.get("member", ""))
                if action == "add_member":
                    services.team_member_add(**scope, user_member=target)
                    messages.success(request, f"{target.user.display_name} added to {team.name}.")
                else:
                    services.team_member_remove(**scope, user_member=target)
                    messages.success(request, f"{target.user.display_name} removed from {team.name}.")
            except (NotFound, Conflict) as exc:
                messages.error(request, exc.message)
            return _back(request)
        else:
            messages.error(request, "Unknown action; reload the page and try again.")
            return _back(request)

    if context["is_admin"]:
        candidates = list(selectors.team_candidates(workspace=workspace, team=team))
        add_form = forms.TeamMemberAddForm(candidates=candidates) if candidates else None
    context.update(team=team, edit_form=edit_form, add_form=add_form)
    return render(request, "workspaces/team.html", context)


# --- invitations -------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone with the link: the page explains who invited whom and what to do next."""
    user = request.user if isinstance(request.user, User) and request.user.is_authenticated else None
    try:
        invitation = services.invitation_from_token(token)
    except (NotFound, ValidationError) as exc:
        status = 404 if isinstance(exc, NotFound) else 410
        return render(request, "workspaces/invitation_invalid.html", {"error": exc}, status=status)

    here = request.path
    login_url = f"{reverse('login')}?{urlencode({'next': here})}"
    context: dict[str, Any] = {
        "invitation": invitation,
        "role_label": Role(invitation.role).label.lower(),
        "login_url": login_url,
        "signup_url": f"{reverse('signup')}?{urlencode({'email': invitation.email, 'next': here})}",
        "is_authenticated": user is not None,
        "email_matches": user is not None and user.email.lower() == invitation.email.lower(),
    }
    if request.method == "POST":
        if user is None:
            return redirect(login_url)
        try:
            joined = services.invitation_accept(actor=user, token=token)
        except (NotFound, ValidationError) as exc:
            context["error"] = exc
            return render(request, "workspaces/invitation.html", context)
        messages.success(
            request, f"Welcome to {joined.workspace.name}! You joined as {Role(joined.role).label.lower()}."
        )
        return redirect("workspace_home", ws=joined.workspace.slug)
    return render(request, "workspaces/invitation.html", context)
