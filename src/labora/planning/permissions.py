"""Who may plan what. The project rules of the work app decide (labora.work.permissions): a
`ProjectAccess` carries the caller's effective project role, a `Membership` the workspace role.

- whoever sees a project (viewers and up) reads its dependencies, calendars, schedules, baselines, forecasts, exports;
- contributors add, change and remove dependencies, set a task's scheduling mode, constraint and
  actual dates, and run the schedule (which only moves the dates of automatically scheduled tasks,
  as their own edits would);
- managers change the project's planning settings (auto-scheduling), its calendar and baselines;
- the workspace calendar is for workspace owners and admins; importing a project is for anyone
  who may create projects (the work app's `project.create`).
"""

from __future__ import annotations

from typing import Any

from labora.core.policy import rule
from labora.work.models import PROJECT_ROLE_RANK, ProjectRole
from labora.work.permissions import ADMIN, ProjectAccess


def _at_least(access: Any, role: str) -> bool:
    return (
        isinstance(access, ProjectAccess)
        and access.membership is not None
        and access.role_rank >= PROJECT_ROLE_RANK[ProjectRole(role)]
    )


@rule("dependency.write")
def _dependency_write(user: Any, access: Any) -> bool:
    return _at_least(access, ProjectRole.CONTRIBUTOR)


@rule("task_plan.update")
def _task_plan_update(user: Any, access: Any) -> bool:
    return _at_least(access, ProjectRole.CONTRIBUTOR)


@rule("schedule.run")
def _schedule_run(user: Any, access: Any) -> bool:
    return _at_least(access, ProjectRole.CONTRIBUTOR)


@rule("project_plan.update")
def _project_plan_update(user: Any, access: Any) -> bool:
    return _at_least(access, ProjectRole.MANAGER)


@rule("baseline.write")
def _baseline_write(user: Any, access: Any) -> bool:
    return _at_least(access, ProjectRole.MANAGER)


@rule("calendar.update")
def _calendar_update(user: Any, target: Any) -> bool:
    if isinstance(target, ProjectAccess):
        return _at_least(target, ProjectRole.MANAGER)
    # The workspace calendar: a Membership decides.
    return target is not None and target.user_id == user.pk and target.rank >= ADMIN
