"""The Gantt chart's data under /api/v1/workspaces/{ws}/projects/{key}/gantt (read only).

The chart page (planning/views/gantt.py) fetches it on load and again after every change; the
changes themselves go through the ordinary routes (PATCH a task's dates or duration, POST/DELETE a
dependency, POST .../schedule), so they are version-checked and recorded like any other write.
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router
from pydantic import BaseModel, ConfigDict

from labora.planning import gantt
from labora.work import selectors as work_selectors
from labora.work.api import _scope
from labora.work.query_compiler import user_today

router = Router(tags=["planning"])


class Schema(BaseModel):
    """Plain pydantic models, read from the selector's dataclasses: ninja's Schema wraps every
    value of every row in a Django-aware getter, which costs more than the read itself at
    2,000 rows (bench/gantt.py)."""

    model_config = ConfigDict(from_attributes=True)


class GanttRowOut(Schema):
    key: str
    title: str
    parent: str | None = Field(..., description="the key of the summary task above it")
    depth: int = Field(..., description="0 = a top-level task")
    summary: bool = Field(..., description="has subtasks: its bar spans them")
    milestone: bool
    start: datetime.date | None = Field(..., description="null = not scheduled yet")
    finish: datetime.date | None = Field(..., description="inclusive")
    duration_days: int = Field(..., description="working days (0 = milestone)")
    progress: int = Field(..., description="percent done")
    status: str
    category: str
    manual: bool = Field(..., description="manually scheduled: keeps its own dates")
    critical: bool
    total_float_days: int | None
    free_float_days: int | None
    early_start: datetime.date | None
    early_finish: datetime.date | None
    late_start: datetime.date | None
    late_finish: datetime.date | None
    baseline_start: datetime.date | None = Field(..., description="in the chosen baseline (null: none chosen)")
    baseline_finish: datetime.date | None
    version: int = Field(..., description="of the task: send it back as If-Match when changing it")


class GanttLinkOut(Schema):
    id: str
    predecessor: str
    successor: str
    type: str
    lag_days: int
    version: int


class GanttCalendarOut(Schema):
    working_days: list[str]
    holidays: list[datetime.date]
    holiday_names: dict[str, str] = Field(
        ..., description='the named holidays\' names: {"2026-12-25": "Christmas Day"}'
    )
    extra_working_days: list[datetime.date]


class GanttBaselineOut(Schema):
    id: str
    name: str
    created_at: datetime.datetime


class GanttOut(Schema):
    project: str
    name: str
    start_date: datetime.date | None
    finish_date: datetime.date | None = Field(..., description="of the last schedule")
    auto_schedule: bool
    today: datetime.date = Field(..., description="in the caller's time zone")
    calendar: GanttCalendarOut
    baselines: list[GanttBaselineOut]
    baseline: str | None = Field(..., description="the baseline whose dates the rows carry")
    rows: list[GanttRowOut] = Field(..., description="every live task, in outline order")
    links: list[GanttLinkOut] = Field(..., description="dependencies between them")


@router.get(
    "/workspaces/{ws}/projects/{key}/gantt",
    response=GanttOut,
    summary="A project's Gantt chart: tasks in outline order, schedule, a baseline, dependencies, calendar",
)
def project_gantt(
    request: HttpRequest,
    ws: str,
    key: str,
    baseline: str | None = Query(None, max_length=40, description="a baseline id: its dates ride along"),
) -> HttpResponse:
    user, workspace = _scope(request, ws)
    project = work_selectors.project_get(user=user, workspace=workspace, key=key)
    data = gantt.gantt_rows(project=project, baseline_id=baseline or None)
    body = GanttOut.model_validate(
        {
            "project": project.key,
            "name": project.name,
            "start_date": project.start_date,
            "finish_date": data.finish_date,
            "auto_schedule": data.auto_schedule,
            "today": user_today(user),
            "calendar": {
                "working_days": data.calendar.working_days,
                "holidays": data.calendar.holidays,
                "holiday_names": {d.isoformat(): n for d, n in data.calendar.holiday_names.items()},
                "extra_working_days": data.calendar.extra_working_days,
            },
            "baselines": [{"id": b.public_id, "name": b.name, "created_at": b.created_at} for b in data.baselines],
            "baseline": data.baseline.public_id if data.baseline else None,
            "rows": data.rows,
            "links": data.links,
        }
    )
    # Validated against GanttOut above; serialised by pydantic-core in one call (ninja's JSON
    # renderer would encode 12,000 dates one by one on a 2,000-task chart).
    return HttpResponse(body.model_dump_json(), content_type="application/json")
