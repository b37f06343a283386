"""Progress of background jobs: a job reports `done` of `total` steps as it goes; the page that
polls the job reads it and draws a percentage bar instead of only the elapsed time.

Rows are removed a week after a job's last report (prune_progress, from the worker's tick).

report_progress is called from inside a job's loop, possibly many times a second: it writes at
most every THROTTLE_SECONDS per job (the first and the last report always go through), so a job
that reports each of its 10,000 steps costs a handful of writes. It writes on the job's own
connection: a report made inside a transaction is seen when that transaction commits.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from django.utils import timezone

from labora.core.models import JobProgress

THROTTLE_SECONDS = 0.25  # at most ~4 writes a second per job
KEEP_FOR = timedelta(days=7)  # a job's progress row is removed this long after its last report
PRUNE_EVERY_SECONDS = 3600.0  # prune_progress runs at most this often per process
MAX_TRACKED = 1000  # jobs whose last write time is kept (per process)

_clock = time.monotonic  # tests replace it
_last_write: dict[str, float] = {}
_lock = threading.Lock()
_last_prune: float | None = None


def report_progress(job_id: str, done: int, total: int) -> bool:
    """Record that job `job_id` has done `done` of `total` steps; True when written (False when
    throttled: the previous write of this job was less than THROTTLE_SECONDS ago)."""
    if not job_id:
        return False
    total = max(0, int(total))
    done = max(0, min(int(done), total)) if total else max(0, int(done))
    finished = total > 0 and done >= total
    now = _clock()
    with _lock:
        last = _last_write.get(job_id)
        if last is not None and now - last < THROTTLE_SECONDS and not finished:
            return False
        if finished:
            _last_write.pop(job_id, None)
        else:
            _last_write[job_id] = now
            if len(_last_write) > MAX_TRACKED:  # jobs that died before their last report
                for stale in [k for k, t in _last_write.items() if now - t > 3600]:
                    del _last_write[stale]
    JobProgress.objects.update_or_create(
        job_id=str(job_id)[:64], defaults={"done": done, "total": total, "updated_at": timezone.now()}
    )
    return True


def job_progress(job_id: str) -> JobProgress | None:
    """The last progress job `job_id` reported, or None before its first report. Callers have
    checked that the job is the user's (the job id is not a secret on its own)."""
    if not job_id:
        return None
    return JobProgress.objects.filter(job_id=str(job_id)[:64]).first()


def prune_progress(*, force: bool = False) -> int:
    """Remove the progress of jobs that last reported more than KEEP_FOR ago (their pages have
    long stopped polling); runs from the worker's tick (core.worker.PERIODIC), at most every
    PRUNE_EVERY_SECONDS unless `force`. Returns how many rows were removed."""
    global _last_prune
    now = _clock()
    if not force and _last_prune is not None and now - _last_prune < PRUNE_EVERY_SECONDS:
        return 0
    _last_prune = now
    removed, _ = JobProgress.objects.filter(updated_at__lt=timezone.now() - KEEP_FOR).delete()
    return removed
