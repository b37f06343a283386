"""GET /workspaces/{ws}/projects/{key}/forecast: Monte Carlo finish dates."""

from __future__ import annotations

from typing import Any

from labora.work import services as work_services
from tests.planning_django.conftest import WS


def _network(make_task: Any, link: Any) -> None:
    a = make_task("Design", 3, estimate_optimistic_hours=16, estimate_likely_hours=24, estimate_pessimistic_hours=64)
    b = make_task("Build", 5, estimate_optimistic_hours=32, estimate_likely_hours=40, estimate_pessimistic_hours=120)
    c = make_task("Docs", 2)
    launch = make_task("Launch", 0)
    link(a, b)
    link(a, c)
    link(b, launch)
    link(c, launch)


def test_the_forecast_has_percentiles_milestones_histogram_and_criticality(
    api: Any, user: Any, project: Any, make_task: Any, link: Any
) -> None:
    work_services.project_update(actor=user, project=project, target_date=project.start_date.replace(day=20))
    _network(make_task, link)
    response = api.get(f"{WS}/projects/PLN/forecast?runs=500&method=pert&seed=7")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["runs"], body["method"], body["seed"]) == (500, "pert", 7)
    assert (body["start_date"], body["deterministic_finish"], body["target_date"]) == (
        "2025-01-06",
        "2025-01-15",
        "2025-01-20",
    )
    finish = body["finish"]
    assert body["deterministic_finish"] <= finish["p50"] <= finish["p80"] <= finish["p95"]
    assert [m["key"] for m in body["milestones"]] == ["PLN-4"]
    assert body["milestones"][0]["p95"] == finish["p95"]
    assert sum(b["count"] for b in body["histogram"]) == 500
    criticality = {c["key"]: c["index"] for c in body["criticality"]}
    assert criticality["PLN-1"] == 1.0
    assert criticality["PLN-3"] < criticality["PLN-2"]
    assert all(0 <= v <= 1 for v in criticality.values())


def test_the_same_seed_gives_the_same_forecast(api: Any, project: Any, make_task: Any, link: Any) -> None:
    _network(make_task, link)
    url = f"{WS}/projects/PLN/forecast?runs=300&method=triangular"
    first = api.get(f"{url}&seed=3").json()
    assert api.get(f"{url}&seed=3").json() == first
    assert api.get(url).json()["seed"] == 1
    assert any(api.get(f"{url}&seed={s}").json()["histogram"] != first["histogram"] for s in (4, 5, 6))


def test_without_three_point_estimates_the_forecast_is_the_schedule(
    api: Any, project: Any, make_task: Any, link: Any
) -> None:
    a, b = make_task("A", 3), make_task("B", 2)
    link(a, b)
    body = api.get(f"{WS}/projects/PLN/forecast?runs=50").json()
    assert body["finish"] == {"p50": "2025-01-10", "p80": "2025-01-10", "p95": "2025-01-10"}
    assert body["deterministic_finish"] == "2025-01-10"


def test_forecast_input_is_checked(api: Any, user: Any, workspace: Any, project: Any) -> None:
    assert api.get(f"{WS}/projects/PLN/forecast?runs=0").status_code == 422
    assert api.get(f"{WS}/projects/PLN/forecast?runs=10001").status_code == 422
    assert api.get(f"{WS}/projects/PLN/forecast?method=normal").status_code == 422
    work_services.project_create(actor=user, workspace=workspace, key="NOD", name="No date")
    assert api.get(f"{WS}/projects/NOD/forecast").json()["error"]["code"] == "no_start_date"
