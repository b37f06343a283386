"""The event spine (DESIGN.md §3): an event commits or rolls back with its change, is
delivered after commit to every subscriber that wants it, and survives crashes."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from labora.core import events
from labora.core.models import DomainEvent, EventDelivery
from labora.workspaces.services import workspace_update

CHILD = Path(__file__).with_name("outbox_child.py")


class Recorder:
    """A test subscriber that remembers which events it saw (and can be told to fail)."""

    def __init__(self) -> None:
        self.seen: list[int] = []
        self.fail = False

    def __call__(self, event: DomainEvent) -> None:
        if self.fail:
            raise RuntimeError("subscriber is down")
        self.seen.append(event.pk)


@pytest.fixture
def subscribe() -> Iterator[Any]:
    """subscribe(name, events=[...]) registers a Recorder for this test only."""
    names: list[str] = []

    def register(name: str, *, patterns: tuple[str, ...] = ("test.*",)) -> Recorder:
        recorder = Recorder()
        events.subscriber(name, events=patterns)(recorder)
        names.append(name)
        return recorder

    yield register
    for name in names:
        events.unregister(name)


def _record(name: str = "test.happened", **data: Any) -> DomainEvent:
    with transaction.atomic():
        return events.record(name=name, actor=None, data=data)


# --- recording -------------------------------------------------------------------------


def test_a_services_event_commits_with_its_change(user: Any, workspace: Any) -> None:
    membership = workspace.memberships.get(user=user)

    workspace_update(actor=user, workspace=workspace, membership=membership, name="Acme Corp")

    event = DomainEvent.objects.get(name="workspace.updated")
    assert event.workspace_id == workspace.pk
    assert event.actor_id == user.pk
    assert event.changes == {"name": ["Acme", "Acme Corp"]}
    assert event.delivered_at is None  # delivery waits for the commit


def test_a_services_event_rolls_back_with_its_change(user: Any, workspace: Any) -> None:
    membership = workspace.memberships.get(user=user)
    before = DomainEvent.objects.count()

    def request_that_fails_after_the_service() -> None:
        with transaction.atomic():
            workspace_update(actor=user, workspace=workspace, membership=membership, name="Acme Corp")
            raise RuntimeError("the request fails after the service returned")

    with pytest.raises(RuntimeError):
        request_that_fails_after_the_service()

    workspace.refresh_from_db()
    assert workspace.name == "Acme"
    assert workspace.version == 1
    assert DomainEvent.objects.count() == before


def test_a_rolled_back_event_is_never_dispatched(db: Any, subscribe: Any, run_events: Any) -> None:
    recorder = subscribe("tests.recorder")

    def failing_transaction() -> None:
        with transaction.atomic():
            events.record(name="test.happened", actor=None)
            raise RuntimeError("rolled back")

    with run_events(), pytest.raises(RuntimeError):
        failing_transaction()

    assert recorder.seen == []


def test_recording_outside_a_transaction_is_refused(transactional_db: Any) -> None:
    with pytest.raises(RuntimeError, match="outside a transaction"):
        events.record(name="test.happened", actor=None)


def test_diff_keeps_only_changed_fields_as_before_after_pairs(workspace: Any) -> None:
    changes = events.diff(workspace, {"name": "New", "slug": "acme"})

    assert changes == {"name": ["Acme", "New"]}


# --- dispatch ----------------------------------------------------------------------------


def test_nothing_is_delivered_before_commit(db: Any, subscribe: Any) -> None:
    recorder = subscribe("tests.recorder")

    _record()  # the test's own transaction never commits

    assert recorder.seen == []


def test_after_commit_every_matching_subscriber_gets_the_event_once(db: Any, subscribe: Any, run_events: Any) -> None:
    first = subscribe("tests.first", patterns=("test.*",))
    second = subscribe("tests.second", patterns=("test.happened",))
    other = subscribe("tests.other", patterns=("task.*",))

    with run_events():
        event = _record()

    assert first.seen == [event.pk]
    assert second.seen == [event.pk]
    assert other.seen == []
    assert set(EventDelivery.objects.filter(event=event).values_list("subscriber", flat=True)) >= {
        "tests.first",
        "tests.second",
    }
    assert not EventDelivery.objects.filter(event=event, subscriber="tests.other").exists()
    event.refresh_from_db()
    assert event.delivered_at is not None


def test_a_failing_subscriber_does_not_block_the_others_and_leaves_the_event_pending(
    db: Any, subscribe: Any, run_events: Any
) -> None:
    before = subscribe("tests.a")
    broken = subscribe("tests.b")
    after = subscribe("tests.c")
    broken.fail = True

    with run_events():
        event = _record()

    assert before.seen == [event.pk]
    assert after.seen == [event.pk]
    assert broken.seen == []
    acknowledged = set(EventDelivery.objects.filter(event=event).values_list("subscriber", flat=True))
    assert {"tests.a", "tests.c"} <= acknowledged
    assert "tests.b" not in acknowledged
    event.refresh_from_db()
    assert event.delivered_at is None


def test_a_failing_subscriber_rolls_back_its_own_writes(db: Any, user: Any, subscribe: Any, run_events: Any) -> None:
    def half_done(event: DomainEvent) -> None:
        user.name = "written by a failing subscriber"
        user.save(update_fields=["name"])
        raise RuntimeError("fails after writing")

    events.subscriber("tests.half_done", events=["test.*"])(half_done)
    try:
        with run_events():
            _record()
    finally:
        events.unregister("tests.half_done")

    user.refresh_from_db()
    assert user.name == "Olivia Owner"


def test_redeliver_pending_delivers_what_failed_and_reruns_nobody_twice(
    db: Any, subscribe: Any, run_events: Any
) -> None:
    healthy = subscribe("tests.healthy")
    flaky = subscribe("tests.flaky")
    flaky.fail = True
    with run_events():
        event = _record()
    flaky.fail = False

    ran = events.redeliver_pending(grace_seconds=0)

    assert ran == 1  # only the flaky subscriber ran again
    assert healthy.seen == [event.pk]
    assert flaky.seen == [event.pk]
    event.refresh_from_db()
    assert event.delivered_at is not None


def test_running_redelivery_again_doubles_nothing(db: Any, subscribe: Any, run_events: Any) -> None:
    recorder = subscribe("tests.recorder")
    recorder.fail = True
    with run_events():
        event = _record()
    recorder.fail = False
    events.redeliver_pending(grace_seconds=0)

    assert events.redeliver_pending(grace_seconds=0) == 0
    assert events.dispatch([event.pk]) == 0
    assert recorder.seen == [event.pk]
    assert EventDelivery.objects.filter(event=event, subscriber="tests.recorder").count() == 1


def test_an_acknowledged_delivery_is_skipped_even_if_the_event_is_still_pending(
    db: Any, subscribe: Any, run_events: Any
) -> None:
    # Another worker acknowledged the delivery but crashed before marking the event done.
    recorder = subscribe("tests.recorder")
    event = _record()
    EventDelivery.objects.create(event=event, subscriber="tests.recorder")

    events.redeliver_pending(grace_seconds=0)

    assert recorder.seen == []
    event.refresh_from_db()
    assert event.delivered_at is not None


def test_redelivery_leaves_fresh_events_to_the_after_commit_dispatch(db: Any, subscribe: Any) -> None:
    recorder = subscribe("tests.recorder")
    fresh = _record()
    old = _record()
    DomainEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=1))

    events.redeliver_pending(grace_seconds=5)

    assert recorder.seen == [old.pk]
    fresh.refresh_from_db()
    assert fresh.delivered_at is None


def test_redelivery_goes_in_event_order_and_respects_the_limit(db: Any, subscribe: Any) -> None:
    recorder = subscribe("tests.recorder")
    recorded = [_record(n=n).pk for n in range(5)]

    events.redeliver_pending(grace_seconds=0, limit=3)
    assert recorder.seen == recorded[:3]

    events.redeliver_pending(grace_seconds=0, limit=3)
    assert recorder.seen == recorded


# --- the real crash: SIGKILL in the middle of a delivery ---------------------------------


@pytest.fixture
def child_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for the child processes: a file-based SQLite database in a temp dir, or,
    when the suite runs on PostgreSQL, a fresh database on the same server (dropped after)."""
    env = {
        **os.environ,
        "LABORA_DATA_DIR": str(tmp_path),
        "LABORA_TESTING": "1",
        "DJANGO_SETTINGS_MODULE": "labora.settings",
        "PYTHONUNBUFFERED": "1",
    }
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        env.pop("DATABASE_URL", None)
        yield env
        return

    import dj_database_url
    import psycopg

    conf = dj_database_url.parse(url)
    name = f"labora_outbox_{secrets.token_hex(4)}"
    admin = psycopg.connect(
        dbname="postgres",
        user=conf["USER"] or None,
        password=conf["PASSWORD"] or None,
        host=conf["HOST"] or None,
        port=conf["PORT"] or None,
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    try:
        yield env
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _child(mode: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHILD), mode], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("scenario", ["crash-in-worker", "crash-in-commit"])
def test_killing_delivery_midway_loses_nothing_and_doubles_nothing(scenario: str, child_env: dict[str, str]) -> None:
    # Given 20 committed events, a process dies by SIGKILL while delivering event 11
    crashed = _child(scenario, child_env)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr

    # When another process re-delivers what is pending (twice)
    done = _child("redeliver", child_env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)

    # Then before: 1..10 were done, and the half-done delivery of 11 left no trace
    before, after = report["before"], report["after"]
    ids = before["event_ids"]
    assert before["numbers"] == list(range(1, 21))
    assert before["hits"] == dict.fromkeys(ids[:10], 1)
    assert before["undelivered"] == 10
    assert before["deliveries"] == 10
    # and after: each of the 20 events was handled exactly once and all are acknowledged
    assert after["hits"] == dict.fromkeys(ids, 1)
    assert after["undelivered"] == 0
    assert after["deliveries"] == 20
    assert after["distinct_deliveries"] == 20
    assert report["second_pass_ran"] == 0


def test_a_dispatch_that_breaks_after_commit_does_not_fail_the_caller(
    db: Any, subscribe: Any, run_events: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = subscribe("tests.recorder")

    def database_gone(event_ids: Any) -> int:
        raise ConnectionError("database went away")

    monkeypatch.setattr(events, "dispatch", database_gone)
    with run_events():
        event = _record()  # no exception reaches the caller: its change is committed
    monkeypatch.undo()

    event.refresh_from_db()
    assert event.delivered_at is None
    events.redeliver_pending(grace_seconds=0)
    assert recorder.seen == [event.pk]
