"""Tasks across a workspace and as-you-type search, under /api/v1/workspaces/{ws}.

- GET /workspaces/{ws}/tasks?q=&order=&status=&assignee=&label=&page=&page_size= — every task of
  the projects the caller may see, filtered with the query language (`text:`/bare words are
  full-text search, best matches first unless `order` says otherwise).
- GET /workspaces/{ws}/search?q=&limit= — the command palette's search: plain text (no query
  language), the best few matches with what a result line shows; a task key (`OPS-12`) finds
  that task first.
"""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from labora.core.api_utils import actor
from labora.core.errors import NotFound
from labora.core.policy import check
from labora.work import api as work_api
from labora.work import query, search, selectors
from labora.work.api import PAGE, PAGE_SIZE, TaskPage, _task_page
from labora.work.models import Task
from labora.work.services.tasks import parse_task_key
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.selectors import workspace_for_user

router = Router(tags=["work"])


def _scope(request: HttpRequest, ws: str) -> tuple[Any, Workspace, Membership]:
    user = actor(request)
    workspace, membership = workspace_for_user(user=user, slug=ws)
    check(user, "work.view", membership)
    return user, workspace, membership


@router.get(
    "/workspaces/{ws}/tasks",
    response=TaskPage,
    url_name="workspace_task_list",
    summary="Tasks of every project you can see",
)
def workspace_task_list(
    request: HttpRequest,
    ws: str,
    status: str | None = Query(None, max_length=60),
    assignee: str | None = Query(None, max_length=254, description="an e-mail or `me`"),
    label: str | None = Query(None, max_length=60),
    q: str | None = Query(
        None,
        max_length=2000,
        description="the query language, e.g. `invoice status:open` (bare words and `text:` are full-text search)",
    ),
    order: str | None = Query(
        None,
        max_length=200,
        description="e.g. `-updated,priority`; default: best match when `q` searches text, else rank",
    ),
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
) -> HttpResponse:
    user, workspace, membership = _scope(request, ws)
    found = selectors.task_search(
        user=user,
        workspace=workspace,
        membership=membership,
        status=status,
        assignee=assignee,
        label=label,
        q=q,
        order=order,
    )
    return _task_page(request, found.tasks, page=page, page_size=page_size, found=found)


class SearchHitOut(Schema):
    key: str
    title: str
    project: str
    project_name: str
    status: str
    category: str
    url: str


class SearchOut(Schema):
    items: list[SearchHitOut]
    count: int
    next: str | None
    count_exact: bool = Field(True, description="false when `count` is a lower bound (more than 1,000 matches)")


@router.get(
    "/workspaces/{ws}/search",
    response=SearchOut,
    url_name="workspace_search",
    summary="Search tasks as you type (the command palette)",
)
def task_search(
    request: HttpRequest,
    ws: str,
    q: str = Query(..., max_length=200, description="plain text; the last word matches as a prefix"),
    limit: int = Query(8, ge=1, le=20),
) -> dict[str, Any]:
    user, workspace, membership = _scope(request, ws)
    hits: list[Task] = []
    parsed = parse_task_key(q.strip())
    if parsed is not None:
        with contextlib.suppress(NotFound):  # not a key of a task you can see: search the text
            hits.append(selectors.task_get(user=user, workspace=workspace, key=q.strip(), membership=membership))
    count = len(hits)
    exact = True
    next_url = None
    if search.Words.of([q]) is not None:
        text = query.format(query.Term("text", ":", (query.Text(q),)))
        found = selectors.task_search(user=user, workspace=workspace, membership=membership, q=text)
        # Many matches: the best of the newest RANK_WINDOW, counted up to COUNT_CAP (as the list).
        split = found.rank_window()
        shown = [t.pk for t in hits]
        matches = (split[0] if split is not None else found.tasks).exclude(pk__in=shown).prefetch_related(None)
        cap = work_api.COUNT_CAP + 1
        counted = found.walked().exclude(pk__in=shown)[:cap].count()
        exact = counted < cap
        count += counted
        hits += matches[: limit - len(hits)]
        if count > len(hits):
            next_url = request.build_absolute_uri(
                reverse("api:workspace_task_list", kwargs={"ws": workspace.slug}) + "?" + urlencode({"q": text})
            )
    return {
        "items": [
            {
                "key": t.key,
                "title": t.title,
                "project": t.project.key,
                "project_name": t.project.name,
                "status": t.status.name,
                "category": t.status.category,
                "url": reverse("task_detail", kwargs={"ws": workspace.slug, "task_key": t.key}),
            }
            for t in hits
        ],
        "count": count,
        "next": next_url,
        "count_exact": exact,
    }
