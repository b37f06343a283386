"""What every page's shell needs: the user's workspaces, the current one, palette commands."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from labora.core.policy import can
from labora.workspaces.models import Membership
from labora.workspaces.selectors import memberships_for_user

# The session key of the workspace the user visited last: pages without a `ws` in their
# URL (account settings, errors) keep showing it in the sidebar, and "/" goes back to it.
LAST_WORKSPACE = "last_workspace"


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = list(memberships_for_user(user=user))
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("ws") if match is not None else None
    session = getattr(request, "session", None)
    current = _find(memberships, slug) if slug else None
    if current is not None and session is not None and session.get(LAST_WORKSPACE) != slug:
        session[LAST_WORKSPACE] = slug
    if current is None and session is not None:
        current = _find(memberships, session.get(LAST_WORKSPACE))
    workspace = current.workspace if current else None
    shell_can = _abilities(user, current)
    return {
        "my_memberships": memberships,
        "current_membership": current,
        "current_workspace": workspace,
        "shell_can": shell_can,
        "palette_commands": palette_commands(memberships=memberships, current=current, shell_can=shell_can, user=user),
        # Typing in the palette also searches the tasks of the current workspace (palette.js).
        "palette_search_url": _url("api:workspace_search", ws=workspace.slug) if workspace else None,
    }


def _find(memberships: list[Membership], slug: Any) -> Membership | None:
    if not slug:
        return None
    return next((m for m in memberships if m.workspace.slug == slug), None)


def _abilities(user: Any, membership: Membership | None) -> dict[str, bool]:
    """Which workspace pages the shell links to for this user (the policy decides)."""
    if membership is None:
        return dict.fromkeys(
            ("activity", "members", "teams", "settings", "invite", "manage_teams", "new_project"), False
        )
    return {
        "activity": can(user, "activity.view", membership),
        "members": can(user, "member.list", membership),
        "teams": can(user, "team.view", membership),
        # Every member sees the general settings (read-only below admin); guests and clients do not.
        "settings": can(user, "member.list", membership),
        "invite": can(user, "invitation.manage", membership),
        "manage_teams": can(user, "team.manage", membership),
        "new_project": can(user, "project.create", membership),
    }


def _projects(membership: Membership, user: Any) -> list[Any]:
    """The live, unarchived projects of the current workspace the user may see, for the palette (one query)."""
    from labora.work.selectors import project_list  # the web shell does not depend on work at import

    return list(
        project_list(user=user, workspace=membership.workspace, membership=membership, include_archived=False)
        .select_related(None)
        .only("key", "name")[:100]
    )


def _url(name: str, **kwargs: Any) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:  # a page of the contract that this build does not serve
        return None


def palette_commands(
    *, memberships: list[Membership], current: Membership | None, shell_can: dict[str, bool], user: Any = None
) -> list[dict[str, str]]:
    """Commands for the command palette: {label, url, group, keywords, hint}."""
    commands: list[dict[str, str]] = []

    def add(label: str, url: str | None, group: str, keywords: str = "", hint: str = "") -> None:
        if url:
            commands.append({"label": label, "url": url, "group": group, "keywords": keywords, "hint": hint})

    if current is not None:
        ws = current.workspace.slug
        group = current.workspace.name
        add("Home", _url("workspace_home", ws=ws), group, "overview dashboard start", "G H")
        if shell_can["activity"]:
            add("Activity", _url("workspace_activity", ws=ws), group, "history log changes events audit", "G A")
        if shell_can["members"]:
            add("Members", _url("workspace_members", ws=ws), group, "people users roles", "G M")
        if shell_can["teams"]:
            add("Teams", _url("workspace_teams", ws=ws), group, "groups squads")
        if shell_can["settings"]:
            add("Workspace settings", _url("workspace_settings", ws=ws), group, "general rename name", "G S")
        add("Projects", _url("project_list", ws=ws), group, "projects list work streams")
        for project in _projects(current, user):
            add(
                f"{project.key} {project.name}",
                _url("project_tasks", ws=ws, key=project.key),
                "Projects",
                f"project go tasks {project.key.lower()}",
                project.key,
            )
        if shell_can.get("new_project"):
            add("New project", _url("project_create", ws=ws), "Actions", "create project add work stream")
        if shell_can.get("invite"):
            add("Invite people", _url("workspace_members", ws=ws), "Actions", "invite add member email")
        if shell_can.get("manage_teams"):
            add("Create a team", _url("workspace_teams", ws=ws), "Actions", "new team add group")
    add("Create workspace", _url("workspace_create"), "Actions", "new workspace add organisation")
    add("Create API token", _url("settings_tokens"), "Actions", "new personal access token api key")
    for membership in memberships:
        if current is not None and membership.pk == current.pk:
            continue
        add(
            membership.workspace.name,
            _url("workspace_home", ws=membership.workspace.slug),
            "Switch workspace",
            f"workspace switch go {membership.workspace.slug}",
            membership.get_role_display(),
        )
    add("Profile", _url("settings_profile"), "Your account", "account name email timezone handle")
    add("Security", _url("settings_security"), "Your account", "password two-factor 2fa totp authentication")
    add("API tokens", _url("settings_tokens"), "Your account", "personal access tokens api keys")
    return commands
