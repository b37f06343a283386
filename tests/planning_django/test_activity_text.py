"""Planning events read as sentences in activity feeds, from the events the services record."""

from __future__ import annotations

from typing import Any

from labora.collaboration.models import ActivityEntry
from labora.planning import services
from labora.web.activity_text import sentence_text


def test_planning_events_read_as_sentences(user: Any, project: Any, make_task: Any, run_events: Any) -> None:
    a, b = make_task("A", 2), make_task("B", 1)
    with run_events():
        dep = services.dependency_create(actor=user, task=b, predecessor=a.key, type="SS", lag_days=2)
        services.dependency_update(actor=user, dependency=dep, type="FF", lag_days=0)
        services.project_plan_update(actor=user, project=project, auto_schedule=True)
        services.project_schedule(actor=user, project=project)
        services.baseline_create(actor=user, project=project, name="Signed off")
        services.task_plan_update(actor=user, task=b, mode="manual")
        services.dependency_delete(actor=user, dependency=dep)
    names = ("dependency.", "project.scheduled", "project_plan.", "baseline.", "task_plan.")
    sentences = [
        sentence_text(e)
        for e in ActivityEntry.objects.select_related("actor").order_by("id")
        if e.name.startswith(names)
    ]
    assert sentences[:3] == [
        "Olivia Owner made PLN-2 depend on PLN-1 (start to start, lag +2 d)",
        "Olivia Owner changed the dependency of PLN-2 on PLN-1 to finish to finish",
        "Olivia Owner turned auto-scheduling on for PLN Plan",
    ]
    assert "Olivia Owner scheduled PLN Plan: 2 tasks moved, finish" in sentences[3]
    assert "Olivia Owner saved the baseline Signed off of PLN" in sentences
    assert "Olivia Owner set PLN-2 to be scheduled manually" in sentences
    assert sentences[-2] == "Olivia Owner removed the dependency of PLN-2 on PLN-1"
    # the events are delivered together when the block ends: one reschedule for all of them
    assert sentences[-1].startswith("Olivia Owner auto-scheduled PLN Plan: ")
    assert sum(s.startswith("Olivia Owner auto-scheduled") for s in sentences) == 1
