"""Background jobs of planning (run by `labora worker` or the worker inside `labora serve`).

A forecast too big to compute inside a request (labora.planning.views.forecast.runs_inline) and
the import of a big MS Project file (labora.planning.views.mspdi) run here; their pages poll for
the outcome, which the task backend stores as the job's return value. While they run they report
how far they are (labora.core.jobs.report_progress: runs simulated, import steps done), which
the polling pages draw as a percentage bar.
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.files.storage import default_storage
from django_tasks import TaskContext, task

from labora.accounts.models import User
from labora.core.errors import LaboraError, NotFound
from labora.core.jobs import report_progress
from labora.work import selectors as work_selectors
from labora.work.models import Project
from labora.workspaces.models import Workspace


@task(takes_context=True)
def project_forecast_job(
    context: TaskContext, project_id: int, user_id: int, runs: int, method: Literal["pert", "triangular"], seed: int
) -> dict[str, Any]:
    """The forecast of a project, as labora.planning.views.forecast.forecast_data answers it.

    Only ids are queued: the project is resolved again for the user when the job runs, so a
    user who lost access by then gets nothing."""
    from labora.planning.views.forecast import forecast_data

    user = User.objects.filter(pk=user_id, is_active=True).first()
    project = Project.objects.filter(pk=project_id).select_related("workspace").first()
    if user is None or project is None:
        raise NotFound("The project or its user is gone.")
    visible = work_selectors.project_get(user=user, workspace=project.workspace, key=project.key)
    job_id = str(context.task_result.id)
    report_progress(job_id, 0, runs)
    return forecast_data(
        project=visible,
        runs=runs,
        method=method,
        seed=seed,
        progress=lambda done, total: report_progress(job_id, done, total),
    )


@task(takes_context=True)
def project_import_mspdi_job(
    context: TaskContext, workspace_id: int, user_id: int, upload: str, key: str, name: str
) -> dict[str, Any]:
    """Import an uploaded MS Project file (kept in the default storage as `upload`, removed after)
    through the same service as the page and the API. A file the service refuses answers
    {"error", "fields"} (nothing was imported); an import answers what the summary shows."""
    from labora.planning import services

    try:
        user = User.objects.filter(pk=user_id, is_active=True).first()
        workspace = Workspace.objects.filter(pk=workspace_id).first()
        if user is None or workspace is None:
            raise NotFound("The workspace or its user is gone.")
        job_id = str(context.task_result.id)
        with default_storage.open(upload, "rb") as source:
            outcome = services.project_import_mspdi(
                actor=user,
                workspace=workspace,
                source=source,
                key=key,
                name=name or None,
                progress=lambda done, total: report_progress(job_id, done, total),
            )
    except LaboraError as error:
        return {"error": error.message, "fields": dict(error.fields)}
    finally:
        default_storage.delete(upload)
    return {
        "project": outcome.project.key,
        "tasks": outcome.tasks,
        "dependencies": outcome.dependencies,
        "assigned": outcome.assigned,
        "unmatched_resources": outcome.unmatched_resources,
        "warnings": outcome.warnings,
    }
