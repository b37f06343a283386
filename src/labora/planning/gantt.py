"""The Gantt chart's data: one read of a whole project in a fixed number of queries.

`gantt_rows` answers what the chart draws (frontend/js/gantt/): the tasks in outline order (each
summary followed by its subtasks, siblings by rank), their dates, duration in working days,
progress, the last schedule's early/late dates, floats and critical flag, the dates of one chosen
baseline, the dependencies between them and the project's working calendar (to shade non-working
days and to move a bar by working days in the browser).

Callers resolve the project for the acting user first (work.selectors.project_get), as with every
planning selector. A chart needs the whole project at once, so this is one document, not a
paginated list; its size is bounded by the project (bench/gantt.py: 2,000 tasks).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from labora.planning import selectors
from labora.planning.models import Baseline, BaselineTask, Dependency, ScheduleMode, TaskPlan
from labora.work.models import Category, Project, Task, TaskType


@dataclass
class GanttRow:
    key: str
    title: str
    parent: str | None
    depth: int
    summary: bool
    milestone: bool
    start: datetime.date | None
    finish: datetime.date | None
    duration_days: int
    progress: int
    status: str
    category: str
    manual: bool
    critical: bool
    total_float_days: int | None
    free_float_days: int | None
    early_start: datetime.date | None
    early_finish: datetime.date | None
    late_start: datetime.date | None
    late_finish: datetime.date | None
    baseline_start: datetime.date | None
    baseline_finish: datetime.date | None
    version: int


@dataclass
class GanttLink:
    id: str
    predecessor: str
    successor: str
    type: str
    lag_days: int
    version: int


@dataclass
class GanttData:
    project: Project
    calendar: selectors.CalendarView
    auto_schedule: bool
    finish_date: datetime.date | None
    baselines: list[Baseline]
    baseline: Baseline | None
    rows: list[GanttRow] = field(default_factory=list)
    links: list[GanttLink] = field(default_factory=list)


@dataclass
class _Status:
    name: str
    category: str


@dataclass
class _Task:
    """The columns of a task the chart needs (plain values: 2,000 model instances with every
    column would cost more than the rest of the read together)."""

    pk: int
    number: int
    title: str
    parent_id: int | None
    type: str
    start_date: datetime.date | None
    due_date: datetime.date | None
    duration_days: int | None
    estimate_minutes: int | None
    progress: int
    version: int
    status: _Status


@dataclass
class _Plan:
    mode: str
    early_start: datetime.date | None
    early_finish: datetime.date | None
    late_start: datetime.date | None
    late_finish: datetime.date | None
    total_float_days: int | None
    free_float_days: int | None
    critical: bool


_TASK_COLUMNS = (
    "pk",
    "number",
    "title",
    "parent_id",
    "type",
    "start_date",
    "due_date",
    "duration_days",
    "estimate_minutes",
    "progress",
    "version",
    "status__name",
    "status__category",
)
_PLAN_COLUMNS = (
    "task_id",
    "mode",
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float_days",
    "free_float_days",
    "critical",
)


def _tasks(project: Project) -> list[_Task]:
    rows = (
        Task.objects.filter(workspace_id=project.workspace_id, project=project)
        .order_by("rank", "id")
        .values_list(*_TASK_COLUMNS)
    )
    return [
        _Task(pk, number, title, parent, kind, start, due, days, estimate, progress, version, _Status(name, category))
        for pk, number, title, parent, kind, start, due, days, estimate, progress, version, name, category in rows
    ]


def _outline(tasks: list[_Task]) -> list[tuple[_Task, int]]:
    """Tasks with their depth, each parent followed by its children (tasks come in rank order).

    Iterative, so a deep outline cannot exhaust the stack; a parent outside the list (another
    project, the trash) makes a task a root."""
    ids = {t.pk for t in tasks}
    children: dict[int | None, list[_Task]] = {}
    for t in tasks:
        parent = t.parent_id if t.parent_id in ids else None
        children.setdefault(parent, []).append(t)
    out: list[tuple[_Task, int]] = []
    stack: list[tuple[_Task, int]] = [(t, 0) for t in reversed(children.get(None, []))]
    seen: set[int] = set()
    while stack:
        task, depth = stack.pop()
        if task.pk in seen:
            continue
        seen.add(task.pk)
        out.append((task, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(task.pk, [])))
    return out


def gantt_rows(*, project: Project, baseline_id: str | None = None) -> GanttData:
    """The project's chart. Raises NotFound (an unknown baseline). Nine queries at most,
    whatever the project's size (durations as selectors.plan_input finds them)."""
    calendar = selectors.project_calendar(project=project)
    tasks = _tasks(project)
    plans = {
        row[0]: _Plan(*row[1:])
        for row in TaskPlan.objects.filter(workspace_id=project.workspace_id, task__project=project).values_list(
            *_PLAN_COLUMNS
        )
    }
    deps = (
        Dependency.objects.filter(
            workspace_id=project.workspace_id,
            successor__project=project,
            predecessor__project=project,
            successor__deleted_at__isnull=True,
            predecessor__deleted_at__isnull=True,
        )
        .order_by("id")
        .values_list("public_id", "predecessor_id", "successor_id", "type", "lag_days", "version")
    )
    plan = selectors.project_plan(project=project)
    baselines = list(selectors.baseline_list(project=project))
    baseline = selectors.baseline_get(project=project, baseline_id=baseline_id) if baseline_id else None
    base_rows: dict[int, tuple[datetime.date | None, datetime.date | None]] = {}
    if baseline is not None:
        base_rows = {
            task_id: (first, last)
            for task_id, first, last in BaselineTask.objects.filter(
                baseline=baseline, workspace_id=project.workspace_id
            ).values_list("task_id", "start_date", "finish_date")
        }
    ids = {t.pk for t in tasks}
    summaries = {t.parent_id for t in tasks if t.parent_id is not None and t.parent_id in ids}
    # The scheduler's own rule for a task's working days (duration, milestone, dates, estimate).
    durations = selectors._durations(
        tasks,  # type: ignore[arg-type]  # the attributes it reads, as plain values
        calendar,
        project.start_date or datetime.date.today(),
    )
    outline = _outline(tasks)
    key_of = {t.pk: f"{project.key}-{t.number}" for t in tasks}
    result = GanttData(project, calendar, plan.auto_schedule, plan.finish_date, baselines, baseline)
    rows: dict[int, GanttRow] = {}
    closed = (Category.DONE, Category.CANCELLED)
    for task, depth in outline:
        tp = plans.get(task.pk)
        start = task.start_date or (tp.early_start if tp else None)
        finish = task.due_date or (tp.early_finish if tp else None)
        if start is not None and finish is not None and finish < start:
            finish = start
        if start is None and finish is not None:
            start = finish
        if finish is None and start is not None:
            finish = start
        base = base_rows.get(task.pk, (None, None))
        summary = task.pk in summaries
        duration = durations[task.pk]
        category = task.status.category
        rows[task.pk] = GanttRow(
            key=key_of[task.pk],
            title=task.title,
            parent=key_of.get(task.parent_id) if task.parent_id is not None else None,
            depth=depth,
            summary=summary,
            milestone=not summary and (task.type == TaskType.MILESTONE or duration == 0),
            start=start,
            finish=finish,
            duration_days=duration,
            progress=100 if category == Category.DONE else int(task.progress or 0),
            status=task.status.name,
            category=category,
            manual=tp is not None and tp.mode == ScheduleMode.MANUAL and not summary,
            critical=bool(tp and tp.critical) and category not in closed,
            total_float_days=tp.total_float_days if tp else None,
            free_float_days=tp.free_float_days if tp else None,
            early_start=tp.early_start if tp else None,
            early_finish=tp.early_finish if tp else None,
            late_start=tp.late_start if tp else None,
            late_finish=tp.late_finish if tp else None,
            baseline_start=base[0],
            baseline_finish=base[1],
            version=task.version,
        )
    # Summary bars span their subtasks (deepest first, so nested summaries roll up).
    spans: dict[int, tuple[datetime.date, datetime.date]] = {}
    for task, _depth in reversed(outline):
        row = rows[task.pk]
        if task.pk in spans:
            row.start, row.finish = spans[task.pk]
        parent_id = task.parent_id
        if parent_id is None or parent_id not in rows or row.start is None or row.finish is None:
            continue
        if parent_id in spans:
            first, last = spans[parent_id]
            spans[parent_id] = (min(first, row.start), max(last, row.finish))
        else:
            spans[parent_id] = (row.start, row.finish)
    result.rows = [rows[t.pk] for t, _ in outline]
    result.links = [
        GanttLink(id=public_id, predecessor=key_of[p], successor=key_of[s], type=kind, lag_days=lag, version=version)
        for public_id, p, s, kind, lag, version in deps
        if p in key_of and s in key_of
    ]
    return result


def dependency_candidates(*, task: Task, search: str, limit: int = 20) -> QuerySet[Task]:
    """Tasks of `task`'s project (not itself) whose key number or title matches `search`, for
    the dependency key picker of the task panel; first by number. One query."""
    tasks = Task.objects.filter(workspace_id=task.workspace_id, project_id=task.project_id).exclude(pk=task.pk)
    text = search.strip()
    if text:
        prefix = f"{task.project.key}-"
        number = text.upper().removeprefix(prefix)
        query = Q(title__icontains=text)
        if number.isdigit() and len(number) < 10:
            query |= Q(number=int(number))
        tasks = tasks.filter(query)
    return tasks.select_related("project").only("number", "title", "project__key").order_by("number")[:limit]
