"""The outbox subscriber that turns task, comment and chat events into notifications.

It runs after the change committed, inside its own delivery transaction (core.events.deliver):
it reads the facts of the event, asks rules.py who should hear about it, keeps only the people
who may see the project (private projects, guests: work.permissions), writes the rows
(services.notifications_deliver), and — only once that delivery transaction commits — queues
instant e-mails and pushes the new unread count to the recipients' open pages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import NoReverseMatch, reverse

from labora.accounts.models import User
from labora.core.events import subscriber
from labora.core.models import DomainEvent
from labora.notifications import rules, selectors, services
from labora.work.models import Project, Task
from labora.work.services.tasks import parse_task_key
from labora.workspaces.models import Workspace

logger = logging.getLogger("labora.notifications")


@dataclass(frozen=True)
class Plan:
    facts: rules.Facts
    subject: str
    link: str
    target_label: str
    project: Project | None
    task: Task | None
    data: dict[str, Any]
    changes: dict[str, Any]


def _url(name: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _task_by_key(workspace_id: int, key: Any) -> Task | None:
    parsed = parse_task_key(str(key or ""))
    if parsed is None:
        return None
    return (
        Task.objects.filter(workspace_id=workspace_id, project__key=parsed[0], number=parsed[1])
        .select_related("project", "assignee")
        .first()
    )


def _task_plan(event: DomainEvent, workspace: Workspace) -> Plan | None:
    task = (
        Task.objects.filter(workspace_id=workspace.pk, public_id=event.target_id)
        .select_related("project", "assignee")
        .first()
    )
    if task is None or task.project.deleted_at is not None:
        return None  # trashed since: nothing to point at
    data = dict(event.data or {})
    changes = dict(event.changes or {})
    new_assignee: int | None = None
    if event.name == "task.created":
        new_assignee = task.assignee_id
    elif event.name == "task.updated" and "assignee" in changes:
        email = changes["assignee"][1]
        if email:
            new_assignee = User.objects.filter(email__iexact=email).values_list("pk", flat=True).first()
    if event.name == "task.moved":
        changes = rules.moved_changes(data)
    changed = frozenset(changes) & frozenset(rules.WATCHED_FIELDS)
    watchers = frozenset(task.watchers.values_list("pk", flat=True)) if changed else frozenset()
    if new_assignee is None and not watchers:
        return None
    return Plan(
        facts=rules.Facts(
            event=event.name,
            actor_id=event.actor_id,
            new_assignee_id=new_assignee,
            changed_fields=changed,
            task_watcher_ids=watchers,
        ),
        subject=f"task:{task.pk}",
        link=_url("task_detail", ws=workspace.slug, task_key=task.key),
        target_label=f"{task.key} {task.title}",
        project=task.project,
        task=task,
        data=data,
        changes=changes,
    )


def _comment_plan(event: DomainEvent, workspace: Workspace) -> Plan | None:
    data = dict(event.data or {})
    mentions = rules.as_ids(data.get("mentions"))
    edited = event.name == "comment.edited"
    if edited and not mentions:
        return None  # an edit that names nobody new tells nobody (rules.py)
    project = Project.objects.filter(workspace_id=workspace.pk, key=str(data.get("project") or "").upper()).first()
    if project is None:
        return None
    task = _task_by_key(workspace.pk, data["task"]) if data.get("task") else None
    if data.get("task") and task is None:
        return None  # the task went to the trash since
    if task is not None:
        watchers = frozenset() if edited else frozenset(task.watchers.values_list("pk", flat=True))
        anchor = f"#comment-{data['comment']}" if data.get("comment") else ""
        link = _url("task_detail", ws=workspace.slug, task_key=task.key) + anchor
        facts = rules.Facts(
            event=event.name, actor_id=event.actor_id, task_watcher_ids=watchers, mention_ids=mentions, on_task=True
        )
        return Plan(facts, f"task:{task.pk}", link, f"{task.key} {task.title}", project, task, data, {})
    facts = rules.Facts(
        event=event.name,
        actor_id=event.actor_id,
        project_watcher_ids=frozenset() if edited else selectors.project_watcher_ids(project=project),
        mention_ids=mentions,
        on_task=False,
    )
    link = _url("project_tasks", ws=workspace.slug, key=project.key)
    return Plan(facts, f"project:{project.pk}", link, f"{project.key} {project.name}", project, None, data, {})


def _chat_plan(event: DomainEvent, workspace: Workspace) -> Plan | None:
    data = dict(event.data or {})
    channel = str(data.get("channel") or event.target_id or "")
    if not channel:
        return None
    kind = str(data.get("kind") or "")
    project = None
    if kind == "project":
        project = Project.objects.filter(workspace_id=workspace.pk, key=str(data.get("project") or "").upper()).first()
        if project is None:
            return None  # a project chat whose project is gone: nobody to check visibility against
    mention_ids = rules.as_ids(data.get("mentions"))
    member_ids = rules.as_ids(data.get("members")) if kind == "direct" else frozenset()
    muted = _muted(workspace, channel, mention_ids | member_ids)
    facts = rules.Facts(
        event=event.name,
        actor_id=event.actor_id,
        mention_ids=mention_ids,
        chat_kind=kind,
        chat_member_ids=member_ids,
        muted_ids=muted,
        personal_mention_ids=_named_in_message(event, workspace, data) if muted & mention_ids else frozenset(),
    )
    message = data.get("message")
    link = (
        _url("chat_message", ws=workspace.slug, channel_id=channel, message_id=message)
        if isinstance(message, int)
        else ""
    ) or _url("chat_channel", ws=workspace.slug, channel_id=channel)
    label = event.target_label or (f"#{data['channel_name']}" if data.get("channel_name") else "Chat")
    return Plan(facts, f"chat:{channel}"[:80], link, label, project, None, data, {})


def _muted(workspace: Workspace, channel: str, user_ids: frozenset[int]) -> frozenset[int]:
    """Of `user_ids`, those who muted chat channel `channel` (its public id). One query."""
    if not user_ids:
        return frozenset()
    from labora.chat.models import ChannelMember

    return frozenset(
        ChannelMember.objects.filter(
            workspace_id=workspace.pk, channel__public_id=channel, muted=True, user_id__in=user_ids
        ).values_list("user_id", flat=True)
    )


def _named_in_message(event: DomainEvent, workspace: Workspace, data: dict[str, Any]) -> frozenset[int]:
    """The people a chat message names themselves (`@ann`, `@ann@example.com`), not through a
    team: read again from the message's text, which the event does not split. Only asked when a
    mentioned person muted the channel. A deleted message names nobody."""
    from labora.chat.models import Message
    from labora.collaboration import mentions as mention_lib

    message = data.get("message")
    if not isinstance(message, int) or isinstance(message, bool):
        return frozenset()
    body = Message.objects.filter(pk=message, workspace_id=workspace.pk, deleted_at__isnull=True).values_list(
        "body", flat=True
    )
    text = body.first()
    if not text:
        return frozenset()
    names = mention_lib.Parsed(mentions=mention_lib.parse(text).mentions)  # task references not needed
    resolved = mention_lib.resolve(workspace=workspace, author=event.actor, parsed=names)
    return frozenset(user.pk for user in resolved.users)


PLANNERS: dict[str, Callable[[DomainEvent, Workspace], Plan | None]] = {
    "task.created": _task_plan,
    "task.updated": _task_plan,
    "task.moved": _task_plan,
    "comment.added": _comment_plan,
    "comment.edited": _comment_plan,
    "chat.message_posted": _chat_plan,
}


@subscriber("notifications.fanout", events=("task.*", "comment.*", "chat.*"))
def fanout(event: DomainEvent) -> None:
    planner = PLANNERS.get(event.name)
    if planner is None or event.workspace_id is None:
        return
    workspace = Workspace.objects.filter(pk=event.workspace_id, deleted_at__isnull=True).first()
    if workspace is None:
        return
    plan = planner(event, workspace)
    if plan is None:
        return
    wanted = rules.recipients(plan.facts)
    if not wanted:
        return
    visible = selectors.people_who_see(workspace_id=workspace.pk, project=plan.project, user_ids=wanted)
    wanted = {user_id: kind for user_id, kind in wanted.items() if user_id in visible}
    if not wanted:
        return
    delivered = services.notifications_deliver(
        delivery=services.Delivery(
            event=event,
            wanted=wanted,
            subject=plan.subject,
            texts={kind: rules.describe(kind, data=plan.data, changes=plan.changes) for kind in set(wanted.values())},
            link=plan.link or _url("inbox", ws=workspace.slug),
            target_label=plan.target_label,
            task_id=plan.task.pk if plan.task is not None else None,
            project_id=plan.project.pk if plan.project is not None else None,
        )
    )
    if not delivered.notifications:
        return
    counts = selectors.unread_counts(
        workspace_id=workspace.pk, user_ids={n.recipient_id for n in delivered.notifications}
    )
    pushes = [
        (n.recipient_id, live_message(n, workspace=workspace, unread=counts.get(n.recipient_id, 0)))
        for n in delivered.notifications
    ]
    emails = list(delivered.instant_email_ids)
    # Side effects only once the rows are committed (STYLE.md rule 4).
    transaction.on_commit(lambda: _after_commit(emails, pushes), robust=True)


def live_message(notification: Any, *, workspace: Workspace, unread: int) -> dict[str, Any]:
    return {
        "notification": {
            "id": notification.public_id,
            "kind": notification.kind,
            "text": notification.text,
            "target": notification.target_label,
            "count": notification.count,
            "unread": notification.unread,
        },
        "workspace": workspace.slug,
        "unread": unread,
    }


def _after_commit(email_ids: list[int], pushes: list[tuple[int, dict[str, Any]]]) -> None:
    from labora.notifications.tasks import send_notification_emails

    if email_ids:
        try:
            send_notification_emails.enqueue(email_ids)
        except Exception:  # they stay owed: the periodic tick queues them again
            logger.exception("could not queue notification e-mails", extra={"notification_ids": email_ids})
    push_to_users(pushes)


def push_to_users(pushes: list[tuple[int, dict[str, Any]]]) -> None:
    """Send each message to its user's open pages (labora.live); best effort, never raises."""
    try:
        from labora.live.subscribers import send_to_user
    except ImportError:  # the live app is not installed in this build
        return
    for user_id, message in pushes:
        try:
            send_to_user(user_id, message)
        except Exception:
            logger.warning("live push failed", extra={"user_id": user_id}, exc_info=True)
