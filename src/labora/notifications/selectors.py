"""Reads of notifications, preferences and project watching; always the acting user's own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from labora.core.errors import NotFound
from labora.notifications.models import (
    Channel,
    EmailMode,
    EmailSettings,
    Kind,
    Notification,
    NotificationPreference,
    ProjectWatch,
    default_enabled,
)
from labora.work.models import Project, ProjectMember
from labora.work.permissions import effective_role
from labora.workspaces.models import Membership, Workspace

SHOWS = ("inbox", "unread", "archived", "all")


def inbox_list(
    *, user: Any, workspace: Workspace, show: str = "inbox", kind: str | None = None, with_targets: bool = True
) -> QuerySet[Notification]:
    """The user's notifications in `workspace`, unread first, newest first.

    `show`: "inbox" (not archived), "unread" (not archived, unread), "archived", "all".
    One query (with the actor, and with `with_targets` the task, its project and the project)
    whatever the page size; it reads the `notif_inbox` index in order, so a page of a
    10,000-row inbox needs no sort. The inbox page shows only stored labels: it passes
    `with_targets=False` and saves loading three more rows per notification.
    """
    rows = Notification.objects.filter(recipient_id=user.pk, workspace=workspace)
    if show == "unread":
        rows = rows.filter(archived_at__isnull=True, unread=True)
    elif show == "archived":
        rows = rows.filter(archived_at__isnull=False)
    elif show != "all":
        rows = rows.filter(archived_at__isnull=True)
    if kind:
        rows = rows.filter(kind=kind)
    rows = rows.select_related("actor", "task__project", "project") if with_targets else rows.select_related("actor")
    return rows.defer("event_ids").order_by("-unread", "-updated_at", "-id")


def unread_count(*, user: Any, workspace: Workspace) -> int:
    """How many unread, unarchived notifications the user has in `workspace` (one indexed count)."""
    return Notification.objects.filter(
        recipient_id=user.pk, workspace=workspace, archived_at__isnull=True, unread=True
    ).count()


def unread_counts(*, workspace_id: int, user_ids: Iterable[int]) -> dict[int, int]:
    """{user id: unread count} in one workspace for several people (one grouped query)."""
    from django.db.models import Count

    ids = list(user_ids)
    if not ids:
        return {}
    rows = (
        Notification.objects.filter(
            recipient_id__in=ids, workspace_id=workspace_id, archived_at__isnull=True, unread=True
        )
        .order_by()
        .values("recipient_id")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(ids, 0)
    counts.update({row["recipient_id"]: row["n"] for row in rows})
    return counts


def notifications_by_ids(*, user: Any, workspace: Workspace, ids: Iterable[str]) -> list[Notification]:
    """The user's own notifications with these public ids; NotFound naming any that is not theirs."""
    wanted = list(dict.fromkeys(str(i) for i in ids))
    found = list(Notification.objects.filter(recipient_id=user.pk, workspace=workspace, public_id__in=wanted))
    missing = sorted(set(wanted) - {n.public_id for n in found})
    if missing:
        raise NotFound(
            f"No notification {', '.join(missing[:5])} in your inbox of this workspace. "
            "Take the ids from GET /api/v1/workspaces/{ws}/notifications.",
            fields={"ids": "unknown: " + ", ".join(missing[:20])},
        )
    return found


def notification_get(*, user: Any, workspace: Workspace, notification_id: str) -> Notification:
    notification = (
        Notification.objects.filter(recipient_id=user.pk, workspace=workspace, public_id=notification_id)
        .select_related("actor", "task__project", "project")
        .first()
    )
    if notification is None:
        raise NotFound(f"No notification '{notification_id}' in your inbox of this workspace.")
    return notification


# --- preferences -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreferenceRow:
    kind: str
    label: str
    inbox: bool
    email: bool


@dataclass(frozen=True)
class Preferences:
    version: int
    email_mode: str
    rows: list[PreferenceRow]


def email_settings(*, user: Any) -> EmailSettings:
    """The user's e-mail settings; an unsaved default (instant, version 1) when they have none."""
    found = EmailSettings.objects.filter(user_id=user.pk).first()
    return found if found is not None else EmailSettings(user_id=user.pk, mode=EmailMode.INSTANT, version=1)


def preferences_get(*, user: Any, workspace: Workspace) -> Preferences:
    """Every kind with its inbox and e-mail switch in `workspace` (defaults where no row), the
    e-mail mode and the version to send back with a change. Two queries."""
    settings_row = email_settings(user=user)
    saved = {
        (p.kind, p.channel): p.enabled
        for p in NotificationPreference.objects.filter(user_id=user.pk, workspace=workspace)
    }
    rows = [
        PreferenceRow(
            kind=kind.value,
            label=str(kind.label),
            inbox=saved.get((kind.value, Channel.INBOX), default_enabled(kind.value, Channel.INBOX)),
            email=saved.get((kind.value, Channel.EMAIL), default_enabled(kind.value, Channel.EMAIL)),
        )
        for kind in Kind
    ]
    return Preferences(version=settings_row.version, email_mode=settings_row.mode, rows=rows)


def switches_for(*, workspace_id: int, user_ids: Iterable[int]) -> dict[tuple[int, str, str], bool]:
    """{(user id, kind, channel): enabled} of the saved preference rows of these people."""
    return {
        (p.user_id, p.kind, p.channel): p.enabled
        for p in NotificationPreference.objects.filter(workspace_id=workspace_id, user_id__in=list(user_ids))
    }


def email_modes(*, user_ids: Iterable[int]) -> dict[int, str]:
    """{user id: e-mail mode}; people without settings are absent (their mode is instant)."""
    return dict(EmailSettings.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "mode"))


# --- who may see what ----------------------------------------------------------------------------


def people_who_see(*, workspace_id: int, project: Project | None, user_ids: Iterable[int]) -> dict[int, Membership]:
    """Of `user_ids`, the active members of the workspace who may see `project` (any member when
    None), with their membership. Private projects and guests follow docs/decisions/0006. Two queries."""
    ids = list(user_ids)
    if not ids:
        return {}
    memberships = {
        m.user_id: m
        for m in Membership.objects.filter(
            workspace_id=workspace_id, user_id__in=ids, user__is_active=True, workspace__deleted_at__isnull=True
        )
    }
    if project is None or not memberships:
        return memberships
    if project.deleted_at is not None:
        return {}
    rows = dict(
        ProjectMember.objects.filter(project=project, user_id__in=list(memberships)).values_list("user_id", "role")
    )
    return {
        user_id: membership
        for user_id, membership in memberships.items()
        if effective_role(membership, is_private=project.is_private, member_role=rows.get(user_id)) is not None
    }


# --- project watching ------------------------------------------------------------------------------


def project_watcher_ids(*, project: Project) -> frozenset[int]:
    return frozenset(ProjectWatch.objects.filter(project=project).values_list("user_id", flat=True))


def project_is_watched(*, user: Any, project: Project) -> bool:
    return ProjectWatch.objects.filter(project=project, user_id=user.pk).exists()


def project_watcher_count(*, project: Project) -> int:
    return ProjectWatch.objects.filter(project=project).count()
