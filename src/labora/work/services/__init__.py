"""Every write to projects, workflows and tasks (STYLE.md rule 2)."""

from labora.work.services._common import UNSET
from labora.work.services.projects import DEFAULT_WORKFLOWS, project_create, project_delete, project_update
from labora.work.services.tasks import parse_task_key, task_create, task_delete, task_restore, task_update
from labora.work.services.workflows import StatusSpec, workflow_replace

__all__ = [
    "DEFAULT_WORKFLOWS",
    "UNSET",
    "StatusSpec",
    "parse_task_key",
    "project_create",
    "project_delete",
    "project_update",
    "task_create",
    "task_delete",
    "task_restore",
    "task_update",
    "workflow_replace",
]
