"""A separate process for the outbox crash test (tests/core/test_events.py).

    python tests/core/outbox_child.py crash-in-worker   # migrate, record 20 events, die delivering #11
    python tests/core/outbox_child.py crash-in-commit   # the same, dying in the after-commit dispatch
    python tests/core/outbox_child.py redeliver         # report, re-deliver as a restarted worker, report

The database comes from the environment exactly as in production (LABORA_DATA_DIR for the
SQLite file, or DATABASE_URL). The counting subscriber below is registered only in these
processes, and it is deliberately naive: it inserts one row per call, so a delivery that
ran twice would show as two rows. Exactly-once is the dispatcher's job, not the handler's.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labora.settings")
os.environ.setdefault("LABORA_TESTING", "1")

import django

django.setup()

from django.core.management import call_command  # noqa: E402  (after django.setup())
from django.db import connection, transaction  # noqa: E402

from labora.core import events  # noqa: E402
from labora.core.models import DomainEvent, EventDelivery  # noqa: E402

N_EVENTS = 20
KILL_AT = 11
EVENT_NAME = "test.outbox.ping"
SUBSCRIBER = "tests.outbox_counter"


class NotReady(Exception):
    """The counter refuses events until it is armed: they stay pending in the outbox."""


state = {"armed": False, "kill_at": 0}


@events.subscriber(SUBSCRIBER, events=["test.outbox.*"])
def count(event: DomainEvent) -> None:
    if not state["armed"]:
        raise NotReady(event.pk)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO outbox_test_hits (event_id) VALUES (%s)", [event.pk])
    if event.data.get("n") == state["kill_at"]:
        # Die for real in the middle of this delivery: the hit row above is written, the
        # acknowledgement is not committed yet. No cleanup, no atexit, no rollback.
        os.kill(os.getpid(), signal.SIGKILL)


def _prepare() -> None:
    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS outbox_test_hits (event_id integer NOT NULL)")


def crash_in_worker() -> None:
    """20 events, each committed in its own transaction while the counter is not ready, so
    all 20 wait in the outbox; then a worker pass delivers them and dies on #11."""
    _prepare()
    for n in range(1, N_EVENTS + 1):
        with transaction.atomic():
            events.record(name=EVENT_NAME, actor=None, data={"n": n})
    assert DomainEvent.objects.filter(delivered_at__isnull=True).count() == N_EVENTS
    state.update(armed=True, kill_at=KILL_AT)
    events.redeliver_pending(grace_seconds=0)
    raise SystemExit("not killed: the subscriber never saw event 11")


def crash_in_commit() -> None:
    """20 events committed together (20 service calls in one request); the after-commit
    dispatch dies on #11, so 12..20 are committed but were never offered to anyone."""
    _prepare()
    state.update(armed=True, kill_at=KILL_AT)
    with transaction.atomic():
        for n in range(1, N_EVENTS + 1):
            with transaction.atomic():
                events.record(name=EVENT_NAME, actor=None, data={"n": n})
    raise SystemExit("not killed: the subscriber never saw event 11")


def _report() -> dict[str, object]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT event_id, COUNT(*) FROM outbox_test_hits GROUP BY event_id ORDER BY event_id")
        hits = {str(event_id): n for event_id, n in cursor.fetchall()}
    ours = DomainEvent.objects.filter(name=EVENT_NAME)
    deliveries = EventDelivery.objects.filter(event__in=ours, subscriber=SUBSCRIBER)
    return {
        "event_ids": [str(pk) for pk in ours.order_by("id").values_list("pk", flat=True)],
        "numbers": sorted(e.data["n"] for e in ours),
        "hits": hits,
        "undelivered": ours.filter(delivered_at__isnull=True).count(),
        "deliveries": deliveries.count(),
        "distinct_deliveries": deliveries.values("event_id").distinct().count(),
    }


def redeliver() -> None:
    """What the dead process left behind; then a restarted worker's pass, and a second pass
    that must find nothing to do. Prints {"before": ..., "after": ..., "second_pass_ran": n}."""
    before = _report()
    state.update(armed=True, kill_at=0)
    events.redeliver_pending(grace_seconds=0)
    second = events.redeliver_pending(grace_seconds=0)
    print(json.dumps({"before": before, "after": _report(), "second_pass_ran": second}))


if __name__ == "__main__":
    # The counter fails on purpose while unarmed; its stack traces are noise here.
    logging.getLogger("labora.events").setLevel(logging.CRITICAL)
    modes = {
        "crash-in-worker": crash_in_worker,
        "crash-in-commit": crash_in_commit,
        "redeliver": redeliver,
    }
    modes[sys.argv[1]]()
