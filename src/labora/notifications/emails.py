"""The e-mails of notifications: one per notification (instant) or a digest, each with a
one-click unsubscribe link (signed, no sign-in needed) and RFC 8058 List-Unsubscribe headers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from labora.notifications.models import Kind, Notification

UNSUBSCRIBE_SALT = "labora.notifications.unsubscribe"
UNSUBSCRIBE_MAX_AGE = timedelta(days=90)
ALL = "all"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    workspace_id: int
    kind: str  # a Kind value, or "all"


def unsubscribe_token(*, user_id: int, workspace_id: int, kind: str) -> str:
    """A signed, timestamped token naming who stops which e-mail (no secret state stored)."""
    return signing.dumps({"u": user_id, "w": workspace_id, "k": kind}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> Unsubscribe:
    """The request a token carries. Raises signing.SignatureExpired (older than 90 days) or
    signing.BadSignature (tampered with, or not a token of ours)."""
    value = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    if not isinstance(value, dict):
        raise signing.BadSignature("not an unsubscribe token")
    user_id, workspace_id, kind = value.get("u"), value.get("w"), value.get("k")
    if not isinstance(user_id, int) or not isinstance(workspace_id, int) or kind not in {*Kind.values, ALL}:
        raise signing.BadSignature("not an unsubscribe token")
    return Unsubscribe(user_id=user_id, workspace_id=workspace_id, kind=str(kind))


def absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.PUBLIC_URL}{path}"


def unsubscribe_url(*, user_id: int, workspace_id: int, kind: str) -> str:
    token = unsubscribe_token(user_id=user_id, workspace_id=workspace_id, kind=kind)
    return absolute(reverse("notification_unsubscribe", kwargs={"token": token}))


def _headers(one_click_url: str) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{one_click_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",  # RFC 8058
        "Auto-Submitted": "auto-generated",  # RFC 3834: no vacation replies
    }


def _actor_name(notification: Notification) -> str:
    return notification.actor.display_name if notification.actor is not None else "Someone"


def notification_message(notification: Notification) -> EmailMultiAlternatives:
    """One e-mail for one notification (its actor, workspace and recipient loaded)."""
    recipient = notification.recipient
    workspace = notification.workspace
    kind_url = unsubscribe_url(user_id=recipient.pk, workspace_id=workspace.pk, kind=notification.kind)
    context = {
        "n": notification,
        "actor_name": _actor_name(notification),
        "workspace": workspace,
        "recipient": recipient,
        "link": absolute(notification.link),
        "kind_label": Kind(notification.kind).label,
        "unsubscribe_kind_url": kind_url,
        "unsubscribe_all_url": unsubscribe_url(user_id=recipient.pk, workspace_id=workspace.pk, kind=ALL),
        "preferences_url": absolute(reverse("notification_preferences", kwargs={"ws": workspace.slug})),
    }
    more = f" (+{notification.count - 1} more)" if notification.count > 1 else ""
    subject = f"[{workspace.name}] {context['actor_name']} {notification.text}{more} · {notification.target_label}"
    subject = " ".join(subject.split())[:200]
    message = EmailMultiAlternatives(
        subject,
        render_to_string("notifications/email/notification.txt", context),
        None,
        [recipient.email],
        headers=_headers(kind_url),
    )
    message.attach_alternative(render_to_string("notifications/email/notification.html", context), "text/html")
    return message


@dataclass
class DigestTask:
    label: str
    link: str
    items: list[Notification] = field(default_factory=list)


@dataclass
class DigestProject:
    label: str
    tasks: list[DigestTask] = field(default_factory=list)


@dataclass
class DigestWorkspace:
    name: str
    slug: str
    projects: list[DigestProject] = field(default_factory=list)
    count: int = 0


def group_for_digest(notifications: Sequence[Notification]) -> list[DigestWorkspace]:
    """Workspace → project → task (or chat/project thread), in the order given; each
    notification once. Pure over the loaded rows (workspace, project, task__project)."""
    workspaces: dict[int, DigestWorkspace] = {}
    projects: dict[tuple[int, str], DigestProject] = {}
    threads: dict[tuple[int, str, str], DigestTask] = {}
    for n in notifications:
        ws = workspaces.get(n.workspace_id)
        if ws is None:
            ws = workspaces[n.workspace_id] = DigestWorkspace(name=n.workspace.name, slug=n.workspace.slug)
        ws.count += 1
        project_label = f"{n.project.key} {n.project.name}" if n.project is not None else "Conversations"
        project = projects.get((n.workspace_id, project_label))
        if project is None:
            project = projects[(n.workspace_id, project_label)] = DigestProject(label=project_label)
            ws.projects.append(project)
        thread = threads.get((n.workspace_id, project_label, n.subject))
        if thread is None:
            thread = threads[(n.workspace_id, project_label, n.subject)] = DigestTask(
                label=n.target_label, link=absolute(n.link)
            )
            project.tasks.append(thread)
        thread.items.append(n)
    return list(workspaces.values())


def digest_message(*, user: Any, notifications: Sequence[Notification], period: str) -> EmailMultiAlternatives:
    """One e-mail summing up `notifications` (the user's, any workspaces), grouped by project and task."""
    groups = group_for_digest(notifications)
    first_workspace_id = notifications[0].workspace_id
    all_url = unsubscribe_url(user_id=user.pk, workspace_id=first_workspace_id, kind=ALL)
    context = {
        "user": user,
        "groups": groups,
        "total": len(notifications),
        "period": period,
        "unsubscribe_all_url": all_url,
        "preferences_url": absolute(reverse("notification_preferences", kwargs={"ws": groups[0].slug})),
    }
    noun = "notification" if len(notifications) == 1 else "notifications"
    where = groups[0].name if len(groups) == 1 else f"{len(groups)} workspaces"
    subject = f"[{where}] Your {period} digest: {len(notifications)} {noun}"
    message = EmailMultiAlternatives(
        subject,
        render_to_string("notifications/email/digest.txt", context),
        None,
        [user.email],
        headers=_headers(all_url),
    )
    message.attach_alternative(render_to_string("notifications/email/digest.html", context), "text/html")
    return message
