"""Every write of the planning app (HackSoft style: `<entity>_<verb>(*, actor, ...)`)."""

from labora.planning.services.baselines import baseline_create, baseline_delete
from labora.planning.services.calendars import calendar_reset_project, calendar_set_project, calendar_set_workspace
from labora.planning.services.dependencies import dependency_create, dependency_delete, dependency_update
from labora.planning.services.mspdi_import import ImportOutcome, project_import_mspdi
from labora.planning.services.plans import project_plan_update, task_plan_update
from labora.planning.services.scheduling import ScheduleOutcome, project_schedule, schedule_now

__all__ = [
    "ImportOutcome",
    "ScheduleOutcome",
    "baseline_create",
    "baseline_delete",
    "calendar_reset_project",
    "calendar_set_project",
    "calendar_set_workspace",
    "dependency_create",
    "dependency_delete",
    "dependency_update",
    "project_import_mspdi",
    "project_plan_update",
    "project_schedule",
    "schedule_now",
    "task_plan_update",
]
