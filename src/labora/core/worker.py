"""The background worker loop, shared by `labora worker` and the worker inside `labora serve`.

Every `interval` seconds one *tick*:

1. runs the ready tasks of every django-tasks database backend (the task execution and
   result bookkeeping are django-tasks-db's own `Worker.run_task`; only the polling loop is
   ours, so an idle tick costs one indexed read instead of a write lock and two log lines);
2. re-delivers domain events whose subscribers have not acknowledged them
   (`labora.core.events.redeliver_pending`);
3. refreshes this worker's `WorkerHeartbeat` row, which `/api/v1/health` reads.

A failure in one step is logged and the loop goes on: a worker that dies on a bad row
helps nobody.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from datetime import timedelta
from types import FrameType
from typing import Any

from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone

from labora.core import events
from labora.core.models import WorkerHeartbeat

logger = logging.getLogger("labora.worker")

# The heartbeat is a write; on SQLite every write takes the database lock, so refresh it
# well inside the 30 s /api/v1/health window but not on every tick.
HEARTBEAT_EVERY_SECONDS = 5.0
# Rows of workers not seen for this long (restarted processes) are removed.
HEARTBEAT_FORGET_AFTER = timedelta(days=1)
# Tasks run per backend in one tick, so events and heartbeats are not starved by a backlog.
TASKS_PER_TICK = 50
# Periodic jobs of the apps (each throttles itself), e.g. notification digests; added in AppConfig.ready().
PERIODIC: list[Any] = []


def make_worker_id(*, embedded: bool) -> str:
    """`host:pid:embedded|standalone` — unique per running process and readable in the admin."""
    kind = "embedded" if embedded else "standalone"
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{kind}"


class LaboraWorker:
    """One worker: `tick()` once, or `run()` until `stop()`."""

    def __init__(self, *, interval: float = 1.0, embedded: bool = False) -> None:
        self.interval = max(0.05, float(interval))
        self.embedded = embedded
        self.worker_id = make_worker_id(embedded=embedded)
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._last_heartbeat = 0.0
        self._ticks = 0

    # --- lifecycle -----------------------------------------------------------------------

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        """Tick every `interval` seconds until `stop()`; closes this thread's connection at the end."""
        logger.info("worker started", extra={"worker_id": self.worker_id, "interval": self.interval})
        try:
            while not self._stop.is_set():
                self.tick()
                self._stop.wait(self.interval)
        finally:
            logger.info("worker stopped", extra={"worker_id": self.worker_id})
            connection.close()

    def tick(self) -> dict[str, int]:
        """One round of work; returns what it did (for logs and tests). Never raises."""
        self._ticks += 1
        _refresh_connection()
        done = {"tasks": 0, "events": 0}
        done["tasks"] = self._step("tasks", self.run_tasks)
        done["events"] = self._step("events", events.redeliver_pending)
        for job in PERIODIC:
            self._step(getattr(job, "__name__", "periodic"), job)
        self._step("heartbeat", self.heartbeat)
        return done

    def _step(self, name: str, fn: Any) -> int:
        try:
            return int(fn() or 0)
        except Exception:
            logger.exception("worker step failed", extra={"step": name, "worker_id": self.worker_id})
            _refresh_connection()  # a broken connection must not poison the next steps or ticks
            return 0

    # --- the steps -----------------------------------------------------------------------

    def run_tasks(self) -> int:
        """Run up to TASKS_PER_TICK ready tasks of each database task backend."""
        ran = 0
        for backend_name in database_task_backends():
            ran += run_ready_tasks(backend_name=backend_name, worker_id=self.worker_id, limit=TASKS_PER_TICK)
            if self._stop.is_set():
                break
        return ran

    def heartbeat(self, *, force: bool = False) -> int:
        now_mono = time.monotonic()
        if not force and self._last_heartbeat and now_mono - self._last_heartbeat < HEARTBEAT_EVERY_SECONDS:
            return 0
        now = timezone.now()
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"seen_at": now},
            create_defaults={
                "seen_at": now,
                "hostname": socket.gethostname()[:200],
                "pid": os.getpid(),
                "embedded": self.embedded,
                "started_at": self.started_at,
            },
        )
        self._last_heartbeat = now_mono
        if self._ticks % 600 == 1:
            WorkerHeartbeat.objects.filter(seen_at__lt=now - HEARTBEAT_FORGET_AFTER).delete()
        return 1


def _refresh_connection() -> None:
    """Like at the start of a request: drop a connection past CONN_MAX_AGE or broken. Never
    inside a caller's transaction (`--once` from a test, or a tick run by other code)."""
    if not connection.in_atomic_block:
        close_old_connections()


def database_task_backends() -> list[str]:
    """Aliases of the configured task backends that store tasks in the database."""
    from django.conf import settings
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import task_backends

    return [alias for alias in getattr(settings, "TASKS", {}) if isinstance(task_backends[alias], DatabaseBackend)]


def run_ready_tasks(*, backend_name: str, worker_id: str, limit: int) -> int:
    """Claim and run ready tasks one at a time, like `db_worker --batch`, at most `limit`."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

    runner = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=backend_name,
        startup_delay=False,
        max_tasks=limit,
        worker_id=worker_id[:64],
        excluded_queue_names=[],
    )
    ran = 0
    while ran < limit:
        ready = DBTaskResult.objects.ready().filter(backend_name=backend_name)
        # Cheap read first: claiming takes the write lock (BEGIN EXCLUSIVE on SQLite).
        if not ready.exists():
            break
        try:
            with exclusive_transaction(ready.db):
                task_result = ready.get_locked()
                if task_result is not None:
                    task_result.claim(runner.worker_id)
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                break  # someone else holds the lock; try again next tick
            raise
        if task_result is None:
            break
        runner.run_task(task_result)  # records success or failure on the row itself
        ran += 1
    return ran


# --- running it ---------------------------------------------------------------------------


def start_embedded(*, interval: float = 1.0) -> tuple[LaboraWorker, threading.Thread]:
    """Start a worker in a daemon thread of this process (used by `labora serve`)."""
    worker = LaboraWorker(interval=interval, embedded=True)
    thread = threading.Thread(target=worker.run, name="labora-worker", daemon=True)
    thread.start()
    return worker, thread


def run_standalone(*, interval: float = 1.0) -> LaboraWorker:
    """Run a worker in the foreground until SIGTERM/SIGINT (a second signal forces the exit)."""
    worker = LaboraWorker(interval=interval, embedded=False)

    def graceful(signum: int, frame: FrameType | None) -> None:
        if worker.stopping:
            raise SystemExit(1)
        logger.warning(
            "stopping after the current step (signal again to force)", extra={"signal": signal.strsignal(signum)}
        )
        worker.stop()

    previous = {sig: signal.signal(sig, graceful) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        worker.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return worker
