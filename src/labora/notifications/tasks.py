"""Background jobs of notifications: the instant e-mail, digests, and the periodic tick that
decides who is owed a digest (run by `labora worker`, the worker inside `labora serve`, or
`labora digest` from cron). Only ids are queued: every job reads the current state."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from labora.accounts.models import User
from labora.notifications import emails
from labora.notifications.models import EmailMode, EmailSettings, Notification

logger = logging.getLogger("labora.notifications")

DIGEST_PERIODS = {EmailMode.HOURLY: timedelta(hours=1), EmailMode.DAILY: timedelta(days=1)}
# An instant e-mail still owed this long after its notification is queued again (a lost job).
INSTANT_RETRY_AFTER = timedelta(minutes=10)
# The worker ticks every second; the digest check runs at most this often per process.
TICK_EVERY_SECONDS = 60.0
MAX_DIGEST_ITEMS = 200


def _claim(ids: list[int]) -> int:
    """Take these rows off the owed list (so a second job sends nothing); returns how many."""
    return Notification.objects.filter(pk__in=ids, email_pending=True).update(
        email_pending=False, emailed_at=timezone.now()
    )


def _release(ids: list[int]) -> None:
    Notification.objects.filter(pk__in=ids).update(email_pending=True, emailed_at=None)


def send_one(notification_id: int) -> str:
    """Mail one notification to its recipient, if it is still owed and they still want it now."""
    notification = (
        Notification.objects.filter(pk=notification_id, email_pending=True)
        .select_related("recipient", "actor", "workspace")
        .first()
    )
    if notification is None:
        return "skipped"
    recipient = notification.recipient
    mode = EmailSettings.objects.filter(user_id=recipient.pk).values_list("mode", flat=True).first()
    if mode in DIGEST_PERIODS:
        return "deferred"  # switched to a digest meanwhile: the digest will carry it
    if mode == EmailMode.OFF or not recipient.is_active:
        Notification.objects.filter(pk=notification.pk).update(email_pending=False)
        return "skipped"
    if not _claim([notification.pk]):
        return "skipped"  # another job took it a moment ago
    try:
        emails.notification_message(notification).send()
    except Exception:
        _release([notification.pk])  # owed again: the tick retries it later
        raise
    return "sent"


@task()
def send_notification_emails(notification_ids: list[int]) -> dict[str, int]:
    """The instant e-mails of one event (one job, not one per recipient). Each is sent on its
    own: one failing address stays owed (the tick retries it) and the others still go."""
    outcome: dict[str, int] = {}
    failed = 0
    for notification_id in notification_ids:
        try:
            result = send_one(notification_id)
        except Exception:
            logger.exception("notification e-mail failed", extra={"notification_id": notification_id})
            failed += 1
            continue
        outcome[result] = outcome.get(result, 0) + 1
    if failed:
        raise RuntimeError(f"{failed} of {len(notification_ids)} e-mails failed; they stay owed and are retried")
    return outcome


@task()
def send_digest(user_id: int, period: str) -> str:
    """Mail `user_id` one digest of everything still owed to them, grouped by project and task."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "skipped"
    owed = list(
        Notification.objects.filter(recipient_id=user_id, email_pending=True)
        .select_related("workspace", "project", "task__project", "actor")
        .order_by("workspace_id", "project_id", "subject", "updated_at", "id")[:MAX_DIGEST_ITEMS]
    )
    if not owed:
        return "empty"
    ids = [n.pk for n in owed]
    if _claim(ids) != len(ids):
        _release(ids)
        return "skipped"  # another digest job is at it
    try:
        emails.digest_message(user=user, notifications=owed, period=period).send()
    except Exception:
        _release(ids)
        raise
    return "sent"


def digest_tick(*, now: datetime | None = None) -> int:
    """Queue what is due: digests of people whose period has passed, instant e-mails that were
    lost. Returns how many jobs it queued. Cheap when nothing is owed (one indexed read)."""
    now = now or timezone.now()
    owed_users = set(
        Notification.objects.filter(email_pending=True).order_by().values_list("recipient_id", flat=True).distinct()
    )
    if not owed_users:
        return 0
    queued = 0
    modes = dict(EmailSettings.objects.filter(user_id__in=owed_users).values_list("user_id", "mode"))
    for mode, period in DIGEST_PERIODS.items():
        users = [u for u in owed_users if modes.get(u) == mode]
        if not users:
            continue
        with transaction.atomic():
            due = list(
                EmailSettings.objects.select_for_update()
                .filter(user_id__in=users)
                .filter(Q(last_digest_at__isnull=True) | Q(last_digest_at__lte=now - period))
                .values_list("user_id", flat=True)
            )
            EmailSettings.objects.filter(user_id__in=due).update(last_digest_at=now)
        for user_id in due:
            send_digest.enqueue(user_id, "hourly" if mode == EmailMode.HOURLY else "daily")
            queued += 1
    lost = list(
        Notification.objects.filter(
            email_pending=True, updated_at__lte=now - INSTANT_RETRY_AFTER, recipient_id__in=owed_users
        )
        .exclude(recipient_id__in=[u for u, m in modes.items() if m != EmailMode.INSTANT])
        .values_list("pk", flat=True)[:100]
    )
    if lost:
        send_notification_emails.enqueue(lost)
        queued += 1
    return queued


_last_tick = 0.0


def periodic_digest_tick() -> int:
    """The worker's hook (core.worker.PERIODIC): digest_tick at most once a minute per process."""
    global _last_tick
    now = time.monotonic()
    if _last_tick and now - _last_tick < TICK_EVERY_SECONDS:
        return 0
    _last_tick = now
    return digest_tick()
