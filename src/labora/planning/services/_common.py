"""Helpers shared by the planning services."""

from __future__ import annotations

from typing import Any

from labora.work.models import Project, Task


def project_data(project: Project) -> dict[str, Any]:
    return {"project": project.key}


def task_data(task: Task) -> dict[str, Any]:
    return {"project": task.project.key, "task": task.key}
