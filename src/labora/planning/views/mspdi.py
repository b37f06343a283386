"""Import from MS Project: upload an MSPDI (.xml) file, choose the new project's key and name, and
see what came across (tasks, dependencies, calendar, assignees and the resources that matched
nobody). A thin adapter over labora.planning.services.project_import_mspdi, which reads the file
with defusedxml after a size check and writes all of it or nothing; its 422 messages (wrong root,
entity expansion, too big, a cycle) are shown on the form.

A file up to INLINE_BYTES imports inside the request (the shared test files, up to 260 KB, take
about 0.3 s); a bigger one is kept in the default storage and imported by a background job
(labora.planning.tasks), since 5,000 tasks (1.5 MB) take about 10 s on SQLite. The page then
polls for the job's status with HTMX and shows the summary, or the service's error, when it ends.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from labora.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from labora.core.jobs import job_progress
from labora.core.policy import can
from labora.planning import selectors, services
from labora.planning.mspdi.reader import MAX_BYTES
from labora.planning.services import ImportOutcome
from labora.planning.tasks import project_import_mspdi_job
from labora.work import selectors as work_selectors
from labora.work.models import Project
from labora.workspaces.forms import apply_error
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.views import Request, workspace_page

INLINE_BYTES = 512 * 1024
UPLOADS = "planning-imports"


class MspdiImportForm(forms.Form):
    file = forms.FileField(
        label="MS Project XML file",
        help_text=f"Saved from MS Project or ProjectLibre as “XML” (.xml, up to {MAX_BYTES // (1024 * 1024)} MB).",
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml,text/xml", "class": "input"}),
    )
    key = forms.CharField(
        label="Project key",
        max_length=10,
        help_text="2 to 10 letters or digits, starting with a letter; task keys will read KEY-1, KEY-2…",
        widget=forms.TextInput(attrs={"class": "input mono", "placeholder": "PLAN", "autocapitalize": "characters"}),
    )
    name = forms.CharField(
        label="Project name",
        max_length=200,
        required=False,
        help_text="Leave empty to use the title saved in the file.",
        widget=forms.TextInput(attrs={"class": "input"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size // (1024 * 1024)} MB; MS Project XML files up to "
                f"{MAX_BYTES // (1024 * 1024)} MB are accepted. Nothing was imported."
            )
        return upload


@dataclass(frozen=True)
class ImportSummary:
    """What the summary shows (the service's ImportOutcome, or a background job's answer)."""

    project: Project
    tasks: int
    dependencies: int
    assigned: int
    unmatched_resources: list[str]
    warnings: list[str]


@dataclass(frozen=True)
class JobState:
    id: str
    status: str
    seconds: int
    done: int = 0  # steps the job reported done (labora.core.jobs), of
    total: int = 0  # 0 = it has reported nothing yet

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0


def _save_upload(upload: Any) -> str:
    """Keep the uploaded file for the background job (it deletes it); its storage name."""
    return default_storage.save(f"{UPLOADS}/{uuid.uuid4().hex}.xml", upload)


def _job(workspace: Workspace, user: Any, job_id: str) -> Any:
    """The import job `job_id` if this user started it in this workspace; else the 404 page."""
    try:
        job = project_import_mspdi_job.get_result(job_id)
    except (TaskResultDoesNotExist, ValueError, NotImplementedError):  # unknown; or a backend that keeps none
        raise Http404("No such import: upload the file again.") from None
    if job.args[:2] != [workspace.pk, user.pk]:
        raise Http404("No such import: upload the file again.")
    return job


def _finished(
    request: Request, workspace: Workspace, membership: Membership, job: Any
) -> tuple[ImportSummary | None, str]:
    """The summary of a finished job; or None and what went wrong (nothing was imported)."""
    if job.status == TaskResultStatus.FAILED:
        return None, "The import failed unexpectedly and nothing was imported. Try again, or ask an admin."
    answer = job.return_value
    if "error" in answer:
        return None, str(answer["error"])
    try:
        project = work_selectors.project_get(
            user=request.user, workspace=workspace, membership=membership, key=answer["project"]
        )
    except NotFound as exc:
        raise Http404(exc.message) from None
    summary = ImportSummary(
        project=project,
        tasks=answer["tasks"],
        dependencies=answer["dependencies"],
        assigned=answer["assigned"],
        unmatched_resources=list(answer["unmatched_resources"]),
        warnings=list(answer["warnings"]),
    )
    return summary, ""


@workspace_page
def project_import_mspdi(request: Request, workspace: Workspace, membership: Membership) -> HttpResponse:
    if not can(request.user, "project.create", membership):
        raise PermissionDenied("Only members of the workspace can import projects; guests and clients cannot.")
    form = MspdiImportForm(request.POST or None, request.FILES or None)
    outcome: ImportOutcome | ImportSummary | None = None
    job_state = None
    job_error = ""
    status = 200
    job_id = request.GET.get("job", "")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        key = form.cleaned_data["key"].strip().upper()
        name = form.cleaned_data["name"] or ""
        if upload.size <= INLINE_BYTES:
            try:
                outcome = services.project_import_mspdi(
                    actor=request.user, workspace=workspace, source=upload, key=key, name=name or None
                )
            except (ValidationError, Conflict) as exc:
                apply_error(form, exc)
                status = exc.status
        else:
            job = project_import_mspdi_job.enqueue(workspace.pk, request.user.pk, _save_upload(upload), key, name)
            if not job.is_finished:  # a worker will run it: follow it on this page
                return redirect(f"{reverse('project_import_mspdi', kwargs={'ws': workspace.slug})}?job={job.id}")
            outcome, job_error = _finished(request, workspace, membership, job)  # a backend that ran it at once
            status = 200 if outcome else 422
    elif request.method == "POST":
        status = 422
    elif job_id:
        job = _job(workspace, request.user, job_id)
        if job.is_finished:
            form = MspdiImportForm(initial={"key": job.args[3], "name": job.args[4]})
            outcome, job_error = _finished(request, workspace, membership, job)
            status = 200 if outcome else 422
        else:
            started = job.started_at or job.enqueued_at
            seconds = int((timezone.now() - started).total_seconds()) if started else 0
            progress = job_progress(str(job.id))
            job_state = JobState(
                job.id, str(job.status), seconds, progress.done if progress else 0, progress.total if progress else 0
            )
    context = {
        "workspace": workspace,
        "form": form,
        "outcome": outcome,
        "calendar": selectors.project_calendar(project=outcome.project) if outcome else None,
        "job": job_state,
        "job_error": job_error,
        "poll_url": f"{request.path}?job={job_state.id}" if job_state else "",
        "max_mb": MAX_BYTES // (1024 * 1024),
    }
    template = "planning/mspdi_import.html"
    if request.htmx and job_id:
        template += "#import-result"
    return render(request, template, context, status=status)


urlpatterns = [
    path("w/<slug:ws>/projects/import/ms-project/", project_import_mspdi, name="project_import_mspdi"),
]
