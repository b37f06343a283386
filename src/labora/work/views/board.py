"""The project board: columns per workflow status (or per assignee, or per priority), optional
swimlanes per assignee, cards in rank order, drag and drop, quick add, a query filter.

Thin adapters over labora.work.selectors.task_list (one call, a constant number of queries; the
cards are then laid out in Python) and the relocate.task_drop / task_create services. A drop is
posted by frontend/js/board.js to `task_move` with the card's neighbours and what the column or
lane it landed in stands for (status, assignee or priority); a refused move answers 422 with
the reason, which the script shows as a toast after putting the card back.

A long column (or swimlane cell) shows its first BOARD_COLUMN_PAGE cards and a "Show N more"
link: `?column=<key>[&lane=<key>]&after=<last card shown>` answers the next page of that column
as cards (htmx) or the whole board with that column longer (a plain request). Every page of the
board reads the same rows (one query) and renders only the cards it shows; the headers count
every card of their column. A live refresh of the whole board sends `long=<cell>:<n>,...` for
the cells that show more than the first page, so the cards "Show more" loaded stay.
"""

from __future__ import annotations

import bisect
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
# A column (or swimlane cell) renders this many cards, then a "Show N more" link for the next ones.
BOARD_COLUMN_PAGE = 200


@dataclass
class Column:
    """One column (or one cell of a swimlane): what a card dropped here gets, and its cards.

    `field` is "status", "assignee" or "priority"; `value` the status name, the assignee's
    e-mail ("" = unassigned) or the priority name. `tasks` are all its cards in rank order,
    `shown` the ones rendered (see _page); `lane` the swimlane's key for a cell of one."""

    key: str
    title: str
    field: str
    value: str
    tasks: list[Any] = dataclasses.field(default_factory=list)
    status: Status | None = None
    user: Any = None
    dot: str = ""
    lane: str = ""
    shown: list[Any] = dataclasses.field(default_factory=list)
    more_url: str = ""
    more_count: int = 0  # how many cards the "Show more" link fetches
    more_left: int = 0  # how many are after the cards shown

    @property
    def count(self) -> int:
        """Every card of the column, shown or not."""
        return len(self.tasks)

    @property
    def dom_id(self) -> str:
        return f"{self.lane}-{self.key}" if self.lane else self.key

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


def board_cards(found: Any, project: Project, statuses: list[Status], *, labels: bool = True) -> list[BoardCard]:
    """The tasks of `found` (a task_list queryset) as BoardCards, in its order: three queries
    (the rows, their assignees, their labels) whatever the number of cards. With labels=False
    the cards come without their labels (two queries): board_labels adds them to the few shown."""
    rows = list(found.prefetch_related(None).values_list(*BoardCard.COLUMNS))
    if not rows:
        return []
    people = {user.pk: user for user in User.objects.filter(pk__in={row[6] for row in rows if row[6] is not None})}
    status_by_id = {s.pk: s for s in statuses}
    cards = [
        BoardCard(row, project, status_by_id[row[5]], people.get(row[6]) if row[6] is not None else None, [])
        for row in rows
    ]
    if labels:
        board_labels(cards)
    return cards


def board_labels(cards: list[BoardCard]) -> None:
    """Give `cards` their live labels, by name: one query (none for no cards)."""
    if not cards:
        return
    by_id = {card.pk: card for card in cards}
    through = Task.labels.through.objects.filter(task_id__in=list(by_id), label__deleted_at__isnull=True)
    for task_id, name in through.order_by("label__name", "label_id").values_list("task_id", "label__name"):
        by_id[task_id].labels.append(name)


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
    lanes = [
        Lane(
            user=user,
            columns=status_columns(
                statuses, [t for t in tasks if t.assignee_id == (user.pk if user is not None else None)]
            ),
        )
        for user in order
    ]
    for lane in lanes:
        for cell in lane.columns:
            cell.lane = lane.key
    return lanes


@dataclass
class MoreOf:
    """Which column (or swimlane cell) a "Show more" asks for, and from where: after the card
    `after` (where it is now on the board), or, when that card is no longer on it, after the
    first `shown` cards."""

    column: str
    lane: str
    after: str
    shown: int

    @classmethod
    def of(cls, request: Request) -> MoreOf | None:
        column = request.GET.get("column", "").strip()
        if not column:
            return None
        shown = request.GET.get("shown", "").strip()
        return cls(
            column=column,
            lane=request.GET.get("lane", "").strip(),
            after=request.GET.get("after", "").strip().upper(),
            shown=int(shown) if shown.isdigit() else 0,
        )

    def matches(self, cell: Column) -> bool:
        return cell.key == self.column and cell.lane == self.lane

    def start(self, cell: Column, cards: list[BoardCard]) -> int:
        """Where in `cell` the cards after the cursor begin."""
        if self.after:
            where = {card.key: i for i, card in enumerate(cards)}.get(self.after)
            if where is not None:
                # Cards keep the board's (rank) order inside a column: count those before the cursor.
                position = {card.pk: i for i, card in enumerate(cards)}
                return bisect.bisect_right([position[card.pk] for card in cell.tasks], where)
        return min(self.shown, cell.count)


def _page(
    cells: list[Column],
    cards: list[BoardCard],
    more_url: str,
    *,
    more: MoreOf | None = None,
    partial: bool = False,
    extra: int | None = None,
    longer: dict[str, int] | None = None,
) -> list[BoardCard]:
    """Choose the cards each cell renders (`shown`) and its "Show more" link; answer them all.

    A cell shows its first BOARD_COLUMN_PAGE cards, or as many as `longer` asks for it (by
    dom id: a live refresh keeps what "Show more" had loaded); the one `more` names shows, on a
    `partial` request, only the page after the cursor (the other cells show nothing), else
    everything up to the end of that page. `extra` (a task just added) is shown even past the
    page, last."""
    size = BOARD_COLUMN_PAGE
    shown: list[BoardCard] = []
    for cell in cells:
        target = more is not None and more.matches(cell)
        if partial and not target:
            continue
        start, end = 0, max(size, (longer or {}).get(cell.dom_id, 0))
        if target:
            assert more is not None
            begin = more.start(cell, cards)
            start, end = (begin, begin + size) if partial else (0, begin + size)
        cell.shown = cell.tasks[start:end]
        left = [card for card in cell.tasks[end:] if card.pk != extra]
        if extra is not None and len(left) < cell.count - end:
            cell.shown.append(next(card for card in cell.tasks[end:] if card.pk == extra))
        if left:
            cell.more_count = min(size, len(left))
            cell.more_left = len(left)
            query = {"column": cell.key, "lane": cell.lane, "after": cell.tasks[end - 1].key, "shown": end}
            cell.more_url = (
                f"{more_url}{'&' if '?' in more_url else '?'}{urlencode({k: v for k, v in query.items() if v != ''})}"
            )
        shown.extend(cell.shown)
    return shown


def _longer(request: Request) -> dict[str, int]:
    """The cells a live refresh should show more of than the first page, from `long`
    (`<dom id>:<cards shown>,...`, sent by frontend/js/board.js); what does not parse is ignored."""
    out: dict[str, int] = {}
    for item in request.GET.get("long", "").split(",")[:500]:
        dom_id, _, shown = item.strip().rpartition(":")
        if dom_id and shown.isdigit():
            out[dom_id] = min(int(shown), 1_000_000)
    return out


def _board_context(
    request: Request,
    workspace: Workspace,
    membership: Membership,
    project: Project,
    *,
    partial: bool = False,
    extra: int | None = None,
) -> dict[str, Any]:
    """Everything the board shows. `partial`: only the page of cards a "Show more" asks for;
    `extra`: the pk of a task just added, shown in its column even past the first page."""
    group = request.GET.get("group", "").strip()
    if request.GET.get("swimlanes") == "assignee":  # the address of the first version of the board
        group = "lanes"
    if group not in dict(BOARD_GROUPS):
        group = ""
    params = {"q": request.GET.get("q", "").strip(), "group": group}
    view_param = request.GET.get("view", "").strip()
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
        # assignees are a few dozen people however many cards they hold. Labels and markup only
        # for the cards shown (see _page).
        tasks = board_cards(found, project, statuses, labels=False)
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
    board_query = urlencode({k: v for k, v in {**params, "view": view_param}.items() if v})
    board_url = f"{base}?{board_query}" if board_query else base
    more = MoreOf.of(request)
    cells = [cell for lane in lanes for cell in lane.columns] if lanes is not None else columns
    shown = _page(cells, tasks, board_url, more=more, partial=partial, extra=extra, longer=_longer(request))
    board_labels(shown)
    people: dict[int, str] = {}
    for card in shown:
        _decorate(card, today, urls, can_write=can_write, people=people)
    return {
        "workspace": workspace,
        "project": project,
        "params": params,
        "group": group,
        "group_choices": BOARD_GROUPS,
        "columns": columns,
        "lanes": lanes,
        "swimlanes": lanes is not None,
        "more_cell": next((cell for cell in cells if more.matches(cell)), None) if more is not None else None,
        "query_error": query_error,
        "card_count": len(tasks),
        "can_write": can_write,
        "view_param": view_param,
        "board_url": board_url,
        "refresh_url": f"{base}?{urlencode({k: v for k, v in request.GET.items() if k not in ('task', 'long')})}",
        "page_size": BOARD_COLUMN_PAGE,
    }


@gzip_page  # 550 KB of cards for 500 tasks: docs/decisions/0010-page-compression.md
@workspace_page
def project_board(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    project = project_for(workspace, key, user=request.user, membership=membership)
    if request.method == "POST":
        return _quick_add(request, workspace, membership, project)
    if request.htmx and MoreOf.of(request) is not None:
        # "Show more": the next cards of one column, and its new "Show more" link (out of band).
        context = _board_context(request, workspace, membership, project, partial=True)
        if context["more_cell"] is None:
            raise Http404("No such column on this board.")
        return render(request, "work/board.html#more_cards", {**context, "column": context["more_cell"]})
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
    """Create a task at the bottom of the column (or swimlane cell) it was typed in, with what
    that column stands for: its status, assignee ("" = nobody) or priority, and in a swimlane
    the lane's assignee too. The column comes back re-rendered, the new card in it."""
    title = request.POST.get("title", "")
    status_name = request.POST.get("status", "").strip()
    assignee = request.POST.get("assignee", "").strip()
    priority = request.POST.get("priority", "").strip()
    error = None
    task = None
    try:
        task = task_services.task_create(
            actor=request.user,
            project=project,
            title=title,
            status=status_name or None,
            assignee=assignee or None,
            priority=priority or "none",
        )
    except ValidationError as exc:
        error = exc.message
    if not request.htmx:
        if task is None:
            messages.error(request, error or "The task could not be added.")
        else:
            messages.success(request, f"{task.key} added to {task.status.name}.")
        query = urlencode({k: v for k, v in request.GET.items() if k in ("q", "group", "view") and v})
        board = reverse("project_board", kwargs={"ws": workspace.slug, "key": project.key})
        return redirect(f"{board}?{query}" if query else board)
    context = _board_context(request, workspace, membership, project, extra=task.pk if task is not None else None)
    form = {"quick_add_error": error, "quick_add_title": title if error else ""}
    if context["lanes"] is not None:
        lane_key = request.POST.get("lane", "")
        lane = next((lane for lane in context["lanes"] if lane.key == lane_key), None)
        cell = next((c for c in lane.columns if c.value == status_name), None) if lane is not None else None
        head = next((c for c in context["columns"] if c.value == status_name), None)
        if cell is None or head is None:
            raise Http404("No such column on this board.")
        response = render(
            request, "work/board.html#lane_cell", {**context, **form, "lane": lane, "column": cell, "head": head}
        )
    else:
        field = {"assignee": "assignee", "priority": "priority"}.get(context["group"], "status")
        value = {"status": status_name, "assignee": assignee, "priority": priority}[field]
        column = next((c for c in context["columns"] if c.field == field and c.value == value), None)
        if column is None:
            raise Http404("No such column on this board.")
        response = render(request, "work/board.html#column", {**context, **form, "column": column})
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
