"""The project board: columns per workflow status (or per assignee, or per priority), optional
swimlanes per assignee, cards in rank order, drag and drop, quick add, a query filter.

Thin adapters over labora.work.selectors.task_list (one call, a constant number of queries; the
cards are then laid out in Python) and the relocate.task_drop / task_create services. A drop is
posted by frontend/js/board.js to `task_move` with the card's neighbours and what the column or
lane it landed in stands for (status, assignee or priority); a refused move answers 422 with
the reason, which the script shows as a toast after putting the card back.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.safestring import SafeString, mark_safe

from labora.accounts.models import User
from labora.core.errors import Conflict, NotFound, ValidationError
from labora.core.policy import can
from labora.web.templatetags.labora_ui import icon, tone
from labora.work import query_compiler, selectors
from labora.work.models import PRIORITY_NAME, Priority, Project, Status, Task, ViewLayout
from labora.work.permissions import access_of
from labora.work.services import relocate
from labora.work.services import tasks as task_services
from labora.work.services._common import UNSET
from labora.work.views.compression import gzip_page
from labora.work.views.projects import project_for
from labora.work.views.saved_views import views_bar_context
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.selectors import members_list
from labora.workspaces.views import Request, workspace_page

CALENDAR_ICON = icon("calendar")
PRIORITY_CLASS = {4: "prio-urgent", 3: "prio-high", 2: "prio-medium", 1: "prio-low"}
# How the board lays out its cards: "" = a column per status.
BOARD_GROUPS = [
    ("", "Status"),
    ("assignee", "Assignee"),
    ("priority", "Priority"),
    ("lanes", "Status, lanes by assignee"),
]
# Assignee columns list every member of a small workspace (so a card can go to someone with no
# cards yet); in a larger one only the people who have cards on the board, and the viewer.
ALL_MEMBERS_UP_TO = 20


@dataclass
class Column:
    """One column (or one cell of a swimlane): what a card dropped here gets, and its cards.

    `field` is "status", "assignee" or "priority"; `value` the status name, the assignee's
    e-mail ("" = unassigned) or the priority name."""

    key: str
    title: str
    field: str
    value: str
    tasks: list[Any] = dataclasses.field(default_factory=list)
    status: Status | None = None
    user: Any = None
    dot: str = ""

    @property
    def count(self) -> int:
        return len(self.tasks)

    @property
    def wip_limit(self) -> int | None:
        return self.status.wip_limit if self.status is not None else None

    @property
    def at_limit(self) -> bool:
        return self.wip_limit is not None and self.count >= self.wip_limit


@dataclass
class Lane:
    """A swimlane: the cards of one assignee (None = unassigned), per status."""

    user: Any
    columns: list[Column]

    @property
    def key(self) -> str:
        return str(self.user.public_id) if self.user is not None else "none"

    @property
    def email(self) -> str:
        return self.user.email if self.user is not None else ""

    @property
    def count(self) -> int:
        return sum(c.count for c in self.columns)


class CardUrls:
    """A card's links, made by string substitution from one reverse() each: a board of 500
    cards would otherwise spend a third of its time resolving URLs."""

    PLACEHOLDER = "KEY-0"

    def __init__(self, workspace: Workspace) -> None:
        kwargs = {"ws": workspace.slug, "task_key": self.PLACEHOLDER}
        self.detail = reverse("task_detail", kwargs=kwargs)
        self.move = reverse("task_move", kwargs=kwargs)

    def apply(self, task: Task) -> None:
        key = task.key
        task.detail_url = self.detail.replace(self.PLACEHOLDER, key)  # type: ignore[attr-defined]
        task.move_url = self.move.replace(self.PLACEHOLDER, key)  # type: ignore[attr-defined]


class _Label:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class BoardCard:
    """What a card and the board's layout read of a task, built from one row (no model instances:
    for 500 cards, building Task, User and Label objects was a third of the page's CPU)."""

    __slots__ = (
        "assignee",
        "assignee_id",
        "card_html",
        "detail_url",
        "due_date",
        "labels",
        "move_url",
        "number",
        "overdue",
        "pk",
        "priority",
        "priority_class",
        "project",
        "status",
        "status_id",
        "title",
        "version",
    )

    COLUMNS = ("pk", "number", "version", "title", "priority", "status_id", "assignee_id", "due_date")

    def __init__(
        self, row: tuple[Any, ...], project: Project, status: Status, assignee: Any, labels: list[str]
    ) -> None:
        (
            self.pk,
            self.number,
            self.version,
            self.title,
            self.priority,
            self.status_id,
            self.assignee_id,
            self.due_date,
        ) = row
        self.project = project
        self.status = status
        self.assignee = assignee
        self.labels = labels

    @property
    def key(self) -> str:
        return f"{self.project.key}-{self.number}"

    @property
    def priority_name(self) -> str:
        return PRIORITY_NAME[self.priority]

    def label_objects(self) -> list[_Label]:
        return [_Label(name) for name in self.labels]


def board_cards(found: Any, project: Project, statuses: list[Status]) -> list[BoardCard]:
    """The tasks of `found` (a task_list queryset) as BoardCards, in its order: three queries
    (the rows, their labels, their assignees) whatever the number of cards."""
    rows = list(found.prefetch_related(None).values_list(*BoardCard.COLUMNS))
    if not rows:
        return []
    ids = [row[0] for row in rows]
    labels: dict[int, list[str]] = {}
    through = Task.labels.through.objects.filter(task_id__in=ids, label__deleted_at__isnull=True)
    for task_id, name in through.order_by("label__name", "label_id").values_list("task_id", "label__name"):
        labels.setdefault(task_id, []).append(name)
    people = {user.pk: user for user in User.objects.filter(pk__in={row[6] for row in rows if row[6] is not None})}
    status_by_id = {s.pk: s for s in statuses}
    return [
        BoardCard(
            row,
            project,
            status_by_id[row[5]],
            people.get(row[6]) if row[6] is not None else None,
            labels.get(row[0], []),
        )
        for row in rows
    ]


def _decorate(
    task: Any,
    today: Any,
    urls: CardUrls | None = None,
    *,
    can_write: bool = False,
    people: dict[int, str] | None = None,
) -> Any:
    """Work out everything a card shows and render it (`task.card_html`)."""
    task.priority_class = PRIORITY_CLASS.get(task.priority, "")
    due = task.due_date
    task.overdue = due is not None and due < today and not task.status.is_closed
    if urls is not None:
        urls.apply(task)
        task.card_html = card_html(task, can_write=can_write, people=people)
    return task


def _person_html(assignee: Any) -> str:
    name = escape(assignee.display_name)
    return (
        f'<span class="board-assignee" title="{name}"><span class="avatar avatar-xs {tone(assignee)}" '
        f'title="{name}" aria-hidden="true">{escape(assignee.initials)}</span>'
        f'<span class="sr-only">Assigned to {name}</span></span>'
    )


def card_html(task: Any, *, can_write: bool, people: dict[int, str] | None = None) -> SafeString:
    """One board card. Written in Python rather than as an included template: a board of 500
    cards spent most of its time in the template engine (docs/performance.md). Every value
    from the database goes through escape() (the standard library's: Django's is the same
    function behind a lazy-string wrapper that cost a tenth of the board). `people` caches each
    assignee's avatar markup for the board being rendered."""
    key = escape(task.key)
    detail = escape(task.detail_url)
    prio = task.priority_class
    move = f' data-move-url="{escape(task.move_url)}"' if can_write else ""
    parts = [
        f'<li class="board-card{" " + prio if prio else ""}" id="card-{key}" data-key="{key}" '
        f'data-version="{task.version}"{move}>'
        f'<div class="board-card-top"><a class="board-card-key mono" href="{detail}" data-panel-link '
        f'data-task="{key}">{key}</a>'
    ]
    if prio:
        name = escape(task.priority_name)
        parts.append(
            f'<span class="prio {prio}" title="Priority: {name}"><span class="prio-bars" aria-hidden="true">'
            f'<i></i><i></i><i></i></span><span class="sr-only">Priority {name}</span></span>'
        )
    parts.append(
        f'</div><a class="board-card-title" href="{detail}" data-panel-link data-task="{key}">{escape(task.title)}</a>'
    )
    labels = task.label_objects()
    if labels:
        tags = "".join(f'<span class="tag">{escape(label.name)}</span>' for label in labels)
        parts.append(f'<div class="board-card-labels">{tags}</div>')
    due = task.due_date
    assignee = task.assignee if task.assignee_id is not None else None
    if due is not None or assignee is not None:
        parts.append('<div class="board-card-meta">')
        if due is not None:
            late = " is-overdue" if task.overdue else ""
            parts.append(
                f'<time class="board-due{late}" datetime="{due.isoformat()}" title="Due {due:%a} {due.day} '
                f'{due:%b %Y}{" (overdue)" if task.overdue else ""}">{CALENDAR_ICON} {due.day} {due:%b}</time>'
            )
        else:
            parts.append("<span></span>")
        if assignee is not None:
            if people is None:
                parts.append(_person_html(assignee))
            else:
                if assignee.pk not in people:
                    people[assignee.pk] = _person_html(assignee)
                parts.append(people[assignee.pk])
        parts.append("</div>")
    parts.append("</li>")
    return mark_safe("".join(parts))  # built from escaped values above


def status_columns(statuses: list[Status], tasks: list[Any]) -> list[Column]:
    columns = {
        s.pk: Column(key=str(s.pk), title=s.name, field="status", value=s.name, status=s, dot=s.category)
        for s in statuses
    }
    for task in tasks:
        columns[task.status_id].tasks.append(task)
    return list(columns.values())


def priority_columns(tasks: list[Any]) -> list[Column]:
    columns = {
        value: Column(key=f"p{value}", title=label.capitalize(), field="priority", value=label, dot=f"prio-{label}")
        for value, label in sorted(Priority.choices, reverse=True)
    }
    for task in tasks:
        columns[task.priority].tasks.append(task)
    return list(columns.values())


def _people(tasks: list[Any], members: list[Membership], viewer: Any) -> list[Any]:
    """The people a board by assignee shows, by name: see ALL_MEMBERS_UP_TO."""
    people = {task.assignee_id: task.assignee for task in tasks if task.assignee_id is not None}
    active = [m.user for m in members if m.user.is_active]
    if len(active) <= ALL_MEMBERS_UP_TO:
        people.update({user.pk: user for user in active})
    elif any(user.pk == viewer.pk for user in active):
        people.setdefault(viewer.pk, viewer)
    return sorted(people.values(), key=lambda user: (user.display_name.lower(), user.pk))


def assignee_columns(tasks: list[Any], people: list[Any]) -> list[Column]:
    columns: dict[int | None, Column] = {
        user.pk: Column(key=f"u{user.pk}", title=user.display_name, field="assignee", value=user.email, user=user)
        for user in people
    }
    columns[None] = Column(key="unassigned", title="Unassigned", field="assignee", value="")
    for task in tasks:
        columns[task.assignee_id].tasks.append(task)
    return list(columns.values())


def assignee_lanes(statuses: list[Status], tasks: list[Any]) -> list[Lane]:
    """One lane per assignee with cards (by name), then Unassigned (always: a card can be
    dropped there to unassign it)."""
    people = {task.assignee_id: task.assignee for task in tasks if task.assignee_id is not None}
    order: list[Any] = sorted(people.values(), key=lambda user: (user.display_name.lower(), user.pk))
    order.append(None)
    return [
        Lane(
            user=user,
            columns=status_columns(
                statuses, [t for t in tasks if t.assignee_id == (user.pk if user is not None else None)]
            ),
        )
        for user in order
    ]


def _board_context(request: Request, workspace: Workspace, membership: Membership, project: Project) -> dict[str, Any]:
    group = request.GET.get("group", "").strip()
    if request.GET.get("swimlanes") == "assignee":  # the address of the first version of the board
        group = "lanes"
    if group not in dict(BOARD_GROUPS):
        group = ""
    params = {"q": request.GET.get("q", "").strip(), "group": group}
    today = query_compiler.user_today(request.user)
    statuses = selectors.workflow_get(project=project)[0]
    query_error = None
    tasks: list[Any] = []
    urls = CardUrls(workspace)
    can_write = can(request.user, "task.write", access_of(membership, project))
    try:
        found = selectors.task_list(
            user=request.user, workspace=workspace, project=project, q=params["q"], today=today, membership=membership
        )
        # Only what a card shows, as rows: the project and statuses are already at hand, and the
        # assignees are a few dozen people however many cards they hold.
        people: dict[int, str] = {}
        tasks = [
            _decorate(card, today, urls, can_write=can_write, people=people)
            for card in board_cards(found, project, statuses)
        ]
    except ValidationError as exc:
        if exc.code != "invalid_query":
            raise
        query_error = exc.message
    lanes = None
    if group == "assignee":
        columns = assignee_columns(tasks, _people(tasks, list(members_list(workspace=workspace)), request.user))
    elif group == "priority":
        columns = priority_columns(tasks)
    else:
        columns = status_columns(statuses, tasks)
        if group == "lanes":
            lanes = assignee_lanes(statuses, tasks)
    base = reverse("project_board", kwargs={"ws": workspace.slug, "key": project.key})
    return {
        "workspace": workspace,
        "project": project,
        "params": params,
        "group": group,
        "group_choices": BOARD_GROUPS,
        "columns": columns,
        "lanes": lanes,
        "swimlanes": lanes is not None,
        "query_error": query_error,
        "card_count": len(tasks),
        "can_write": can_write,
        "view_param": request.GET.get("view", "").strip(),
        "refresh_url": f"{base}?{urlencode({k: v for k, v in request.GET.items() if k != 'task'})}",
    }


@gzip_page  # 550 KB of cards for 500 tasks: docs/decisions/0010-page-compression.md
@workspace_page
def project_board(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    project = project_for(workspace, key, user=request.user, membership=membership)
    if request.method == "POST":
        return _quick_add(request, workspace, membership, project)
    context = _board_context(request, workspace, membership, project)
    if request.htmx and request.htmx.target == "board":
        return render(request, "work/board.html#board", context)
    context.update(
        views_bar_context(
            request,
            workspace,
            membership,
            project,
            layout=ViewLayout.BOARD,
            params={"q": context["params"]["q"], "group": context["params"]["group"]},
        )
    )
    return render(request, "work/board.html", context)


def _quick_add(request: Request, workspace: Workspace, membership: Membership, project: Project) -> HttpResponse:
    """Create a task at the bottom of the column it was typed in."""
    status_name = request.POST.get("status", "")
    error = None
    try:
        task = task_services.task_create(
            actor=request.user, project=project, title=request.POST.get("title", ""), status=status_name
        )
    except ValidationError as exc:
        error = exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, f"{task.key} added to {task.status.name}.")
        return redirect("project_board", ws=workspace.slug, key=project.key)
    context = _board_context(request, workspace, membership, project)
    column = next((c for c in context["columns"] if c.field == "status" and c.value == status_name), None)
    if column is None:
        raise Http404("No such column.")
    response = render(request, "work/board.html#column", {**context, "column": column, "quick_add_error": error})
    if error:
        response["HX-Trigger"] = json.dumps({"labora:toast": {"message": error, "level": "error"}})
    return response


def _fetched(request: Request) -> bool:
    return bool(request.htmx) or request.headers.get("X-Requested-With") == "fetch"


@workspace_page
def task_move(request: Request, workspace: Workspace, membership: Membership, task_key: str) -> HttpResponse:
    """POST before/after/version and status, assignee (an e-mail, "" = unassign) or priority:
    place the card; the re-rendered card, or 422 and why."""
    if request.method != "POST":
        return redirect("workspace_home", ws=workspace.slug)
    try:
        task = selectors.task_get(user=request.user, workspace=workspace, key=task_key, membership=membership)
    except NotFound as exc:
        raise Http404(exc.message) from None
    version_text = request.POST.get("version", "").strip()
    try:
        moved = relocate.task_drop(
            actor=request.user,
            task=task,
            before_key=request.POST.get("before") or None,
            after_key=request.POST.get("after") or None,
            status=request.POST.get("status") or None,
            assignee=request.POST["assignee"].strip() if "assignee" in request.POST else UNSET,
            priority=request.POST.get("priority") or None,
            version=int(version_text) if version_text.isdigit() else None,
        )
    except (ValidationError, Conflict, NotFound) as exc:
        if not _fetched(request):
            messages.error(request, exc.message)
            return redirect("project_board", ws=workspace.slug, key=task.project.key)
        response = HttpResponse(exc.message, status=422, content_type="text/plain; charset=utf-8")
        response["HX-Trigger"] = json.dumps({"labora:toast": {"message": exc.message, "level": "error"}})
        return response
    if not _fetched(request):
        messages.success(request, f"{moved.key} moved to {moved.status.name}.")
        return redirect("project_board", ws=workspace.slug, key=moved.project.key)
    fresh = selectors.task_get(user=request.user, workspace=workspace, key=moved.key, membership=membership)
    writable = can(request.user, "task.write", access_of(membership, fresh.project))
    _decorate(fresh, query_compiler.user_today(request.user), CardUrls(workspace), can_write=writable)
    return HttpResponse(fresh.card_html)  # type: ignore[attr-defined]


urlpatterns = [
    path("w/<slug:ws>/projects/<str:key>/board/", project_board, name="project_board"),
    path("w/<slug:ws>/tasks/<str:task_key>/move/", task_move, name="task_move"),
]
