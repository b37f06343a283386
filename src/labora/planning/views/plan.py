"""The project Plan page: the schedule's headline (start, target, finish, slack), the Schedule
button, the auto-scheduling switch, manually scheduled tasks and conflicts, the critical path
table; and the MS Project XML download.

Thin adapters over labora.planning.services (project_schedule, project_plan_update) and the
planning selectors (plan_input: five queries whatever the size of the project). The workspace
is resolved among the user's memberships (404 otherwise), the project through the work app's
scoped selector (404 for a project the user cannot see).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from labora.core.errors import Conflict, ValidationError
from labora.core.policy import can
from labora.planning import selectors, services
from labora.planning.engine.calendar import WorkingDays, to_datetime64
from labora.planning.models import ProjectPlan
from labora.planning.mspdi_export import project_mspdi
from labora.work.models import Project
from labora.work.permissions import access_of
from labora.work.views.projects import project_for
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.views import Request, workspace_page

ROWS_PER_PAGE = 50
# Conflict messages from the engine name tasks by their ids ("the dependency on 412 (FS)",
# "its summary task 77"); pages show keys instead.
_TASK_ID = re.compile(r"\b(on|summary task) (\d+)(?![\d-])")


# --- shared by the planning pages --------------------------------------------------------------


@dataclass(frozen=True)
class PlanPermissions:
    schedule: bool
    settings: bool
    baselines: bool


def plan_project(request: Request, workspace: Workspace, membership: Membership, key: str) -> Project:
    """The project `key` if the user may see it (the 404 page otherwise)."""
    return project_for(workspace, key, user=request.user, membership=membership)


def permissions_for(request: Request, membership: Membership, project: Project) -> PlanPermissions:
    access = access_of(membership, project)
    return PlanPermissions(
        schedule=can(request.user, "schedule.run", access),
        settings=can(request.user, "project_plan.update", access),
        baselines=can(request.user, "baseline.write", access),
    )


def working_days_between(
    data: selectors.PlanInput, earlier: datetime.date | None, later: datetime.date | None
) -> int | None:
    """Working days after `earlier` up to and including `later` (negative when `later` comes first)."""
    if earlier is None or later is None:
        return None
    wd = WorkingDays(data.calendar.engine(), data.start)
    one = datetime.timedelta(days=1)
    return int(wd.count(to_datetime64(earlier + one), to_datetime64(later + one))[0])


def readable(message: str, key_of: dict[int, str]) -> str:
    """An engine message with task ids replaced by task keys."""
    return _TASK_ID.sub(lambda m: f"{m.group(1)} {key_of.get(int(m.group(2)), m.group(2))}", message)


# --- the Plan page -----------------------------------------------------------------------------


@dataclass
class PlanRow:
    key: str
    title: str
    start: datetime.date | None
    finish: datetime.date | None
    duration_days: int
    early_start: datetime.date | None
    early_finish: datetime.date | None
    late_start: datetime.date | None
    late_finish: datetime.date | None
    total_float_days: int | None
    free_float_days: int | None
    critical: bool
    manual: bool
    summary: bool
    milestone: bool
    conflicts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ScheduleSummary:
    finish_date: datetime.date
    moved: int
    critical_path: list[tuple[str, str]]  # (key, title)
    conflicts: int


def _rows(data: selectors.PlanInput) -> list[PlanRow]:
    rows = []
    for t in data.tasks:
        plan = data.plans.get(t.pk)
        rows.append(
            PlanRow(
                key=data.key_of[t.pk],
                title=t.title,
                start=t.start_date,
                finish=t.due_date,
                duration_days=data.durations[t.pk],
                early_start=plan.early_start if plan else None,
                early_finish=plan.early_finish if plan else None,
                late_start=plan.late_start if plan else None,
                late_finish=plan.late_finish if plan else None,
                total_float_days=plan.total_float_days if plan else None,
                free_float_days=plan.free_float_days if plan else None,
                critical=bool(plan and plan.critical),
                manual=data.is_manual(t.pk),
                summary=t.pk in data.summaries,
                milestone=data.durations[t.pk] == 0 and t.pk not in data.summaries,
                conflicts=[readable(m, data.key_of) for m in (plan.conflicts if plan else [])],
            )
        )
    return rows


def _by_schedule(row: PlanRow) -> tuple[datetime.date, int]:
    number = int(row.key.rsplit("-", 1)[1])
    return (row.early_start or row.start or datetime.date.max, number)


def _summary(outcome: services.ScheduleOutcome) -> ScheduleSummary:
    data, result = outcome.data, outcome.result
    titles = {t.pk: t.title for t in data.tasks}
    return ScheduleSummary(
        finish_date=result.finish_date,
        moved=outcome.moved,
        critical_path=[(data.key_of[t], titles[t]) for t in result.critical_path],  # type: ignore[index]
        conflicts=len(result.conflicts),
    )


def _act(request: Request, project: Project) -> tuple[dict[str, Any], int]:
    """Run the posted action; what the page shows about it, and the status to answer."""
    action = request.POST.get("action", "")
    try:
        if action == "schedule":
            outcome = services.project_schedule(actor=request.user, project=project)
            return {"schedule_result": _summary(outcome)}, 200
        if action == "auto":
            version = request.POST.get("version", "")
            if not version.isdigit():
                raise ValidationError("The form lacks the settings' version. Reload the page and try again.")
            services.project_plan_update(
                actor=request.user,
                project=project,
                version=int(version),
                auto_schedule=request.POST.get("auto_schedule") == "on",
            )
            on = request.POST.get("auto_schedule") == "on"
            return {"notice": f"Auto-scheduling is {'on' if on else 'off'} for {project.key}."}, 200
    except Conflict as exc:
        current = exc.current if isinstance(exc.current, ProjectPlan) else None
        state = f" It is now {'on' if current and current.auto_schedule else 'off'}." if current is not None else ""
        return {
            "error": "Someone changed the planning settings since you opened this page."
            + state
            + " Check it and try again."
        }, 409
    except ValidationError as exc:
        return {"error": exc.message}, 422
    return {"error": f"Unknown action '{action}'. Use the buttons on this page."}, 422


@workspace_page
def project_plan(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    project = plan_project(request, workspace, membership, key)
    allowed = permissions_for(request, membership, project)
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        context, status = _act(request, project)
    plan = selectors.project_plan(project=project)
    data = selectors.plan_input(project=project)
    rows = _rows(data)
    show_all = request.GET.get("show") == "all"
    table = sorted(rows if show_all else [r for r in rows if r.critical], key=_by_schedule)
    page = Paginator(table, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    slack = working_days_between(data, plan.finish_date, project.target_date)
    context.update(
        {
            "workspace": workspace,
            "project": project,
            "plan": plan,
            "can": allowed,
            "calendar": data.calendar,
            "task_count": len(rows),
            "slack_days": slack,
            "slack_late": -slack if slack is not None and slack < 0 else 0,
            "manual_rows": [r for r in rows if r.manual],
            "conflict_rows": [r for r in rows if r.conflicts],
            "critical_count": sum(1 for r in rows if r.critical),
            "page": page,
            "show_all": show_all,
            "page_query": "show=all" if show_all else "",
        }
    )
    template = "planning/plan.html#plan-main" if request.htmx and request.method == "POST" else "planning/plan.html"
    return render(request, template, context, status=status)


@workspace_page
def project_plan_export(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    """The project as MS Project XML, as the API's GET .../export/mspdi answers it."""
    project = plan_project(request, workspace, membership, key)
    response = HttpResponse(project_mspdi(project=project), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{project.key}.xml"'
    return response


urlpatterns = [
    path("w/<slug:ws>/projects/<str:key>/plan/", project_plan, name="project_plan"),
    path("w/<slug:ws>/projects/<str:key>/plan/export.xml", project_plan_export, name="project_plan_export"),
]
