""" "My work": the open tasks assigned to the signed-in user across the workspace's projects,
grouped by when they are due (Overdue, Today, This week, Later, No due date), then the open
tasks they watch (most recently changed first)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from labora.work import query_compiler, selectors
from labora.work.models import Task
from labora.work.views.projects import CATEGORY_BADGE
from labora.work.views.tasks import PRIORITY_BADGE
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.views import Request, workspace_page

WATCHED_LIMIT = 50

BUCKETS = [
    ("overdue", "Overdue"),
    ("today", "Today"),
    ("week", "This week"),
    ("later", "Later"),
    ("none", "No due date"),
]


def due_bucket(due: datetime.date | None, today: datetime.date) -> str:
    """Which group a due date falls in; "this week" runs until Sunday of today's week."""
    if due is None:
        return "none"
    if due < today:
        return "overdue"
    if due == today:
        return "today"
    end_of_week = today + datetime.timedelta(days=6 - today.weekday())
    return "week" if due <= end_of_week else "later"


def group_by_due(tasks: Iterable[Task], today: datetime.date) -> list[dict[str, Any]]:
    """The non-empty groups, in BUCKETS order, each {"key", "heading", "tasks"}; tasks keep their order."""
    buckets: dict[str, list[Task]] = {key: [] for key, _ in BUCKETS}
    for task in tasks:
        buckets[due_bucket(task.due_date, today)].append(task)
    return [{"key": key, "heading": heading, "tasks": buckets[key]} for key, heading in BUCKETS if buckets[key]]


def _rows(tasks: Iterable[Task]) -> list[dict[str, Any]]:
    return [
        {
            "task": task,
            "status_badge": CATEGORY_BADGE[task.status.category],
            "priority_badge": PRIORITY_BADGE.get(task.priority, ""),
        }
        for task in tasks
    ]


@workspace_page
def my_work(request: Request, workspace: Workspace, membership: Membership) -> HttpResponse:
    today = query_compiler.user_today(request.user)
    tasks = list(selectors.my_open_tasks(workspace=workspace, user=request.user, membership=membership))
    groups = group_by_due(tasks, today)
    for group in groups:
        group["rows"] = _rows(group["tasks"])
    watched = list(
        selectors.my_watched_tasks(workspace=workspace, user=request.user, membership=membership)[: WATCHED_LIMIT + 1]
    )
    context = {
        "workspace": workspace,
        "groups": groups,
        "task_count": len(tasks),
        "today": today,
        "watched": {
            "key": "watched",
            "heading": "Tasks I watch",
            "rows": _rows(watched[:WATCHED_LIMIT]),
            "more": len(watched) > WATCHED_LIMIT,
        },
    }
    return render(request, "work/my_work.html", context)


urlpatterns = [
    path("w/<slug:ws>/my-work/", my_work, name="my_work"),
]
