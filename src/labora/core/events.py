"""The event spine (DESIGN.md §3): record in the outbox, deliver after commit, re-deliver.

A service calls `record(...)` inside its transaction. When that transaction commits the
dispatcher hands the event to every registered subscriber, each in its own transaction
together with an acknowledgement row (`EventDelivery`, unique per event and subscriber):
a handler that fails rolls back its own acknowledgement, so the event stays pending and
`redeliver_pending()` (run by `labora worker` and the worker embedded in `labora serve`)
delivers it again later; one that succeeded is never run twice for the same event.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from labora.core.models import DomainEvent, EventDelivery

logger = logging.getLogger("labora.events")

Handler = Callable[[DomainEvent], None]

# Subscribers run in ascending `priority`, then in registration order. Live delivery goes first
# (LIVE_PRIORITY): the other subscribers write (activity log, notifications, auto-schedule), each
# in a delivery transaction of its own, and would otherwise sit between the commit and the browser.
DEFAULT_PRIORITY = 100
LIVE_PRIORITY = 0


@dataclass(frozen=True)
class Subscriber:
    name: str
    patterns: tuple[str, ...]
    handler: Handler
    priority: int = DEFAULT_PRIORITY

    def wants(self, event_name: str) -> bool:
        return any(fnmatch.fnmatchcase(event_name, p) for p in self.patterns)


_subscribers: dict[str, Subscriber] = {}


def subscriber(
    name: str, *, events: Iterable[str] = ("*",), priority: int = DEFAULT_PRIORITY
) -> Callable[[Handler], Handler]:
    """Register `handler` under a stable `name` for events matching the glob `events`; a lower
    `priority` runs earlier (ties: registration order)."""

    def register(handler: Handler) -> Handler:
        _subscribers[name] = Subscriber(name=name, patterns=tuple(events), handler=handler, priority=priority)
        return handler

    return register


def subscribers() -> list[Subscriber]:
    """Every registered subscriber in the order dispatch runs them (priority, then registration)."""
    return sorted(_subscribers.values(), key=lambda sub: sub.priority)  # sorted() is stable


def unregister(name: str) -> None:
    _subscribers.pop(name, None)


def record(
    *,
    name: str,
    actor: Any,
    workspace: Any = None,
    target: Model | None = None,
    target_label: str = "",
    data: dict[str, Any] | None = None,
    changes: dict[str, list[Any]] | None = None,
) -> DomainEvent:
    """Write one domain event into the outbox of the current transaction.

    Raises RuntimeError when called outside a transaction: an event must commit or roll
    back together with the change it describes.
    """
    if not connection.in_atomic_block:
        raise RuntimeError(f"event {name!r} recorded outside a transaction")
    event = DomainEvent.objects.create(
        workspace=workspace,
        name=name,
        actor=actor if getattr(actor, "pk", None) else None,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(getattr(target, "public_id", None) or getattr(target, "pk", "")) if target is not None else "",
        target_label=target_label or (str(target) if target is not None else ""),
        data=data or {},
        changes=changes or {},
    )
    # robust: the change is committed whatever happens next; a dispatch that fails (say the
    # database drops the connection) must not turn the caller's success into a 500. The event
    # stays pending and the worker's redeliver_pending() picks it up.
    transaction.on_commit(lambda: dispatch([event.pk]), robust=True)
    return event


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field-level `{field: [before, after]}` between two snapshots of the same keys."""
    return {field: [before[field], value] for field, value in after.items() if before[field] != value}


def diff(
    instance: Model, updates: dict[str, Any], *, serialise: Callable[[Any], Any] | None = None
) -> dict[str, list[Any]]:
    """Field-level `{field: [before, after]}` for the values in `updates` that differ."""
    ser = serialise or _plain
    changes: dict[str, list[Any]] = {}
    for field, new in updates.items():
        old = getattr(instance, field)
        if old != new:
            changes[field] = [ser(old), ser(new)]
    return changes


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def deliver(event: DomainEvent, sub: Subscriber) -> bool:
    """Run one subscriber for one event, exactly once. True when it ran now."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                EventDelivery.objects.create(event=event, subscriber=sub.name)
        except IntegrityError:
            return False  # acknowledged earlier, by this process or another
        sub.handler(event)
    return True


def dispatch(event_ids: Iterable[int]) -> int:
    """Deliver the given events to their pending subscribers; returns handler runs."""
    ran = 0
    events = DomainEvent.objects.filter(pk__in=list(event_ids), delivered_at__isnull=True).order_by("id")
    for event in events:
        ran += _deliver_all(event)
    return ran


def _deliver_all(event: DomainEvent) -> int:
    done = set(EventDelivery.objects.filter(event=event).values_list("subscriber", flat=True))
    ran = 0
    complete = True
    for sub in subscribers():
        if not sub.wants(event.name) or sub.name in done:
            continue
        try:
            if deliver(event, sub):
                ran += 1
        except Exception:
            complete = False
            logger.exception("subscriber failed", extra={"subscriber": sub.name, "event_id": event.pk})
    if complete:
        DomainEvent.objects.filter(pk=event.pk).update(delivered_at=timezone.now())
    return ran


def redeliver_pending(*, grace_seconds: float = 5.0, limit: int = 500) -> int:
    """Deliver events still unacknowledged `grace_seconds` after they were recorded.

    The grace period leaves the fast path (dispatch right after commit) its chance first.
    """
    cutoff = timezone.now() - timedelta(seconds=grace_seconds)
    pending = list(
        DomainEvent.objects.filter(delivered_at__isnull=True, created_at__lte=cutoff)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    return dispatch(pending) if pending else 0
