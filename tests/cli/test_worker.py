"""`labora worker`: runs queued tasks, re-delivers unacknowledged events, reports a heartbeat."""

from __future__ import annotations

import logging
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task

from labora.collaboration.models import ActivityEntry
from labora.core import events
from labora.core.models import DomainEvent, WorkerHeartbeat
from labora.core.worker import LaboraWorker

pytestmark = pytest.mark.django_db

CALLS: list[int] = []


@task()
def remember(n: int) -> int:
    CALLS.append(n)
    return n * 2


def test_worker_once_redelivers_a_pending_event_and_writes_a_heartbeat(workspace: Any) -> None:
    # Given a workspace whose "created" event was never dispatched (no commit in a test)
    event = DomainEvent.objects.get(name="workspace.created")
    DomainEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    out = StringIO()

    call_command("worker", "--once", stdout=out)

    event.refresh_from_db()
    assert event.delivered_at is not None
    assert ActivityEntry.objects.filter(event=event).count() == 1
    beat = WorkerHeartbeat.objects.get()
    assert beat.worker_id.endswith(":standalone")
    assert beat.embedded is False
    assert timezone.now() - beat.seen_at < timedelta(seconds=5)
    assert "re-delivered" in out.getvalue()


def test_a_recent_event_is_left_to_the_after_commit_dispatcher(workspace: Any) -> None:
    call_command("worker", "--once", stdout=StringIO())

    assert DomainEvent.objects.get(name="workspace.created").delivered_at is None


def test_worker_runs_tasks_queued_in_the_database(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "ENQUEUE_ON_COMMIT": False}}
    from django_tasks_db.models import DBTaskResult

    CALLS.clear()
    result = remember.enqueue(21)

    done = LaboraWorker().tick()

    assert done["tasks"] == 1
    assert CALLS == [21]
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL"
    assert row.return_value == 42


def test_a_failing_step_is_logged_and_the_tick_goes_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, db: Any
) -> None:
    def broken(**kwargs: Any) -> int:
        raise RuntimeError("subscriber table is gone")

    monkeypatch.setattr(events, "redeliver_pending", broken)

    with caplog.at_level(logging.ERROR, logger="labora.worker"):
        done = LaboraWorker().tick()

    assert done == {"tasks": 0, "events": 0}
    assert "worker step failed" in caplog.text
    assert WorkerHeartbeat.objects.count() == 1  # the heartbeat still went out


def test_the_heartbeat_is_refreshed_not_duplicated(db: Any) -> None:
    worker = LaboraWorker(embedded=True)
    worker.heartbeat(force=True)
    first = WorkerHeartbeat.objects.get().seen_at

    worker.heartbeat(force=True)

    beat = WorkerHeartbeat.objects.get()
    assert beat.embedded is True
    assert beat.seen_at >= first


def test_worker_rejects_a_non_positive_interval() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--interval must be a positive"):
        call_command("worker", "--interval", "0", "--once")
