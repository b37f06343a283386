"""Reads for planning, always scoped: callers resolve the workspace, the project (work.selectors
.project_get) or the task (work.selectors.task_get) for the acting user first; everything here
then filters on that workspace and project.

`plan_input` loads a project into the engine's dataclasses in a fixed number of queries (tasks,
their plans, dependencies, the calendar), whatever the size of the project. How a task's duration
is found (docs/scheduling.md, "In Labora"):

1. its `duration_days` (0 = a milestone);
2. a task of type milestone without one: 0;
3. a start and a due date: the working days from one to the other, both included;
4. an estimate: its hours over the calendar's hours per day, rounded up;
5. otherwise one working day.

A cancelled task takes no time (duration 0) but keeps its links; a done task with dates keeps them
as its actual start and finish (finished work is never critical); a task with subtasks is a
summary whose dates span them.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from django.db.models import Q, QuerySet

from labora.core.errors import NotFound, ValidationError
from labora.planning import engine
from labora.planning.engine.calendar import WorkingDays, to_datetime64
from labora.planning.models import (
    DEFAULT_HOURS_PER_DAY,
    DEFAULT_WORKING_DAYS,
    WEEKDAY_NAMES,
    Baseline,
    BaselineTask,
    ConstraintType,
    Dependency,
    ProjectPlan,
    ScheduleMode,
    TaskPlan,
    WorkCalendar,
)
from labora.work.models import Category, Project, Task, TaskType
from labora.workspaces.models import Workspace

# --- calendars -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarView:
    """A calendar as the API shows it; `source` says where it comes from: the project's own, the
    workspace's, or the default (Monday to Friday, no holidays) when neither was set."""

    working_days: list[str]
    holidays: list[datetime.date]
    extra_working_days: list[datetime.date]
    hours_per_day: int
    version: int
    source: Literal["project", "workspace", "default"]
    holiday_names: dict[datetime.date, str] = field(default_factory=dict)  # some holidays' names

    def holiday_name(self, day: datetime.date) -> str:
        """The name of a holiday ("Christmas Day"), or "" when it has none."""
        return self.holiday_names.get(day, "")

    def engine(self) -> engine.Calendar:
        return engine.Calendar.from_names(self.working_days, self.holidays, self.extra_working_days)


def _dates(values: Iterable[str]) -> list[datetime.date]:
    return [datetime.date.fromisoformat(v) for v in values]


def _view(row: WorkCalendar | None, source: Literal["project", "workspace"]) -> CalendarView:
    if row is None:
        return CalendarView(list(DEFAULT_WORKING_DAYS), [], [], DEFAULT_HOURS_PER_DAY, 0, "default")
    days = [d for d in WEEKDAY_NAMES if d in row.working_days]
    holidays = _dates(row.holidays)
    listed = set(holidays)
    names = {
        day: str(name)
        for day, name in ((datetime.date.fromisoformat(k), v) for k, v in (row.holiday_names or {}).items())
        if day in listed and name
    }
    return CalendarView(days, holidays, _dates(row.extra_working_days), row.hours_per_day, row.version, source, names)


def workspace_calendar(*, workspace: Workspace) -> CalendarView:
    return _view(WorkCalendar.objects.filter(workspace=workspace, project__isnull=True).first(), "workspace")


def project_calendar(*, project: Project) -> CalendarView:
    """The project's own calendar, else the workspace's, else the default. One query."""
    rows = {
        row.project_id: row
        for row in WorkCalendar.objects.filter(
            Q(project=project) | Q(project__isnull=True), workspace_id=project.workspace_id
        )
    }
    if project.pk in rows:
        return _view(rows[project.pk], "project")
    return _view(rows.get(None), "workspace")


# --- dependencies ----------------------------------------------------------------------------------


def dependency_list(*, task: Task) -> QuerySet[Dependency]:
    """The task's links in both directions (its predecessors and its successors) whose other task
    is live, with both tasks' projects; predecessors first."""
    return (
        Dependency.objects.filter(Q(successor=task) | Q(predecessor=task), workspace_id=task.workspace_id)
        .filter(predecessor__deleted_at__isnull=True, successor__deleted_at__isnull=True)
        .select_related("predecessor__project", "successor__project")
        .order_by("predecessor__project__key", "predecessor__number", "successor__number", "id")
    )


def dependency_get(*, task: Task, dependency_id: str) -> Dependency:
    """One of the task's links (either direction) by its id; NotFound otherwise."""
    found = dependency_list(task=task).filter(public_id=dependency_id).first()
    if found is None:
        raise NotFound(
            f"{task.key} has no dependency '{dependency_id}'. "
            f"See GET /api/v1/workspaces/{{ws}}/tasks/{task.key}/dependencies."
        )
    return found


# --- plans -----------------------------------------------------------------------------------------


def project_plan(*, project: Project) -> ProjectPlan:
    """The project's planning settings (an unsaved default row when it has none yet)."""
    plan = ProjectPlan.objects.filter(project=project).first()
    return plan or ProjectPlan(workspace_id=project.workspace_id, project=project, version=0)


def task_plan(*, task: Task) -> TaskPlan:
    """The task's scheduling settings (an unsaved default row when it has none yet)."""
    plan = TaskPlan.objects.filter(task=task).first()
    return plan or TaskPlan(workspace_id=task.workspace_id, task=task, version=0)


@dataclass
class PlanInput:
    """A project loaded for the engine: ids are Task primary keys."""

    project: Project
    calendar: CalendarView
    tasks: list[Task]
    plans: dict[int, TaskPlan]
    dependencies: list[Dependency]
    key_of: dict[int, str]
    durations: dict[int, int]
    summaries: set[int]
    engine_tasks: list[engine.Task] = field(default_factory=list)
    engine_dependencies: list[engine.Dependency] = field(default_factory=list)

    @property
    def start(self) -> datetime.date:
        return self.project.start_date or datetime.date.today()

    def is_manual(self, task_id: int) -> bool:
        plan = self.plans.get(task_id)
        return plan is not None and plan.mode == ScheduleMode.MANUAL and task_id not in self.summaries


def _project_tasks(project: Project, *, lock: bool) -> list[Task]:
    tasks = Task.objects.filter(workspace_id=project.workspace_id, project=project).select_related("status")
    if lock:
        tasks = tasks.select_for_update(of=("self",))
    return list(tasks.order_by("rank", "id"))


def project_dependencies(*, project: Project) -> list[Dependency]:
    """The dependencies between live tasks of the project (links to other projects are left out)."""
    return list(
        Dependency.objects.filter(
            workspace_id=project.workspace_id,
            successor__project=project,
            predecessor__project=project,
            successor__deleted_at__isnull=True,
            predecessor__deleted_at__isnull=True,
        ).order_by("id")
    )


def engine_dependency(dep: Dependency) -> engine.Dependency:
    return engine.Dependency(
        predecessor=dep.predecessor_id,
        successor=dep.successor_id,
        type=engine.DependencyType(dep.type),
        lag_days=dep.lag_days,
        lag_elapsed=dep.lag_elapsed,
    )


def _durations(tasks: list[Task], calendar: CalendarView, start: datetime.date) -> dict[int, int]:
    durations: dict[int, int] = {}
    by_dates: list[Task] = []
    for t in tasks:
        if t.status.category == Category.CANCELLED:
            durations[t.pk] = 0
        elif t.duration_days is not None:
            durations[t.pk] = t.duration_days
        elif t.type == TaskType.MILESTONE:
            durations[t.pk] = 0
        elif t.start_date is not None and t.due_date is not None:
            by_dates.append(t)
        elif t.estimate_minutes:
            durations[t.pk] = max(1, math.ceil(t.estimate_minutes / 60 / calendar.hours_per_day - 1e-9))
        else:
            durations[t.pk] = 1
    if by_dates:  # all at once: working days in [start, due]
        wd = WorkingDays(calendar.engine(), start)
        begins = to_datetime64(t.start_date for t in by_dates)  # type: ignore[misc]  # filtered above
        ends = to_datetime64(t.due_date for t in by_dates) + np.timedelta64(1, "D")  # type: ignore[misc]
        for t, n in zip(by_dates, wd.count(begins, ends).tolist(), strict=True):
            durations[t.pk] = max(1, int(n))
    return durations


def plan_input(*, project: Project, lock: bool = False) -> PlanInput:
    """The project's live tasks, plans, dependencies and calendar as engine input. Five queries.

    `lock` locks the task rows (a schedule about to write their dates)."""
    calendar = project_calendar(project=project)
    tasks = _project_tasks(project, lock=lock)
    ids = {t.pk for t in tasks}
    plans = {p.task_id: p for p in TaskPlan.objects.filter(workspace_id=project.workspace_id, task__project=project)}
    deps = project_dependencies(project=project)
    key_of = {t.pk: f"{project.key}-{t.number}" for t in tasks}
    summaries = {t.parent_id for t in tasks if t.parent_id is not None and t.parent_id in ids}
    start = project.start_date or datetime.date.today()
    durations = _durations(tasks, calendar, start)
    data = PlanInput(project, calendar, tasks, plans, deps, key_of, durations, summaries)
    for t in tasks:
        plan = plans.get(t.pk)
        summary = t.pk in summaries
        manual = data.is_manual(t.pk)
        actual_start = plan.actual_start if plan is not None and not summary else None
        actual_finish = plan.actual_finish if plan is not None and not summary else None
        if (
            not summary
            and actual_start is None
            and actual_finish is None
            and t.status.category == Category.DONE
            and t.start_date is not None
            and t.due_date is not None
        ):
            actual_start, actual_finish = t.start_date, t.due_date
        constraint = engine.ConstraintType.ASAP
        constraint_date = None
        if plan is not None and plan.constraint_type != ConstraintType.ASAP and plan.constraint_date is not None:
            constraint = engine.ConstraintType(plan.constraint_type)
            constraint_date = plan.constraint_date
        data.engine_tasks.append(
            engine.Task(
                id=t.pk,
                duration_days=durations[t.pk],
                is_milestone=t.type == TaskType.MILESTONE or durations[t.pk] == 0,
                parent=t.parent_id if t.parent_id in ids else None,
                constraint=constraint,
                constraint_date=constraint_date,
                actual_start=actual_start,
                actual_finish=actual_finish,
                manually_scheduled=manual,
                start=t.start_date if manual else None,
                finish=t.due_date if manual else None,
            )
        )
    data.engine_dependencies = [engine_dependency(d) for d in deps]
    return data


def cycle_through(*, project: Project, new: engine.Dependency, replacing: Dependency | None = None) -> list[str]:
    """Task keys of the cycle `new` would close in the project's graph ([] when none). Two queries.

    Uses the engine's own cycle finder (Kahn's algorithm) on the structure alone: ids, parents
    (a link between a summary and its own subtask is a cycle too) and dependencies.
    """
    rows = list(Task.objects.filter(workspace_id=project.workspace_id, project=project).values_list("pk", "parent_id"))
    ids = {pk for pk, _ in rows}
    tasks = [engine.Task(id=pk, parent=parent if parent in ids else None) for pk, parent in rows]
    deps = [
        engine_dependency(d)
        for d in project_dependencies(project=project)
        if replacing is None or d.pk != replacing.pk
        if (d.predecessor_id, d.successor_id) != (new.predecessor, new.successor)
    ]
    from labora.planning.engine.network import Network

    try:
        Network(tasks, [*deps, new]).sort()
    except engine.CycleError as error:
        numbers = dict(Task.objects.filter(pk__in=error.task_ids).values_list("pk", "number"))
        return [f"{project.key}-{numbers[pk]}" for pk in error.task_ids if pk in numbers]
    return []


# --- baselines -------------------------------------------------------------------------------------


def baseline_list(*, project: Project) -> QuerySet[Baseline]:
    return Baseline.objects.filter(workspace_id=project.workspace_id, project=project).select_related("created_by")


def baseline_get(*, project: Project, baseline_id: str) -> Baseline:
    found = baseline_list(project=project).filter(public_id=baseline_id).first()
    if found is None:
        raise NotFound(
            f"{project.key} has no baseline '{baseline_id}'. "
            f"See GET /api/v1/workspaces/{{ws}}/projects/{project.key}/baselines."
        )
    return found


@dataclass(frozen=True)
class TaskVariance:
    key: str
    title: str
    in_baseline: bool
    baseline_start: datetime.date | None
    baseline_finish: datetime.date | None
    baseline_duration_days: int | None
    baseline_estimate_hours: float | None
    start: datetime.date | None
    finish: datetime.date | None
    duration_days: int
    estimate_hours: float | None
    start_variance_days: int | None
    finish_variance_days: int | None
    duration_variance_days: int | None
    estimate_variance_hours: float | None


@dataclass(frozen=True)
class BaselineVariance:
    baseline: Baseline
    start: datetime.date | None
    finish: datetime.date | None
    start_variance_days: int | None
    finish_variance_days: int | None
    duration_variance_days: int | None
    estimate_hours: float | None
    baseline_estimate_hours: float | None
    estimate_variance_hours: float | None
    tasks: list[TaskVariance]


def _hours(minutes: int | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 2)


def baseline_variance(*, project: Project, baseline: Baseline) -> BaselineVariance:
    """Per task and for the project: how far the current plan is from the baseline (working days
    for dates and durations, positive = later or longer; hours for estimates). Six queries."""
    data = plan_input(project=project)
    rows = {r.task_id: r for r in BaselineTask.objects.filter(baseline=baseline, workspace_id=project.workspace_id)}
    wd = WorkingDays(data.calendar.engine(), data.start)

    def between(a: datetime.date | None, b: datetime.date | None) -> int | None:
        if a is None or b is None:
            return None
        return int(wd.count(to_datetime64(a), to_datetime64(b))[0])

    items: list[TaskVariance] = []
    for t in data.tasks:
        row = rows.get(t.pk)
        duration = data.durations[t.pk]
        b_est = row.estimate_minutes if row else None
        items.append(
            TaskVariance(
                key=data.key_of[t.pk],
                title=t.title,
                in_baseline=row is not None,
                baseline_start=row.start_date if row else None,
                baseline_finish=row.finish_date if row else None,
                baseline_duration_days=row.duration_days if row else None,
                baseline_estimate_hours=_hours(b_est),
                start=t.start_date,
                finish=t.due_date,
                duration_days=duration,
                estimate_hours=_hours(t.estimate_minutes),
                start_variance_days=between(row.start_date, t.start_date) if row else None,
                finish_variance_days=between(row.finish_date, t.due_date) if row else None,
                duration_variance_days=(
                    duration - row.duration_days if row is not None and row.duration_days is not None else None
                ),
                estimate_variance_hours=(
                    _hours(t.estimate_minutes - b_est) if b_est is not None and t.estimate_minutes is not None else None
                ),
            )
        )
    starts = [t.start_date for t in data.tasks if t.start_date]
    finishes = [t.due_date for t in data.tasks if t.due_date]
    start = min(starts) if starts else None
    finish = max(finishes) if finishes else None
    current_span = between(start, finish)
    baseline_span = between(baseline.start_date, baseline.finish_date)
    est_now = sum(t.estimate_minutes or 0 for t in data.tasks if t.pk not in data.summaries)
    est_then = sum(r.estimate_minutes or 0 for r in rows.values())
    return BaselineVariance(
        baseline=baseline,
        start=start,
        finish=finish,
        start_variance_days=between(baseline.start_date, start),
        finish_variance_days=between(baseline.finish_date, finish),
        duration_variance_days=(
            current_span - baseline_span if current_span is not None and baseline_span is not None else None
        ),
        estimate_hours=_hours(est_now),
        baseline_estimate_hours=_hours(est_then),
        estimate_variance_hours=_hours(est_now - est_then),
        tasks=items,
    )


# --- forecast --------------------------------------------------------------------------------------

MAX_FORECAST_RUNS = 10_000


@dataclass(frozen=True)
class ForecastView:
    data: PlanInput
    result: engine.Forecast
    method: str
    seed: int


def estimates_of(data: PlanInput) -> dict[int, engine.Estimate]:
    """Three-point estimates in working days (hours over the calendar's hours per day) of the
    tasks that have all three points; the others keep their duration."""
    per_day = 60 * data.calendar.hours_per_day
    out: dict[int, engine.Estimate] = {}
    for t in data.tasks:
        points = (t.estimate_optimistic_minutes, t.estimate_likely_minutes, t.estimate_pessimistic_minutes)
        if t.pk in data.summaries or any(p is None for p in points):
            continue
        o, m, p = (v / per_day for v in points)  # type: ignore[operator]  # None excluded above
        out[t.pk] = engine.Estimate(o, m, p)
    return out


def project_forecast(*, project: Project, runs: int, method: Literal["pert", "triangular"], seed: int) -> ForecastView:
    """Monte Carlo finish forecast of the project. Raises ValidationError (no start date)."""
    if project.start_date is None:
        raise no_start_date(project)
    data = plan_input(project=project)
    result = engine.forecast(
        data.engine_tasks,
        data.engine_dependencies,
        data.calendar.engine(),
        data.start,
        estimates_of(data),
        runs=runs,
        distribution=method,
        seed=seed,
    )
    return ForecastView(data, result, method, seed)


def no_start_date(project: Project) -> ValidationError:
    return ValidationError(
        f"{project.key} has no start date, so there is nothing to schedule from. Set one "
        f'(PATCH /api/v1/workspaces/{{ws}}/projects/{project.key} {{"start_date": "YYYY-MM-DD"}}) and try again.',
        code="no_start_date",
        fields={"start_date": "required"},
    )
