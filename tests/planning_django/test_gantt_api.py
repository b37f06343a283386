"""GET /workspaces/{ws}/projects/{key}/gantt: what the Gantt chart draws."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest

from labora.planning import services
from labora.work import services as work_services
from labora.work.models import Project, Task
from tests import factories
from tests.planning_django.conftest import WS

D = datetime.date


@pytest.fixture
def plan(user: Any, project: Project, make_task: Any, link: Any) -> dict[str, Task]:
    """A summary S over A (3d) and B (2d, FS after A); M a milestone after S; C a free task.
    Scheduled from Monday 6 January 2025: A Mon-Wed, B Thu-Fri, M Fri 10."""
    s = make_task("Summary", None)
    a = make_task("A", 3, parent=s.key)
    b = make_task("B", 2, parent=s.key)
    m = make_task("M", 0, type="milestone")
    c = make_task("C", 1)
    link(a, b)
    link(s, m)
    services.project_schedule(actor=user, project=project)
    return {"S": s, "A": a, "B": b, "M": m, "C": c}


def test_rows_come_in_outline_order_with_the_schedule(api: Any, plan: dict[str, Task]) -> None:
    response = api.get(f"{WS}/projects/PLN/gantt")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(r["key"], r["depth"], r["parent"]) for r in body["rows"]] == [
        ("PLN-1", 0, None),
        ("PLN-2", 1, "PLN-1"),
        ("PLN-3", 1, "PLN-1"),
        ("PLN-4", 0, None),
        ("PLN-5", 0, None),
    ]
    rows = {r["key"]: r for r in body["rows"]}
    assert (rows["PLN-1"]["start"], rows["PLN-1"]["finish"], rows["PLN-1"]["summary"]) == (
        "2025-01-06",
        "2025-01-10",
        True,
    )
    assert (rows["PLN-2"]["start"], rows["PLN-2"]["finish"], rows["PLN-2"]["duration_days"]) == (
        "2025-01-06",
        "2025-01-08",
        3,
    )
    assert (rows["PLN-3"]["start"], rows["PLN-3"]["finish"]) == ("2025-01-09", "2025-01-10")
    assert (rows["PLN-4"]["milestone"], rows["PLN-4"]["start"], rows["PLN-4"]["finish"]) == (
        True,
        "2025-01-10",
        "2025-01-10",
    )
    assert rows["PLN-2"]["critical"] is True
    assert rows["PLN-2"]["total_float_days"] == 0
    assert rows["PLN-5"]["critical"] is False
    assert rows["PLN-5"]["total_float_days"] == 4
    assert rows["PLN-5"]["late_start"] == "2025-01-10"
    assert [(k["predecessor"], k["successor"], k["type"]) for k in body["links"]] == [
        ("PLN-2", "PLN-3", "FS"),
        ("PLN-1", "PLN-4", "FS"),
    ]
    assert body["calendar"] == {
        "working_days": ["mon", "tue", "wed", "thu", "fri"],
        "holidays": [],
        "holiday_names": {},
        "extra_working_days": [],
    }
    assert (body["project"], body["start_date"], body["finish_date"], body["baseline"]) == (
        "PLN",
        "2025-01-06",
        "2025-01-10",
        None,
    )


def test_a_chosen_baseline_rides_along(user: Any, api: Any, project: Project, plan: dict[str, Task]) -> None:
    baseline = services.baseline_create(actor=user, project=project, name="Signed off")
    work_services.task_update(
        actor=user, task=Task.objects.get(pk=plan["C"].pk), start_date=D(2025, 1, 8), due_date=D(2025, 1, 8)
    )
    body = api.get(f"{WS}/projects/PLN/gantt?baseline={baseline.public_id}").json()
    assert body["baseline"] == baseline.public_id
    assert [b["name"] for b in body["baselines"]] == ["Signed off"]
    c = next(r for r in body["rows"] if r["key"] == "PLN-5")
    assert (c["start"], c["baseline_start"], c["baseline_finish"]) == ("2025-01-08", "2025-01-06", "2025-01-06")
    without = api.get(f"{WS}/projects/PLN/gantt").json()
    assert next(r for r in without["rows"] if r["key"] == "PLN-5")["baseline_start"] is None


def test_an_unknown_baseline_is_404_with_how_to_fix_it(api: Any, plan: dict[str, Task]) -> None:
    response = api.get(f"{WS}/projects/PLN/gantt?baseline=nope")
    assert response.status_code == 404
    assert "GET /api/v1/workspaces/{ws}/projects/PLN/baselines" in response.json()["error"]["message"]


def test_an_unscheduled_task_has_no_dates_and_a_done_one_full_progress(
    api: Any, user: Any, project: Project, make_task: Any
) -> None:
    make_task("Loose", None)
    done = make_task("Finished", 1, start_date=D(2025, 1, 6), due_date=D(2025, 1, 6))
    work_services.task_update(actor=user, task=done, status="Done", version=done.version)
    rows = {r["key"]: r for r in api.get(f"{WS}/projects/PLN/gantt").json()["rows"]}
    assert (rows["PLN-1"]["start"], rows["PLN-1"]["finish"], rows["PLN-1"]["progress"]) == (None, None, 0)
    assert (rows["PLN-2"]["progress"], rows["PLN-2"]["category"]) == (100, "done")


def test_the_chart_costs_the_same_queries_for_5_or_60_tasks(
    api: Any, user: Any, project: Project, make_task: Any, link: Any, django_assert_max_num_queries: Any
) -> None:
    def grow(n: int) -> None:
        tasks = [make_task(f"T{i}", 1) for i in range(n)]
        for first, second in itertools.pairwise(tasks):
            link(first, second)

    grow(5)
    services.baseline_create(actor=user, project=project, name="B1")
    baseline = services.baseline_create(actor=user, project=project, name="B2")
    url = f"{WS}/projects/PLN/gantt?baseline={baseline.public_id}"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert api.get(url).status_code == 200
    grow(55)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = api.get(url).json()
    assert len(body["rows"]) == 60
    assert len(body["links"]) == 58


def test_outsiders_get_404_and_viewers_can_read(api_for: Any, viewer: Any, plan: dict[str, Task]) -> None:
    stranger = factories.make_user(email="stranger@example.com")
    factories.make_workspace(owner=stranger, slug="other", name="Other")
    assert api_for(stranger).get(f"{WS}/projects/PLN/gantt").status_code == 404
    assert api_for(viewer).get(f"{WS}/projects/PLN/gantt").status_code == 200


def test_the_chart_carries_the_holidays_names(user: Any, api: Any, project: Project, plan: dict[str, Task]) -> None:
    services.calendar_set_project(
        actor=user,
        project=project,
        working_days=["mon", "tue", "wed", "thu", "fri"],
        holidays=[datetime.date(2025, 1, 8), datetime.date(2025, 1, 9)],
        holiday_names={datetime.date(2025, 1, 8): "Founders' Day"},
    )
    calendar = api.get(f"{WS}/projects/PLN/gantt").json()["calendar"]
    assert calendar["holidays"] == ["2025-01-08", "2025-01-09"]
    assert calendar["holiday_names"] == {"2025-01-08": "Founders' Day"}
