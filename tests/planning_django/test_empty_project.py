"""A project without tasks: every planning route answers sensibly (no 500)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.planning_django.conftest import WS


def test_an_empty_project_schedules_forecasts_exports_and_reimports(api: Any, project: Any) -> None:
    schedule = api.post_json(f"{WS}/projects/PLN/schedule")
    assert schedule.status_code == 200, schedule.content
    assert schedule.json() == {
        "start_date": "2025-01-06",
        "finish_date": "2025-01-06",
        "critical_path": [],
        "tasks": [],
        "conflicts": [],
    }
    forecast = api.get(f"{WS}/projects/PLN/forecast?runs=10")
    assert forecast.status_code == 200, forecast.content
    assert forecast.json()["criticality"] == []
    baseline = api.post_json(f"{WS}/projects/PLN/baselines", {"name": "Empty"})
    assert baseline.status_code == 201
    detail = api.get(f"{WS}/projects/PLN/baselines/{baseline.json()['id']}").json()
    assert (detail["tasks"], detail["finish_variance_days"]) == ([], None)
    exported = api.get(f"{WS}/projects/PLN/export/mspdi")
    assert exported.status_code == 200
    again = api.post(
        f"{WS}/projects/import/mspdi", {"file": SimpleUploadedFile("e.xml", exported.content), "key": "EMPTY"}
    )
    assert again.status_code == 201, again.content
    assert again.json()["tasks"] == 0
