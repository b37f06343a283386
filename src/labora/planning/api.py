"""Planning under /api/v1/workspaces/{ws} (API.md "Planning"): dependencies, calendars, the
schedule, scheduling settings, baselines, the forecast, MS Project XML import and export."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from pydantic import BeforeValidator, WithJsonSchema

from labora.core.api_utils import current_serialiser, expected_version
from labora.core.errors import ValidationError
from labora.core.pagination import Page, paginate
from labora.planning import selectors, services
from labora.planning.models import Baseline, Dependency, ProjectPlan, TaskPlan, WorkCalendar
from labora.planning.mspdi.reader import MAX_BYTES
from labora.planning.mspdi_export import project_mspdi
from labora.work import selectors as work_selectors
from labora.work.api import Bool, Int, IsoDate, ProjectOut, _project, _scope
from labora.work.models import Task

router = Router(tags=["planning"])

PAGE = Query(1, ge=1)
PAGE_SIZE = Query(50, ge=1, le=200)
DependencyTypeName = Literal["FS", "SS", "FF", "SF"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ConstraintName = Literal["ASAP", "SNET", "SNLT", "FNET", "FNLT", "MSO", "MFO"]
LagDays = Annotated[int, Field(strict=True, ge=-10_000, le=10_000)]


# --- dependencies --------------------------------------------------------------------------------


class DependencyIn(Schema):
    predecessor: str = Field(..., min_length=1, max_length=30, description="the key of the task this one waits for")
    type: DependencyTypeName = Field("FS", description="FS finish-to-start, SS, FF, SF")
    lag_days: LagDays = Field(0, description="working days; negative = a lead")
    lag_elapsed: Bool = Field(False, description="count the lag in calendar days instead of working days")


class DependencyPatchIn(Schema):
    type: DependencyTypeName | None = None
    lag_days: LagDays | None = None
    lag_elapsed: Bool | None = None
    version: Int | None = None


class DependencyOut(Schema):
    id: str
    predecessor: str = Field(..., description="key of the task that comes first")
    successor: str = Field(..., description="key of the task that waits")
    direction: Literal["predecessor", "successor"] = Field(
        ..., description="what the other task is to the task in the path: its predecessor or its successor"
    )
    type: str
    lag_days: int
    lag_elapsed: bool
    version: int
    created_at: datetime.datetime


def _dependency(dep: Dependency, task: Task | None = None) -> dict[str, Any]:
    direction = "successor" if task is not None and dep.predecessor_id == task.pk else "predecessor"
    return {
        "id": dep.public_id,
        "predecessor": dep.predecessor.key,
        "successor": dep.successor.key,
        "direction": direction,
        "type": dep.type,
        "lag_days": dep.lag_days,
        "lag_elapsed": dep.lag_elapsed,
        "version": dep.version,
        "created_at": dep.created_at,
    }


def _json(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, (datetime.date, datetime.datetime)) else v for k, v in body.items()}


current_serialiser(Dependency)(lambda d: _json(_dependency(d)))


@router.get(
    "/workspaces/{ws}/tasks/{task_key}/dependencies",
    response=Page[DependencyOut],
    summary="A task's dependencies, both directions (what it waits for, what waits for it)",
)
def dependency_list(
    request: HttpRequest, ws: str, task_key: str, page: int = PAGE, page_size: int = PAGE_SIZE
) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    task = work_selectors.task_get(user=user, workspace=workspace, key=task_key)
    result = paginate(request, selectors.dependency_list(task=task), page=page, page_size=page_size)
    result["items"] = [_dependency(d, task) for d in result["items"]]
    return result


@router.post(
    "/workspaces/{ws}/tasks/{task_key}/dependencies",
    response={201: DependencyOut},
    summary="Make the task depend on another (422 dependency_cycle names the tasks on a cycle)",
)
def dependency_create(request: HttpRequest, ws: str, task_key: str, payload: DependencyIn) -> Status[dict[str, Any]]:
    user, workspace = _scope(request, ws)
    task = work_selectors.task_get(user=user, workspace=workspace, key=task_key)
    dep = services.dependency_create(actor=user, task=task, **payload.dict())
    return Status(201, _dependency(dep, task))


@router.patch(
    "/workspaces/{ws}/tasks/{task_key}/dependencies/{dependency_id}",
    response=DependencyOut,
    summary="Change a dependency's type or lag",
)
def dependency_update(
    request: HttpRequest, ws: str, task_key: str, dependency_id: str, payload: DependencyPatchIn
) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    task = work_selectors.task_get(user=user, workspace=workspace, key=task_key)
    dep = selectors.dependency_get(task=task, dependency_id=dependency_id)
    fields = payload.dict(exclude_unset=True)
    fields.pop("version", None)
    updated = services.dependency_update(
        actor=user, dependency=dep, version=expected_version(request, payload.version), **fields
    )
    return _dependency(updated, task)


@router.delete(
    "/workspaces/{ws}/tasks/{task_key}/dependencies/{dependency_id}",
    response={204: None},
    summary="Remove a dependency",
)
def dependency_delete(request: HttpRequest, ws: str, task_key: str, dependency_id: str) -> Status[None]:
    user, workspace = _scope(request, ws)
    task = work_selectors.task_get(user=user, workspace=workspace, key=task_key)
    services.dependency_delete(actor=user, dependency=selectors.dependency_get(task=task, dependency_id=dependency_id))
    return Status(204, None)


# --- calendars -------------------------------------------------------------------------------------


class HolidayIn(Schema):
    date: IsoDate
    name: str = Field("", max_length=100, description='e.g. "Christmas Day"; "" removes the name; left out = kept')


def _holiday_item(value: Any) -> Any:
    """A plain "YYYY-MM-DD" (the calendar's first format) is a holiday without a name."""
    return {"date": value} if isinstance(value, str) else value


# Either form in, one shape inside; the schema shows both (a date string or an object).
HolidayItem = Annotated[
    HolidayIn,
    BeforeValidator(_holiday_item),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "date"},
                {
                    "type": "object",
                    "properties": {
                        "date": {"type": "string", "format": "date"},
                        "name": {"type": "string", "maxLength": 100},
                    },
                    "required": ["date"],
                },
            ]
        }
    ),
]


class CalendarIn(Schema):
    working_days: list[Weekday] = Field(..., min_length=1, max_length=7, description='e.g. ["mon", ..., "fri"]')
    holidays: list[HolidayItem] = Field(
        default_factory=list,
        max_length=2000,
        description='non-working dates: "YYYY-MM-DD", or {"date": "YYYY-MM-DD", "name": "Christmas Day"} to name one',
    )
    extra_working_days: list[IsoDate] = Field(
        default_factory=list, max_length=2000, description="otherwise free days that are worked"
    )
    hours_per_day: Int = Field(8, ge=1, le=24, description="turns estimate hours into working days")
    version: Int | None = None


class CalendarOut(Schema):
    working_days: list[str]
    holidays: list[datetime.date]
    holiday_names: dict[str, str] = Field(
        ..., description='names of the named holidays, by date: {"2026-12-25": "Christmas Day"}'
    )
    extra_working_days: list[datetime.date]
    hours_per_day: int
    source: Literal["project", "workspace", "default"] = Field(
        ..., description="whose calendar this is: the project's own, the workspace's, or the default (Mon-Fri)"
    )
    version: int = Field(..., description="of the calendar row this endpoint writes; 0 = not set yet")


def _calendar(view: selectors.CalendarView, *, for_project: bool) -> dict[str, Any]:
    own = view.source == ("project" if for_project else "workspace")
    return {
        "working_days": view.working_days,
        "holidays": view.holidays,
        "holiday_names": {d.isoformat(): n for d, n in sorted(view.holiday_names.items())},
        "extra_working_days": view.extra_working_days,
        "hours_per_day": view.hours_per_day,
        "source": view.source,
        "version": view.version if own else 0,
    }


@current_serialiser(WorkCalendar)
def _calendar_current(row: WorkCalendar) -> dict[str, Any]:
    return {
        "working_days": row.working_days,
        "holidays": row.holidays,
        "holiday_names": row.holiday_names,
        "extra_working_days": row.extra_working_days,
        "hours_per_day": row.hours_per_day,
        "source": "project" if row.project_id else "workspace",
        "version": row.version,
    }


def _calendar_fields(payload: CalendarIn) -> dict[str, Any]:
    """The service's arguments: holidays as dates, the named ones' names beside them."""
    fields = payload.dict()
    fields.pop("version", None)
    holidays: list[datetime.date] = []
    names: dict[datetime.date, str] = {}
    for item in payload.holidays:
        holidays.append(item.date)
        if "name" in item.model_fields_set:  # a plain date keeps the name it has
            names[item.date] = item.name
    fields["holidays"] = holidays
    fields["holiday_names"] = names
    return fields


@router.get("/workspaces/{ws}/calendar", response=CalendarOut, summary="The workspace's working calendar")
def workspace_calendar_get(request: HttpRequest, ws: str) -> dict[str, Any]:
    _, workspace = _scope(request, ws)
    return _calendar(selectors.workspace_calendar(workspace=workspace), for_project=False)


@router.put("/workspaces/{ws}/calendar", response=CalendarOut, summary="Replace the workspace's working calendar")
def workspace_calendar_put(request: HttpRequest, ws: str, payload: CalendarIn) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    fields = _calendar_fields(payload)
    services.calendar_set_workspace(
        actor=user, workspace=workspace, version=expected_version(request, payload.version), **fields
    )
    return _calendar(selectors.workspace_calendar(workspace=workspace), for_project=False)


@router.get(
    "/workspaces/{ws}/projects/{key}/calendar",
    response=CalendarOut,
    summary="A project's working calendar (its own, else the workspace's)",
)
def project_calendar_get(request: HttpRequest, ws: str, key: str) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    project = work_selectors.project_get(user=user, workspace=workspace, key=key)
    return _calendar(selectors.project_calendar(project=project), for_project=True)


@router.put("/workspaces/{ws}/projects/{key}/calendar", response=CalendarOut, summary="Give a project its own calendar")
def project_calendar_put(request: HttpRequest, ws: str, key: str, payload: CalendarIn) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    project = work_selectors.project_get(user=user, workspace=workspace, key=key)
    fields = _calendar_fields(payload)
    services.calendar_set_project(
        actor=user, project=project, version=expected_version(request, payload.version), **fields
    )
    return _calendar(selectors.project_calendar(project=project), for_project=True)


@router.delete(
    "/workspaces/{ws}/projects/{key}/calendar",
    response={204: None},
    summary="Drop a project's own calendar (it uses the workspace's again)",
)
def project_calendar_delete(request: HttpRequest, ws: str, key: str) -> Status[None]:
    user, workspace = _scope(request, ws)
    project = work_selectors.project_get(user=user, workspace=workspace, key=key)
    services.calendar_reset_project(actor=user, project=project)
    return Status(204, None)


# --- scheduling settings ---------------------------------------------------------------------------


class ProjectPlanIn(Schema):
    auto_schedule: Bool | None = Field(None, description="reschedule after every change that can move dates")
    version: Int | None = None


class ProjectPlanOut(Schema):
    auto_schedule: bool
    scheduled_at: datetime.datetime | None
    finish_date: datetime.date | None = Field(..., description="the finish of the last schedule")
    critical_path: list[str] = Field(..., description="task keys, as last scheduled")
    version: int


def _project_plan(plan: ProjectPlan) -> dict[str, Any]:
    return {
        "auto_schedule": plan.auto_schedule,
        "scheduled_at": plan.scheduled_at,
        "finish_date": plan.finish_date,
        "critical_path": plan.critical_path,
        "version": plan.version,
    }


current_serialiser(ProjectPlan)(lambda p: _json(_project_plan(p)))


@router.get("/workspaces/{ws}/projects/{key}/plan", response=ProjectPlanOut, summary="A project's planning settings")
def project_plan_get(request: HttpRequest, ws: str, key: str) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    project = work_selectors.project_get(user=user, workspace=workspace, key=key)
    return _project_plan(selectors.project_plan(project=project))


@router.patch("/workspaces/{ws}/projects/{key}/plan", response=ProjectPlanOut, summary="Turn auto-scheduling on or off")
def project_plan_update(request: HttpRequest, ws: str, key: str, payload: ProjectPlanIn) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    project = work_selectors.project_get(user=user, workspace=workspace, key=key)
    plan = services.project_plan_update(
        actor=user,
        project=project,
        version=expected_version(request, payload.version),
        **payload.dict(exclude_unset=True, exclude={"version"}),
    )
    return _project_plan(plan)


class TaskPlanIn(Schema):
    mode: Literal["auto", "manual"] | None = Field(None, description="manual: the task keeps its own dates")
    constraint_type: ConstraintName | None = None
    constraint_date: IsoDate | None = None
    actual_start: IsoDate | None = None
    actual_finish: IsoDate | None = None
    version: Int | None = None


class TaskPlanOut(Schema):
    task: str
    mode: str
    constraint_type: str
    constraint_date: datetime.date | None
    actual_start: datetime.date | None
    actual_finish: datetime.date | None
    early_start: datetime.date | None = Field(..., description="computed by the last schedule, like the rest")
    early_finish: datetime.date | None
    late_start: datetime.date | None
    late_finish: datetime.date | None
    total_float_days: int | None
    free_float_days: int | None
    critical: bool
    conflicts: list[str]
    version: int = Field(..., description="0 = never changed")


def _task_plan(plan: TaskPlan, task: Task) -> dict[str, Any]:
    return {
        "task": task.key,
        "mode": plan.mode,
        "constraint_type": plan.constraint_type,
        "constraint_date": plan.constraint_date,
        "actual_start": plan.actual_start,
        "actual_finish": plan.actual_finish,
        "early_start": plan.early_start,
        "early_finish": plan.early_finish,
        "late_start": plan.late_start,
        "late_finish": plan.late_finish,
        "total_float_days": plan.total_float_days,
        "free_float_days": plan.free_float_days,
        "critical": plan.critical,
        "conflicts": plan.conflicts,
        "version": plan.version,
    }


current_serialiser(TaskPlan)(lambda p: _json(_task_plan(p, p.task)))


@router.get("/workspaces/{ws}/tasks/{task_key}/plan", response=TaskPlanOut, summary="How a task is scheduled")
def task_plan_get(request: HttpRequest, ws: str, task_key: str) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    task = work_selectors.task_get(user=user, workspace=workspace, key=task_key)
    return _task_plan(selectors.task_plan(task=task), task)


@router.patch(
    "/workspaces/{ws}/tasks/{task_key}/plan",
    response=TaskPlanOut,
    summary="Set a task's scheduling mode, constraint or actual dates",
)
def task_plan_update(request: HttpRequest, ws: str, task_key: str, payload: TaskPlanIn) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    task = work_selectors.task_get(user=user, workspace=workspace, key=task_key)
    plan = services.task_plan_update(
        actor=user,
        task=task,
        version=expected_version(request, payload.version),
        **payload.dict(exclude_unset=True, exclude={"version"}),
    )
    return _task_plan(plan, task)


# --- the schedule -----------------------------------------------------------------------------------


class ScheduleTaskOut(Schema):
    key: str
    early_start: datetime.date
    early_finish: datetime.date
    late_start: datetime.date
    late_finish: datetime.date
    total_float_days: int
    free_float_days: int
    critical: bool


class ConflictOut(Schema):
    task: str
    messages: list[str]


class ScheduleOut(Schema):
    start_date: datetime.date
    finish_date: datetime.date
    critical_path: list[str] = Field(..., description="critical task keys by early start")
    tasks: list[ScheduleTaskOut]
    conflicts: list[ConflictOut] = Field(
        ..., description="manually scheduled tasks or constraints that break a dependency or cannot be met"
    )


@router.post(
    "/workspaces/{ws}/projects/{key}/schedule",
    response=ScheduleOut,
    summary="Schedule the project from its start date (critical path); auto-scheduled tasks get the dates",
)
def project_schedule(request: HttpRequest, ws: str, key: str) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    project = work_selectors.project_get(user=user, workspace=workspace, key=key)
    outcome = services.project_schedule(actor=user, project=project)
    data, result = outcome.data, outcome.result
    numbers = {t.pk: t.number for t in data.tasks}
    order = sorted(data.tasks, key=lambda t: (result.tasks[t.pk].early_start, t.number))
    return {
        "start_date": result.start_date,
        "finish_date": result.finish_date,
        "critical_path": [data.key_of[t] for t in result.critical_path],  # type: ignore[index]
        "tasks": [
            {
                "key": data.key_of[t.pk],
                "early_start": (s := result.tasks[t.pk]).early_start,
                "early_finish": s.early_finish,
                "late_start": s.late_start,
                "late_finish": s.late_finish,
                "total_float_days": s.total_float_days,
                "free_float_days": s.free_float_days,
                "critical": s.critical,
            }
            for t in order
        ],
        "conflicts": [
            {"task": data.key_of[t], "messages": list(messages)}  # type: ignore[index]
            for t, messages in sorted(result.conflicts.items(), key=lambda kv: numbers.get(kv[0], 0))  # type: ignore[call-overload]
        ],
    }


# --- baselines ---------------------------------------------------------------------------------------


class BaselineIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)


class BaselineOut(Schema):
    id: str
    name: str
    start_date: datetime.date | None
    finish_date: datetime.date | None
    created_by: str | None
    created_at: datetime.datetime
    version: int


class TaskVarianceOut(Schema):
    key: str
    title: str
    in_baseline: bool = Field(..., description="false for tasks added after the baseline was saved")
    baseline_start: datetime.date | None
    baseline_finish: datetime.date | None
    baseline_duration_days: int | None
    baseline_estimate_hours: float | None
    start: datetime.date | None
    finish: datetime.date | None
    duration_days: int
    estimate_hours: float | None
    start_variance_days: int | None = Field(..., description="working days; positive = later than planned")
    finish_variance_days: int | None
    duration_variance_days: int | None
    estimate_variance_hours: float | None


class BaselineDetailOut(BaselineOut):
    current_start: datetime.date | None
    current_finish: datetime.date | None
    start_variance_days: int | None = Field(..., description="the project's, in working days")
    finish_variance_days: int | None
    duration_variance_days: int | None
    estimate_hours: float | None
    baseline_estimate_hours: float | None
    estimate_variance_hours: float | None
    tasks: list[TaskVarianceOut]


def _baseline(b: Baseline) -> dict[str, Any]:
    return {
        "id": b.public_id,
        "name": b.name,
        "start_date": b.start_date,
        "finish_date": b.finish_date,
        "created_by": b.created_by.email if b.created_by else None,
        "created_at": b.created_at,
        "version": b.version,
    }


@router.get("/workspaces/{ws}/projects/{key}/baselines", response=Page[BaselineOut], summary="Saved baselines")
def baseline_list(
    request: HttpRequest, ws: str, key: str, page: int = PAGE, page_size: int = PAGE_SIZE
) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    project = work_selectors.project_get(user=user, workspace=workspace, key=key)
    result = paginate(request, selectors.baseline_list(project=project), page=page, page_size=page_size)
    result["items"] = [_baseline(b) for b in result["items"]]
    return result


@router.post(
    "/workspaces/{ws}/projects/{key}/baselines",
    response={201: BaselineOut},
    summary="Save a baseline (every task's start, finish, duration, estimate)",
)
def baseline_create(request: HttpRequest, ws: str, key: str, payload: BaselineIn) -> Status[dict[str, Any]]:
    user, workspace = _scope(request, ws)
    project = work_selectors.project_get(user=user, workspace=workspace, key=key)
    baseline = services.baseline_create(actor=user, project=project, name=payload.name)
    return Status(201, _baseline(baseline))


@router.get(
    "/workspaces/{ws}/projects/{key}/baselines/{baseline_id}",
    response=BaselineDetailOut,
    summary="A baseline with the variance of every task and of the project",
)
def baseline_get(request: HttpRequest, ws: str, key: str, baseline_id: str) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    project = work_selectors.project_get(user=user, workspace=workspace, key=key)
    baseline = selectors.baseline_get(project=project, baseline_id=baseline_id)
    v = selectors.baseline_variance(project=project, baseline=baseline)
    return {
        **_baseline(baseline),
        "current_start": v.start,
        "current_finish": v.finish,
        "start_variance_days": v.start_variance_days,
        "finish_variance_days": v.finish_variance_days,
        "duration_variance_days": v.duration_variance_days,
        "estimate_hours": v.estimate_hours,
        "baseline_estimate_hours": v.baseline_estimate_hours,
        "estimate_variance_hours": v.estimate_variance_hours,
        "tasks": [t.__dict__ for t in v.tasks],
    }


@router.delete(
    "/workspaces/{ws}/projects/{key}/baselines/{baseline_id}", response={204: None}, summary="Delete a baseline"
)
def baseline_delete(request: HttpRequest, ws: str, key: str, baseline_id: str) -> Status[None]:
    user, workspace = _scope(request, ws)
    project = work_selectors.project_get(user=user, workspace=workspace, key=key)
    services.baseline_delete(actor=user, baseline=selectors.baseline_get(project=project, baseline_id=baseline_id))
    return Status(204, None)


# --- forecast -----------------------------------------------------------------------------------------


class PercentilesOut(Schema):
    p50: datetime.date
    p80: datetime.date
    p95: datetime.date


class MilestoneForecastOut(PercentilesOut):
    key: str
    title: str


class HistogramBinOut(Schema):
    start: datetime.date
    finish: datetime.date
    count: int


class CriticalityOut(Schema):
    key: str
    index: float = Field(..., description="share of runs in which the task was critical, 0..1")


class ForecastOut(Schema):
    runs: int
    method: str
    seed: int
    start_date: datetime.date
    deterministic_finish: datetime.date
    target_date: datetime.date | None
    finish: PercentilesOut
    milestones: list[MilestoneForecastOut]
    histogram: list[HistogramBinOut]
    criticality: list[CriticalityOut] = Field(..., description="most often critical first")


@router.get(
    "/workspaces/{ws}/projects/{key}/forecast",
    response=ForecastOut,
    summary="Monte Carlo finish forecast (P50/P80/P95) from three-point estimates",
)
def project_forecast(
    request: HttpRequest,
    ws: str,
    key: str,
    runs: int = Query(1000, ge=1, le=selectors.MAX_FORECAST_RUNS),
    method: Literal["pert", "triangular"] = Query("pert"),
    seed: int = Query(1, ge=0, le=2**32 - 1, description="the same seed gives the same forecast"),
) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    project = work_selectors.project_get(user=user, workspace=workspace, key=key)
    view = selectors.project_forecast(project=project, runs=runs, method=method, seed=seed)
    data, f = view.data, view.result
    titles = {t.pk: t.title for t in data.tasks}
    numbers = {t.pk: t.number for t in data.tasks}

    def pct(p: Any) -> dict[str, Any]:
        return {"p50": p.p50, "p80": p.p80, "p95": p.p95}

    return {
        "runs": f.runs,
        "method": view.method,
        "seed": view.seed,
        "start_date": data.start,
        "deterministic_finish": f.deterministic_finish,
        "target_date": project.target_date,
        "finish": pct(f.finish),
        "milestones": [
            {"key": data.key_of[t], "title": titles[t], **pct(p)}  # type: ignore[index]
            for t, p in sorted(f.milestones.items(), key=lambda kv: numbers[kv[0]])  # type: ignore[index]
        ],
        "histogram": [{"start": b.start, "finish": b.finish, "count": b.count} for b in f.histogram],
        "criticality": [
            {"key": data.key_of[t], "index": round(float(i), 4)}  # type: ignore[index]
            for t, i in sorted(f.criticality.items(), key=lambda kv: (-kv[1], numbers[kv[0]]))  # type: ignore[index]
        ],
    }


# --- MS Project XML -------------------------------------------------------------------------------------


class ImportOut(Schema):
    project: ProjectOut
    tasks: int
    dependencies: int
    assigned: int = Field(..., description="tasks given an assignee (a resource matching a member)")
    unmatched_resources: list[str] = Field(..., description="resources that match no member of the workspace")
    warnings: list[str]


@router.post(
    "/workspaces/{ws}/projects/import/mspdi",
    response={201: ImportOut},
    summary="Import an MS Project XML (MSPDI) file into a new project (multipart: file, key, name)",
)
def project_import_mspdi(
    request: HttpRequest,
    ws: str,
    file: UploadedFile | None = File(None, description="the .xml file saved by MS Project or ProjectLibre"),  # noqa: B008
    key: str | None = Form(None, max_length=10, description="the new project's key, e.g. PLAN"),
    name: str | None = Form(None, max_length=200, description="default: the file's project title"),
) -> Status[dict[str, Any]]:
    user, workspace = _scope(request, ws)
    if file is None:
        raise ValidationError(
            "Send the MS Project XML file as the multipart field 'file'.", fields={"file": "required"}
        )
    if not key:
        raise ValidationError(
            "Send the new project's key as the multipart field 'key', e.g. PLAN.", fields={"key": "required"}
        )
    if file.size is not None and file.size > MAX_BYTES:
        raise ValidationError(
            f"The file is {file.size // (1024 * 1024)} MB; MS Project XML files up to "
            f"{MAX_BYTES // (1024 * 1024)} MB are accepted. Nothing was imported.",
            code="invalid_mspdi",
            fields={"file": "too large"},
        )
    outcome = services.project_import_mspdi(actor=user, workspace=workspace, source=file, key=key, name=name)
    project = work_selectors.project_get(user=user, workspace=workspace, key=outcome.project.key)
    return Status(
        201,
        {
            "project": _project(project),
            "tasks": outcome.tasks,
            "dependencies": outcome.dependencies,
            "assigned": outcome.assigned,
            "unmatched_resources": outcome.unmatched_resources,
            "warnings": outcome.warnings,
        },
    )


@router.get(
    "/workspaces/{ws}/projects/{key}/export/mspdi",
    response={200: None},
    summary="The project as MS Project XML (MSPDI), an attachment KEY.xml",
    openapi_extra={
        "responses": {
            "200": {
                "description": "MSPDI XML that MS Project and ProjectLibre open",
                "content": {"application/xml": {"schema": {"type": "string"}}},
            }
        }
    },
)
def project_export_mspdi(request: HttpRequest, ws: str, key: str) -> HttpResponse:
    user, workspace = _scope(request, ws)
    project = work_selectors.project_get(user=user, workspace=workspace, key=key)
    response = HttpResponse(project_mspdi(project=project), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{project.key}.xml"'
    return response
