"""Baselines: POST/GET .../projects/{key}/baselines, GET one with variance, DELETE."""

from __future__ import annotations

import datetime
from typing import Any

from labora.planning.models import Baseline, BaselineTask
from labora.work import services as work_services
from tests.planning_django.conftest import WS, event_names

D = datetime.date


def _planned(make_task: Any, link: Any) -> tuple[Any, Any]:
    a = make_task("A", 3, start_date=D(2025, 1, 6), due_date=D(2025, 1, 8), estimate_hours=24)
    b = make_task("B", 2, start_date=D(2025, 1, 9), due_date=D(2025, 1, 10), estimate_hours=16)
    link(a, b)
    return a, b


def test_a_baseline_snapshots_every_task(api: Any, make_task: Any, link: Any) -> None:
    _planned(make_task, link)
    response = api.post_json(f"{WS}/projects/PLN/baselines", {"name": "Approved plan"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["start_date"], body["finish_date"], body["created_by"]) == (
        "Approved plan",
        "2025-01-06",
        "2025-01-10",
        "owner@example.com",
    )
    rows = {r.task.title: r for r in BaselineTask.objects.select_related("task")}
    assert (rows["A"].start_date, rows["A"].finish_date, rows["A"].duration_days, rows["A"].estimate_minutes) == (
        D(2025, 1, 6),
        D(2025, 1, 8),
        3,
        1440,
    )
    listed = api.get(f"{WS}/projects/PLN/baselines").json()
    assert [b["name"] for b in listed["items"]] == ["Approved plan"]
    assert "baseline.created" in event_names()


def test_variance_per_task_and_for_the_project(api: Any, user: Any, make_task: Any, link: Any) -> None:
    a, b = _planned(make_task, link)
    baseline_id = api.post_json(f"{WS}/projects/PLN/baselines", {"name": "v1"}).json()["id"]
    # A slips by two working days (over the weekend) and takes a day longer; B grows by 4 hours
    work_services.task_update(actor=user, task=a, start_date=D(2025, 1, 8), due_date=D(2025, 1, 13), duration_days=4)
    work_services.task_update(actor=user, task=b, start_date=D(2025, 1, 14), due_date=D(2025, 1, 15), estimate_hours=20)
    make_task("Added later", 1)
    body = api.get(f"{WS}/projects/PLN/baselines/{baseline_id}").json()
    tasks = {t["key"]: t for t in body["tasks"]}
    assert {
        k: tasks["PLN-1"][k] for k in ("start_variance_days", "finish_variance_days", "duration_variance_days")
    } == {
        "start_variance_days": 2,
        "finish_variance_days": 3,
        "duration_variance_days": 1,
    }
    assert tasks["PLN-2"]["estimate_variance_hours"] == 4.0
    assert tasks["PLN-2"]["finish_variance_days"] == 3
    assert tasks["PLN-3"]["in_baseline"] is False
    assert tasks["PLN-3"]["start_variance_days"] is None
    assert (body["current_start"], body["current_finish"]) == ("2025-01-08", "2025-01-15")
    assert (body["start_variance_days"], body["finish_variance_days"], body["duration_variance_days"]) == (2, 3, 1)
    assert (body["baseline_estimate_hours"], body["estimate_hours"], body["estimate_variance_hours"]) == (
        40.0,
        44.0,
        4.0,
    )


def test_baseline_names_are_unique_per_project_and_deleting_frees_them(api: Any, make_task: Any) -> None:
    make_task("A")
    first = api.post_json(f"{WS}/projects/PLN/baselines", {"name": "Plan"}).json()
    taken = api.post_json(f"{WS}/projects/PLN/baselines", {"name": "plan"})
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "name_taken")
    assert api.delete(f"{WS}/projects/PLN/baselines/{first['id']}").status_code == 204
    assert api.get(f"{WS}/projects/PLN/baselines/{first['id']}").status_code == 404
    assert api.post_json(f"{WS}/projects/PLN/baselines", {"name": "Plan"}).status_code == 201
    assert Baseline.objects.count() == 1
    assert api.post_json(f"{WS}/projects/PLN/baselines", {"name": "  "}).status_code == 422


def test_only_managers_save_or_delete_baselines(contributor: Any, api_for: Any, api: Any, make_task: Any) -> None:
    make_task("A")
    saved = api.post_json(f"{WS}/projects/PLN/baselines", {"name": "Plan"}).json()
    client = api_for(contributor)
    assert client.post_json(f"{WS}/projects/PLN/baselines", {"name": "Mine"}).status_code == 403
    assert client.delete(f"{WS}/projects/PLN/baselines/{saved['id']}").status_code == 403
    assert client.get(f"{WS}/projects/PLN/baselines/{saved['id']}").status_code == 200
    assert list(Baseline.objects.values_list("name", flat=True)) == ["Plan"]


def test_reading_a_baseline_costs_the_same_for_2_or_12_tasks(
    api: Any, make_task: Any, link: Any, django_assert_max_num_queries: Any
) -> None:
    _planned(make_task, link)
    baseline_id = api.post_json(f"{WS}/projects/PLN/baselines", {"name": "v1"}).json()["id"]
    with django_assert_max_num_queries(20) as small:
        api.get(f"{WS}/projects/PLN/baselines/{baseline_id}")
    for i in range(10):
        make_task(f"More {i}", 2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(api.get(f"{WS}/projects/PLN/baselines/{baseline_id}").json()["tasks"]) == 12
