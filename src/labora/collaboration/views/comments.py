"""Comment pages: the comments section of a task (on its page and in the side panel), a project's
discussion page, the @-mention suggestions and the task reference hover card.

The task page loads the section lazily (hx-get ... hx-trigger="load"); the section's forms post
back here with an `action` (create, edit, delete, react) and get the thread list
(`#comment-threads`) back, so the composer keeps its text while the threads refresh (after a
post, or on a live `comment.*` event: frontend/js/comments.js). Errors raised by the services
become toasts for HTMX (labora.web.middleware) and leave the forms as they are.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from labora.collaboration import comment_selectors as selectors
from labora.collaboration import services
from labora.collaboration.models import MAX_COMMENT_LENGTH, REACTION_EMOJIS, Comment
from labora.core.errors import LaboraError, NotFound
from labora.core.policy import can
from labora.work.models import Project, Task
from labora.work.permissions import access_of
from labora.work.views.projects import project_for
from labora.work.views.tasks import task_for
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.views import Request, workspace_page

# Threads shown at first; older ones come with "Show earlier comments" (?all=1).
RECENT_THREADS = 30
MAX_THREADS = 500
REVISIONS_SHOWN = 50


def _section(
    request: Request, workspace: Workspace, membership: Membership, *, task: Task | None, project: Project
) -> dict[str, Any]:
    roots = selectors.thread_roots(task=task, project=None if task is not None else project)
    total = roots.count()
    show_all = request.GET.get("all") == "1"
    if show_all or total <= RECENT_THREADS:
        threads = list(roots[:MAX_THREADS])
        hidden = max(0, total - MAX_THREADS)
    else:
        threads = list(roots[total - RECENT_THREADS :])
        hidden = total - RECENT_THREADS
    selectors.decorate(threads, viewer=request.user, workspace=workspace, membership=membership)
    access = access_of(membership, project)
    if task is not None:
        url = reverse("task_comments", kwargs={"ws": workspace.slug, "task_key": task.key})
    else:
        url = reverse("project_discussion", kwargs={"ws": workspace.slug, "key": project.key})
    return {
        "workspace": workspace,
        "project": project,
        "task": task,
        "threads": threads,
        "hidden_threads": hidden,
        "comment_count": sum((t.deleted_at is None) + len(getattr(t, "reply_list", [])) for t in threads),
        "comments_url": url,
        "can_comment": can(request.user, "comment.create", access),
        "can_moderate": can(request.user, "comment.moderate", access),
        "emojis": REACTION_EMOJIS,
        "max_length": MAX_COMMENT_LENGTH,
        "me": request.user,
    }


def _act(request: Request, *, task: Task | None, project: Project) -> str:
    """Run the posted action through the services; returns what to tell the user."""
    action = request.POST.get("action", "")
    target: dict[str, Any] = {"task": task} if task is not None else {"project": project}

    def comment() -> Comment:
        return selectors.comment_get(**target, comment_id=request.POST.get("comment", ""))

    def version() -> int | None:
        raw = request.POST.get("version", "")
        return int(raw) if raw.isdigit() else None

    if action == "create":
        parent_id = request.POST.get("parent", "")
        parent = selectors.comment_get(**target, comment_id=parent_id) if parent_id else None
        services.comment_create(actor=request.user, **target, body=request.POST.get("body"), parent=parent)
        return "Reply posted." if parent else "Comment posted."
    if action == "edit":
        services.comment_update(actor=request.user, comment=comment(), body=request.POST.get("body"), version=version())
        return "Comment updated."
    if action == "delete":
        services.comment_delete(actor=request.user, comment=comment(), version=version())
        return "Comment deleted."
    if action == "react":
        on = services.reaction_toggle(actor=request.user, comment=comment(), emoji=request.POST.get("emoji"))
        return "Reaction added." if on else "Reaction removed."
    raise NotFound(f"Unknown action {action!r}: use create, edit, delete or react.")


def _respond(
    request: Request, workspace: Workspace, membership: Membership, *, task: Task | None, project: Project, page: str
) -> HttpResponse:
    if request.method == "POST":
        try:
            done = _act(request, task=task, project=project)
        except LaboraError as exc:
            if request.htmx:
                raise  # a toast; the form keeps what was typed
            messages.error(request, exc.message)
            return redirect(request.POST.get("next") or request.path)
        if not request.htmx:
            messages.success(request, done)
            return redirect(request.POST.get("next") or request.path)
        context = _section(request, workspace, membership, task=task, project=project)
        response = render(request, "collaboration/_comments.html#threads", context)
        response["HX-Trigger"] = "labora:comments-saved"
        return response
    context = _section(request, workspace, membership, task=task, project=project)
    if request.htmx and request.GET.get("part") == "threads":
        return render(request, "collaboration/_comments.html#threads", context)
    if request.htmx or page == "section":
        return render(request, "collaboration/_comments.html", context)
    return render(request, "collaboration/discussion.html", context)


@workspace_page
def task_comments(request: Request, workspace: Workspace, membership: Membership, task_key: str) -> HttpResponse:
    task = task_for(workspace, task_key, user=request.user, membership=membership)
    if not request.htmx and request.method == "GET":
        return redirect(reverse("task_detail", kwargs={"ws": workspace.slug, "task_key": task.key}) + "#comments")
    return _respond(request, workspace, membership, task=task, project=task.project, page="section")


@workspace_page
def project_discussion(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    project = project_for(workspace, key, user=request.user, membership=membership)
    return _respond(request, workspace, membership, task=None, project=project, page="discussion")


@workspace_page
@require_GET
def comment_history(
    request: Request,
    workspace: Workspace,
    membership: Membership,
    task_key: str = "",
    key: str = "",
    comment_id: str = "",
) -> HttpResponse:
    if task_key:
        task = task_for(workspace, task_key, user=request.user, membership=membership)
        comment = selectors.comment_get(task=task, comment_id=comment_id)
    else:
        project = project_for(workspace, key, user=request.user, membership=membership)
        comment = selectors.comment_get(project=project, comment_id=comment_id)
    revisions = list(selectors.comment_revisions(comment=comment)[:REVISIONS_SHOWN])
    return render(request, "collaboration/_comment_history.html", {"comment": comment, "revisions": revisions})


@workspace_page
@require_GET
def mention_suggestions(request: Request, workspace: Workspace, membership: Membership) -> HttpResponse:
    """The listbox of people and teams for the composer's "@" (HTML, not JSON: pages speak HTML)."""
    project = None
    key = request.GET.get("project", "")
    if key:
        project = project_for(workspace, key, user=request.user, membership=membership)
    options = selectors.mention_candidates(workspace=workspace, project=project, query=request.GET.get("q", ""))
    return render(request, "collaboration/_mention_options.html", {"options": options})


@workspace_page
@require_GET
def task_ref_card(request: Request, workspace: Workspace, membership: Membership, task_key: str) -> HttpResponse:
    """The small card shown over a task reference: key, title, status, assignee (or 404)."""
    try:
        task = task_for(workspace, task_key, user=request.user, membership=membership)
    except Http404:
        return HttpResponse(status=404)
    return render(request, "collaboration/_task_card.html", {"task": task, "workspace": workspace})


urlpatterns = [
    path("w/<slug:ws>/tasks/<str:task_key>/comments/", task_comments, name="task_comments"),
    path(
        "w/<slug:ws>/tasks/<str:task_key>/comments/<str:comment_id>/history/",
        comment_history,
        name="task_comment_history",
    ),
    path("w/<slug:ws>/tasks/<str:task_key>/card/", task_ref_card, name="task_ref_card"),
    path("w/<slug:ws>/projects/<str:key>/discussion/", project_discussion, name="project_discussion"),
    path(
        "w/<slug:ws>/projects/<str:key>/discussion/<str:comment_id>/history/",
        comment_history,
        name="project_comment_history",
    ),
    path("w/<slug:ws>/mentions/", mention_suggestions, name="mention_suggestions"),
]
