"""Every write of notifications: the fan-out from events, marking read/unread/archived,
preferences, unsubscribing, and watching projects.

The fan-out (`notifications_deliver`) is called by the outbox subscriber inside its delivery
transaction: it writes rows only; e-mails and live pushes leave after that commit
(subscribers.py). Personal changes (read, archive, preferences) record their domain event with
no workspace: they belong to the person, not to the workspace's shared activity history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from labora.accounts.models import User
from labora.core import events
from labora.core.errors import ValidationError
from labora.core.models import DomainEvent
from labora.core.policy import check
from labora.core.versioning import check_version
from labora.notifications import selectors
from labora.notifications.models import (
    KIND_GROUP,
    Channel,
    EmailMode,
    EmailSettings,
    Kind,
    Notification,
    NotificationPreference,
    NotificationReceipt,
    ProjectWatch,
    default_enabled,
)
from labora.work.models import Project
from labora.workspaces.models import Membership, Workspace

# Unread notifications about the same thing, of the same group, collapse within this window.
COLLAPSE_WINDOW = timedelta(minutes=10)
# A collapsed row keeps at most this many event ids (the count goes on).
MAX_EVENT_IDS = 50
MAX_IDS = 200
KINDS = {k.value for k in Kind}


# --- the fan-out ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """What one event means for the inbox: who gets which kind, about what, saying what."""

    event: DomainEvent
    wanted: Mapping[int, str]  # {recipient id: kind}, already filtered for visibility
    subject: str  # what collapses: "task:<pk>", "project:<pk>", "chat:<channel>"
    texts: Mapping[str, str]  # {kind: text}
    link: str
    target_label: str
    task_id: int | None = None
    project_id: int | None = None


@dataclass
class Delivered:
    """The rows the fan-out wrote or bumped, and which of them owe an instant e-mail."""

    notifications: list[Notification] = field(default_factory=list)
    instant_email_ids: list[int] = field(default_factory=list)


def notifications_deliver(*, delivery: Delivery) -> Delivered:
    """Write the notifications of one event: one row per recipient, or a bump of their unread
    row about the same subject from the last ten minutes. Idempotent per (event, recipient):
    a recipient who already has a receipt for this event is skipped. Honours preferences
    (inbox off: the row is written read and archived, for e-mail only; both off: nothing)."""
    event = delivery.event
    done = set(NotificationReceipt.objects.filter(event=event).values_list("recipient_id", flat=True))
    wanted = {user_id: kind for user_id, kind in delivery.wanted.items() if user_id not in done}
    result = Delivered()
    if not wanted:
        return result
    workspace_id = event.workspace_id
    assert workspace_id is not None
    switches = selectors.switches_for(workspace_id=workspace_id, user_ids=wanted)
    modes = selectors.email_modes(user_ids=wanted)

    def enabled(user_id: int, kind: str, channel: str) -> bool:
        return switches.get((user_id, kind, channel), default_enabled(kind, channel))

    now = timezone.now()
    groups = {KIND_GROUP[kind] for kind in wanted.values()}
    open_rows: dict[tuple[int, str], Notification] = {}
    for row in Notification.objects.filter(
        workspace_id=workspace_id,
        recipient_id__in=list(wanted),
        subject=delivery.subject,
        group__in=groups,
        unread=True,
        archived_at__isnull=True,
        updated_at__gte=now - COLLAPSE_WINDOW,
    ).order_by("updated_at", "id"):
        open_rows[(row.recipient_id, row.group)] = row  # the newest wins

    created: list[Notification] = []
    bumped: list[Notification] = []
    for user_id, kind in sorted(wanted.items()):
        inbox_on = enabled(user_id, kind, Channel.INBOX)
        email_on = enabled(user_id, kind, Channel.EMAIL) and modes.get(user_id, EmailMode.INSTANT) != EmailMode.OFF
        if not inbox_on and not email_on:
            continue
        group = KIND_GROUP[kind]
        existing = open_rows.get((user_id, group)) if inbox_on else None
        if existing is not None:
            row = existing
            row.kind = kind
            row.count += 1
            row.text = delivery.texts[kind][:500]
            row.actor_id = event.actor_id
            row.target_label = delivery.target_label[:300]
            row.link = delivery.link[:300]
            row.updated_at = now
            row.event_ids = [*row.event_ids, event.pk][-MAX_EVENT_IDS:]
            row.email_pending = row.email_pending or email_on
            bumped.append(row)
        else:
            row = Notification(
                workspace_id=workspace_id,
                recipient_id=user_id,
                kind=kind,
                group=group,
                subject=delivery.subject,
                actor_id=event.actor_id,
                task_id=delivery.task_id,
                project_id=delivery.project_id,
                target_label=delivery.target_label[:300],
                text=delivery.texts[kind][:500],
                link=delivery.link[:300],
                event_ids=[event.pk],
                created_at=now,
                updated_at=now,
                unread=inbox_on,
                read_at=None if inbox_on else now,
                archived_at=None if inbox_on else now,
                email_pending=email_on,
            )
            created.append(row)
    if created:
        Notification.objects.bulk_create(created)
    if bumped:
        Notification.objects.bulk_update(
            bumped,
            ["kind", "count", "text", "actor", "target_label", "link", "updated_at", "event_ids", "email_pending"],
        )
    rows = created + bumped
    NotificationReceipt.objects.bulk_create(
        [NotificationReceipt(event=event, recipient_id=n.recipient_id, notification_id=n.pk) for n in rows]
    )
    result.notifications = rows
    result.instant_email_ids = [
        n.pk for n in rows if n.email_pending and modes.get(n.recipient_id, EmailMode.INSTANT) == EmailMode.INSTANT
    ]
    return result


# --- the inbox: read, unread, archive -------------------------------------------------------------


def _scope(actor: User, membership: Membership) -> None:
    check(actor, "notification.manage", membership, message="You can only manage your own notifications.")


def _targets(actor: User, workspace: Workspace, ids: Iterable[str] | None, all_: bool, what: str) -> list[str] | None:
    """The public ids to change, or None for "all"; ValidationError when neither is given."""
    if all_:
        return None
    chosen = [str(i) for i in (ids or [])]
    if not chosen:
        raise ValidationError(
            f'Say which notifications to mark {what}: {{"ids": ["<id>", ...]}} or {{"all": true}}.',
            fields={"ids": "required"},
        )
    if len(chosen) > MAX_IDS:
        raise ValidationError(
            f'At most {MAX_IDS} ids at a time; send the rest in another request, or use {{"all": true}}.',
            fields={"ids": "too many"},
        )
    selectors.notifications_by_ids(user=actor, workspace=workspace, ids=chosen)  # NotFound for others' ids
    return chosen


def _apply(
    *,
    actor: User,
    membership: Membership,
    ids: Iterable[str] | None,
    all_: bool,
    what: str,
    base: dict[str, Any],
    updates: dict[str, Any],
    event_name: str,
) -> int:
    _scope(actor, membership)
    workspace = membership.workspace
    chosen = _targets(actor, workspace, ids, all_, what)
    with transaction.atomic():
        rows = Notification.objects.filter(recipient_id=actor.pk, workspace=workspace, **base)
        if chosen is not None:
            rows = rows.filter(public_id__in=chosen)
        changed = rows.update(**updates)
        if changed:
            events.record(
                name=event_name,
                actor=actor,
                workspace=None,  # personal: not part of the workspace's shared history
                data={"workspace": workspace.slug, "ids": chosen or "all", "count": changed},
            )
    return changed


def notifications_mark_read(
    *, actor: User, membership: Membership, ids: Iterable[str] | None = None, all: bool = False
) -> int:
    """Mark these (or all unarchived) notifications read; returns how many changed.

    Raises PermissionDenied, ValidationError (no ids, too many), NotFound (an id not yours).
    """
    base: dict[str, Any] = {"unread": True} if ids and not all else {"unread": True, "archived_at__isnull": True}
    return _apply(
        actor=actor,
        membership=membership,
        ids=ids,
        all_=all,
        what="read",
        base=base,
        updates={"unread": False, "read_at": timezone.now()},
        event_name="notification.read",
    )


def notifications_mark_unread(*, actor: User, membership: Membership, ids: Iterable[str]) -> int:
    """Mark these notifications unread again. Raises PermissionDenied, ValidationError, NotFound."""
    return _apply(
        actor=actor,
        membership=membership,
        ids=ids,
        all_=False,
        what="unread",
        base={"unread": False},
        updates={"unread": True, "read_at": None},
        event_name="notification.unread",
    )


def notifications_archive(
    *, actor: User, membership: Membership, ids: Iterable[str] | None = None, all: bool = False
) -> int:
    """Archive these (or all) notifications; archiving also marks them read.

    Raises PermissionDenied, ValidationError, NotFound.
    """
    now = timezone.now()
    return _apply(
        actor=actor,
        membership=membership,
        ids=ids,
        all_=all,
        what="archived",
        base={"archived_at__isnull": True},
        updates={"archived_at": now, "unread": False, "read_at": now},
        event_name="notification.archived",
    )


def notifications_unarchive(*, actor: User, membership: Membership, ids: Iterable[str]) -> int:
    """Move these notifications back to the inbox. Raises PermissionDenied, ValidationError, NotFound."""
    return _apply(
        actor=actor,
        membership=membership,
        ids=ids,
        all_=False,
        what="unarchived",
        base={"archived_at__isnull": False},
        updates={"archived_at": None},
        event_name="notification.unarchived",
    )


# --- preferences ------------------------------------------------------------------------------


def _locked_settings(user_id: int) -> EmailSettings:
    """The user's settings row, created on first use, locked for this transaction."""
    try:
        with transaction.atomic():
            EmailSettings.objects.get_or_create(user_id=user_id)
    except IntegrityError:  # created by a concurrent request a moment ago
        pass
    return EmailSettings.objects.select_for_update().get(user_id=user_id)


def preferences_update(
    *,
    actor: User,
    membership: Membership,
    version: int | None,
    email_mode: str | None = None,
    switches: Mapping[tuple[str, str], bool] | None = None,
) -> selectors.Preferences:
    """Change the e-mail mode and/or some (kind, channel) switches of the actor in this workspace.

    Raises PermissionDenied, ValidationError (unknown kind, channel or mode), Conflict (stale version).
    """
    _scope(actor, membership)
    workspace = membership.workspace
    switches = dict(switches or {})
    problems: dict[str, str] = {}
    for kind, channel in switches:
        if kind not in KINDS:
            problems[kind] = f"unknown kind; use one of: {', '.join(sorted(KINDS))}"
        elif channel not in Channel.values:
            problems[f"{kind}.{channel}"] = "unknown channel; use inbox or email"
    if email_mode is not None and email_mode not in EmailMode.values:
        problems["email_mode"] = f"unknown mode; use one of: {', '.join(EmailMode.values)}"
    if problems:
        raise ValidationError("Some notification preferences are not valid; see fields.", fields=problems)
    with transaction.atomic():
        settings_row = _locked_settings(actor.pk)
        check_version(settings_row, version, "set of notification preferences")
        before = selectors.preferences_get(user=actor, workspace=workspace)
        current: dict[tuple[str, str], bool] = {(r.kind, "inbox"): r.inbox for r in before.rows}
        current.update({(r.kind, "email"): r.email for r in before.rows})
        changes: dict[str, list[Any]] = {}
        for (kind, channel), enabled in sorted(switches.items()):
            if current[(kind, channel)] == bool(enabled):
                continue
            NotificationPreference.objects.update_or_create(
                user_id=actor.pk, workspace=workspace, kind=kind, channel=channel, defaults={"enabled": bool(enabled)}
            )
            changes[f"{kind}.{channel}"] = [current[(kind, channel)], bool(enabled)]
        if email_mode is not None and email_mode != settings_row.mode:
            changes["email_mode"] = [settings_row.mode, email_mode]
            settings_row.mode = email_mode
        if changes:
            settings_row.version += 1
            settings_row.save()
            events.record(
                name="notification.preferences_changed",
                actor=actor,
                workspace=None,
                data={"workspace": workspace.slug},
                changes=changes,
            )
    return selectors.preferences_get(user=actor, workspace=workspace)


def preference_unsubscribe(*, user: User, workspace: Workspace, kind: str) -> bool:
    """Stop e-mail of `kind` in `workspace` for `user`, or every e-mail when `kind` is "all"
    (the one-click link of an e-mail: the signed token is the authority). True when it changed.

    Raises ValidationError (unknown kind).
    """
    if kind != "all" and kind not in KINDS:
        raise ValidationError(f"Unknown kind '{kind}'.", fields={"kind": "unknown"})
    with transaction.atomic():
        settings_row = _locked_settings(user.pk)
        if kind == "all":
            if settings_row.mode == EmailMode.OFF:
                return False
            changes = {"email_mode": [settings_row.mode, EmailMode.OFF]}
            settings_row.mode = EmailMode.OFF
        else:
            saved = NotificationPreference.objects.filter(
                user_id=user.pk, workspace=workspace, kind=kind, channel=Channel.EMAIL
            ).first()
            was = saved.enabled if saved is not None else default_enabled(kind, Channel.EMAIL)
            if not was:
                return False
            NotificationPreference.objects.update_or_create(
                user_id=user.pk, workspace=workspace, kind=kind, channel=Channel.EMAIL, defaults={"enabled": False}
            )
            changes = {f"{kind}.email": ["on", "off"]}
        settings_row.version += 1
        settings_row.save()
        # Nothing still owed by e-mail for what was just switched off.
        owed = Notification.objects.filter(recipient_id=user.pk, email_pending=True)
        if kind != "all":
            owed = owed.filter(workspace=workspace, kind=kind)
        owed.update(email_pending=False)
        events.record(
            name="notification.unsubscribed",
            actor=user,
            workspace=None,
            data={"workspace": workspace.slug, "kind": kind},
            changes=changes,
        )
    return True


# --- watching projects ------------------------------------------------------------------------------


def _project_access_check(actor: User, project: Project) -> None:
    from labora.work.services._common import authorise  # the work app's one access check

    authorise(actor, "project.view", project, "Only people who see this project can watch it.")


def _watch_event(name: str, actor: User, project: Project) -> None:
    events.record(
        name=name,
        actor=actor,
        workspace=project.workspace,
        target=project,
        target_label=f"{project.key} {project.name}",
        data={"project": project.key, "watcher": actor.email},
    )


def project_watch(*, actor: User, project: Project) -> bool:
    """The actor starts watching `project` (its comments reach them). True when it changed;
    watching twice changes nothing. Raises PermissionDenied."""
    _project_access_check(actor, project)
    with transaction.atomic():
        try:
            with transaction.atomic():
                _, created = ProjectWatch.objects.get_or_create(
                    project=project, user_id=actor.pk, defaults={"workspace_id": project.workspace_id}
                )
        except IntegrityError:  # a concurrent request made it watch a moment ago
            return False
        if created:
            _watch_event("project.watcher_added", actor, project)
    return created


def project_unwatch(*, actor: User, project: Project) -> bool:
    """The actor stops watching `project`. True when it changed. Raises PermissionDenied."""
    _project_access_check(actor, project)
    with transaction.atomic():
        deleted, _ = ProjectWatch.objects.filter(project=project, user_id=actor.pk).delete()
        if deleted:
            _watch_event("project.watcher_removed", actor, project)
    return bool(deleted)
