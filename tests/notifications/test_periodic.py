"""The digest tick runs from the worker (core.worker.PERIODIC) and from `labora digest`."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from labora.core import worker
from labora.notifications import tasks
from labora.notifications.models import EmailMode, EmailSettings
from labora.web.activity_text import sentence_text
from labora.work import services as work
from tests.notifications.conftest import Team


def test_the_worker_runs_the_digest_tick_at_most_once_a_minute(monkeypatch: Any, db: Any) -> None:
    assert tasks.periodic_digest_tick in worker.PERIODIC
    calls: list[int] = []
    monkeypatch.setattr(tasks, "digest_tick", lambda: calls.append(1) or 0)
    monkeypatch.setattr(tasks, "_last_tick", 0.0)

    w = worker.LaboraWorker()
    w.tick()
    w.tick()

    assert calls == [1]


def test_daily_digests_wait_a_day_and_the_command_queues_them(team: Team, run_events: Any) -> None:
    EmailSettings.objects.create(user=team.alice, mode=EmailMode.DAILY, last_digest_at=timezone.now())
    with run_events():
        work.task_update(actor=team.owner, task=team.task, assignee="alice@example.com")

    out = StringIO()
    call_command("digest", stdout=out)
    assert out.getvalue().strip() == "queued 0 e-mail job(s)"
    assert mail.outbox == []

    EmailSettings.objects.filter(user=team.alice).update(last_digest_at=timezone.now() - datetime.timedelta(days=1))
    call_command("digest", stdout=out)
    assert "queued 1 e-mail job(s)" in out.getvalue()
    [message] = mail.outbox
    assert message.subject == "[Acme] Your daily digest: 1 notification"
    assert message.to == ["alice@example.com"]


def test_watching_a_project_reads_well_in_the_activity_feed(team: Team, run_events: Any) -> None:
    from labora.collaboration.models import ActivityEntry
    from labora.notifications.services import project_unwatch, project_watch

    with run_events():
        project_watch(actor=team.alice, project=team.project)
        project_unwatch(actor=team.alice, project=team.project)
    entries = ActivityEntry.objects.filter(name__startswith="project.watcher").order_by("id")
    assert [sentence_text(e) for e in entries] == [
        "Alice Adams started watching the project OPS Operations",
        "Alice Adams stopped watching the project OPS Operations",
    ]
