"""Background jobs' progress rows: written throttled, read by the polling page, pruned a week
after the job's last report by the worker's tick."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from labora.core import jobs, worker
from labora.core.models import JobProgress

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "_last_prune", None)
    monkeypatch.setattr(jobs, "_last_write", {})


def test_progress_is_reported_and_read_back() -> None:
    assert jobs.report_progress("job-1", 3, 10) is True
    progress = jobs.job_progress("job-1")
    assert progress is not None
    assert (progress.done, progress.total, progress.percent) == (3, 10, 30)
    assert jobs.job_progress("nobody") is None


def test_rows_of_jobs_silent_for_a_week_are_pruned_by_the_worker_tick() -> None:
    jobs.report_progress("recent", 1, 2)
    jobs.report_progress("old", 2, 2)
    JobProgress.objects.filter(job_id="old").update(updated_at=timezone.now() - jobs.KEEP_FOR - timedelta(minutes=1))

    assert jobs.prune_progress in worker.PERIODIC
    worker.LaboraWorker(interval=1).tick()

    assert set(JobProgress.objects.values_list("job_id", flat=True)) == {"recent"}


def test_pruning_runs_at_most_once_an_hour_per_process(monkeypatch: Any) -> None:
    now = [1000.0]
    monkeypatch.setattr(jobs, "_clock", lambda: now[0])
    old = timezone.now() - jobs.KEEP_FOR - timedelta(days=1)
    JobProgress.objects.create(job_id="a", done=1, total=1, updated_at=old)
    assert jobs.prune_progress() == 1

    JobProgress.objects.create(job_id="b", done=1, total=1, updated_at=old)
    now[0] += jobs.PRUNE_EVERY_SECONDS / 2
    assert jobs.prune_progress() == 0  # too soon
    assert jobs.prune_progress(force=True) == 1
    JobProgress.objects.create(job_id="c", done=1, total=1, updated_at=old)
    now[0] += jobs.PRUNE_EVERY_SECONDS + 1
    assert jobs.prune_progress() == 1
