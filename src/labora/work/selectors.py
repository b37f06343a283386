"""Reads for projects, workflows and tasks, always scoped to what the user may see.

Callers resolve the workspace through workspaces.selectors.workspace_for_user first (404 for
non-members); every lookup here then filters on that workspace, so an id or key of another
workspace is simply not found, and on `visible_projects` (private projects, guest sharing:
docs/decisions/0006-project-access.md), so a project the user may not see is not found either.
Pass the `membership` when you have it (pages and the API do): it saves a query.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection
from django.db.models import CharField, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower

from labora.core import rawrows
from labora.core.errors import NotFound
from labora.work import query_compiler, search
from labora.work.models import (
    CLOSED_CATEGORIES,
    ChecklistItem,
    CustomField,
    CustomFieldType,
    Label,
    Project,
    ProjectMember,
    ProjectRole,
    Status,
    Task,
    Transition,
)
from labora.work.permissions import ADMIN, effective_role, is_outsider
from labora.work.query import Me, Node, Term, Text, all_of
from labora.work.services._common import UNSET
from labora.work.services.fields import display_values, emails_by_user_id
from labora.work.services.tasks import parse_task_key
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.selectors import workspace_for_user

# Labels as a plain list on each task (task.label_objects()): a to_attr prefetch does not build
# a related manager per task, which on a board of 500 cards costs more than the query itself.
LABELS = Prefetch("labels", queryset=Label.objects.order_by("name", "id"), to_attr="label_list")


def _membership(user: Any, workspace: Workspace, membership: Any) -> Membership | None:
    """The membership the caller passed, or the user's (one query) when they passed none."""
    if membership is not UNSET:
        return cast("Membership | None", membership)
    if not getattr(user, "pk", None):
        return None
    return Membership.objects.filter(workspace=workspace, user_id=user.pk).first()


def visible_projects(*, user: Any, workspace: Workspace, membership: Any = UNSET) -> QuerySet[Project]:
    """The live projects of `workspace` that `user` may see, each annotated with `my_role`
    (their effective role: manager, contributor or viewer). docs/decisions/0006-project-access.md.

    No query of its own beyond the membership (when not passed): it is one SQL statement, usable
    as a subquery.
    """
    membership = _membership(user, workspace, membership)
    projects = Project.objects.filter(workspace=workspace)
    if membership is None or membership.user_id != getattr(user, "pk", None):
        return projects.none().annotate(my_role=Value(None, output_field=CharField()))
    row_role = Subquery(
        ProjectMember.objects.filter(project=OuterRef("pk"), user_id=user.pk).values("role")[:1],
        output_field=CharField(),
    )
    if membership.rank >= ADMIN:
        return projects.annotate(my_role=Value(ProjectRole.MANAGER.value, output_field=CharField()))
    has_row = Exists(ProjectMember.objects.filter(project=OuterRef("pk"), user_id=user.pk))
    if is_outsider(membership):
        return projects.filter(has_row).annotate(my_role=row_role)
    return projects.filter(Q(is_private=False) | has_row).annotate(
        my_role=Coalesce(row_role, Value(ProjectRole.CONTRIBUTOR.value, output_field=CharField()))
    )


def project_list(
    *, user: Any, workspace: Workspace, membership: Any = UNSET, include_archived: bool = True
) -> QuerySet[Project]:
    """The projects `user` may see (with `my_role`), by key. One query (plus the membership when
    not passed), whatever the number of projects or members."""
    projects = visible_projects(user=user, workspace=workspace, membership=membership).select_related("lead")
    if not include_archived:
        projects = projects.filter(archived_at__isnull=True)
    return projects.order_by("key", "id")


def project_get(*, user: Any, workspace: Workspace, key: str, membership: Any = UNSET) -> Project:
    """The project `key` if `user` may see it (with `my_role` and its lead); NotFound otherwise."""
    projects = visible_projects(user=user, workspace=workspace, membership=membership).filter(key=(key or "").upper())
    projects = projects.select_related("lead")
    # A key names one project of a workspace: no ORDER BY (.first() would add one).
    project = next(iter(projects.order_by()[:1]), None)
    if project is None:
        raise NotFound(f"No project '{key}' in this workspace. See GET /api/v1/workspaces/{{ws}}/projects.")
    return project


@functools.cache
def _scope_sql() -> str:
    w, m, p = Workspace._meta, Membership._meta, Project._meta
    return (
        f"SELECT {rawrows.columns(Workspace, 'w')}, {rawrows.columns(Membership, 'm')}, "  # noqa: S608  (model names only; input bound)
        f'{rawrows.columns(Project, "p")}, pm."role" '
        f'FROM "{m.db_table}" m JOIN "{w.db_table}" w ON w."id" = m."workspace_id" '
        f'LEFT JOIN "{p.db_table}" p ON p."workspace_id" = w."id" AND p."key" = %s AND p."deleted_at" IS NULL '
        f'LEFT JOIN "{ProjectMember._meta.db_table}" pm ON pm."project_id" = p."id" AND pm."user_id" = m."user_id" '
        f'WHERE m."user_id" = %s AND w."slug" = %s AND w."deleted_at" IS NULL'
    )


def project_scope(*, user: Any, slug: str, key: str) -> tuple[Workspace, Membership, Project]:
    """The workspace `slug`, the user's membership in it and its project `key` (with `my_role`,
    without the lead) in one hand-written query: what workspace_for_user and project_get answer
    in two ORM queries, for the task list that every client polls (decision 0014).

    When anything is missing or hidden, the usual two lookups run instead, so the NotFound (and
    its message) is exactly theirs."""
    if getattr(user, "is_authenticated", False):
        with connection.cursor() as cursor:
            cursor.execute(_scope_sql(), [(key or "").upper(), user.pk, slug])
            row = cursor.fetchone()
        ws_end = rawrows.width(Workspace)
        m_end = ws_end + rawrows.width(Membership)
        if row is not None and row[m_end] is not None:  # a member, and the project exists
            workspace = rawrows.instance(Workspace, row[:ws_end])
            membership = rawrows.instance(Membership, row[ws_end:m_end])
            project = rawrows.instance(Project, row[m_end:-1])
            role = effective_role(membership, is_private=project.is_private, member_role=row[-1])
            if role is not None:
                membership.workspace = workspace
                membership.user = user
                project.workspace = workspace
                project.my_role = role  # type: ignore[attr-defined]
                return workspace, membership, project
    workspace, membership = workspace_for_user(user=user, slug=slug)
    return workspace, membership, project_get(user=user, workspace=workspace, key=key, membership=membership)


def activity_project_filter(*, membership: Membership | None) -> Q:
    """Which activity entries (by their `project_key`) the holder of `membership` may read.

    Owners and admins: all. Members: all but those of private projects they are not in (trashed
    projects included). Guests and clients: only those of the projects shared with them, none
    about the workspace itself. Used by labora.collaboration.selectors.activity_list.
    """
    if membership is None:
        return Q(pk__in=[])
    if membership.rank >= ADMIN:
        return Q()
    rows = ProjectMember.objects.filter(user_id=membership.user_id, project__workspace_id=membership.workspace_id)
    if is_outsider(membership):
        return Q(project_key__in=rows.values("project__key")) & ~Q(project_key="")
    hidden = (
        Project.all_objects.filter(workspace_id=membership.workspace_id, is_private=True)
        .exclude(pk__in=rows.values("project_id"))
        .values("key")
    )
    return ~Q(project_key__in=hidden)


def project_members(*, project: Project) -> QuerySet[ProjectMember]:
    """The people a project is shared with (its ProjectMember rows), with their workspace role."""
    workspace_role = Subquery(
        Membership.objects.filter(workspace_id=project.workspace_id, user_id=OuterRef("user_id")).values("role")[:1],
        output_field=CharField(),
    )
    return (
        ProjectMember.objects.filter(project=project)
        .select_related("user")
        .annotate(workspace_role=workspace_role)
        .order_by(Lower("user__name"), Lower("user__email"), "id")
    )


def project_member_get(*, project: Project, member: str) -> ProjectMember:
    """One member of `project` by the user's public id or e-mail; NotFound otherwise."""
    value = (member or "").strip()
    lookup = Q(user__email__iexact=value) if "@" in value else Q(user__public_id=value)
    row = project_members(project=project).filter(lookup).first()
    if row is None:
        raise NotFound(
            f"{value or 'That person'} is not a member of {project.key}. "
            f"See GET /api/v1/workspaces/{{ws}}/projects/{project.key}/members."
        )
    return row


def workflow_get(*, project: Project) -> tuple[list[Status], list[Transition]]:
    statuses = list(Status.objects.filter(project=project).order_by("position", "id"))
    transitions = list(
        Transition.objects.filter(project=project)
        .select_related("from_status", "to_status")
        .order_by("from_status__position", "to_status__position")
    )
    return statuses, transitions


def _tasks(workspace: Workspace, *, include_trash: bool = False) -> QuerySet[Task]:
    manager = Task.all_objects if include_trash else Task.objects
    return (
        manager.filter(workspace=workspace, project__deleted_at__isnull=True)
        .select_related("project", "status", "assignee", "reporter", "parent__project")
        .prefetch_related(LABELS)
    )


def _visible_tasks(user: Any, workspace: Workspace, membership: Any, *, include_trash: bool = False) -> QuerySet[Task]:
    """The tasks of the projects `user` may see (a subquery: no extra query beyond the membership)."""
    membership = _membership(user, workspace, membership)
    tasks = _tasks(workspace, include_trash=include_trash)
    if membership is not None and membership.rank >= ADMIN and membership.user_id == getattr(user, "pk", None):
        return tasks  # owners and admins see every project: no subquery to pay for
    visible = visible_projects(user=user, workspace=workspace, membership=membership)
    return tasks.filter(project__in=visible.values("pk"))


def _project_tasks(user: Any, workspace: Workspace, membership: Any, project: Project) -> QuerySet[Task]:
    """The live tasks of one project that `user` may see: all of them or none.

    Like _visible_tasks(...).filter(project=project), without the conditions a project already
    resolved for this workspace makes redundant (the workspace, the project not in the trash),
    so that filtered lists and their counts can be answered from the project's indexes alone
    (work_task_live) instead of reading every task row for its workspace."""
    if project.workspace_id != workspace.pk or project.deleted_at is not None:
        return Task.objects.none()
    tasks = (
        Task.objects.filter(project=project)
        .select_related("project", "status", "assignee", "reporter", "parent__project")
        .prefetch_related(LABELS)
    )
    membership = _membership(user, workspace, membership)
    if membership is not None and membership.rank >= ADMIN and membership.user_id == getattr(user, "pk", None):
        return tasks
    visible = visible_projects(user=user, workspace=workspace, membership=membership)
    return tasks.filter(project__in=visible.values("pk"))


def task_get(
    *, user: Any, workspace: Workspace, key: str, include_trash: bool = False, membership: Any = UNSET
) -> Task:
    """The task `KEY-N` if `user` may see its project (NotFound otherwise; trashed ones only
    when asked). `task.project.my_role` is the user's role in its project."""
    membership = _membership(user, workspace, membership)
    parsed = parse_task_key(key)
    task = None
    if parsed is not None:
        tasks = _visible_tasks(user, workspace, membership, include_trash=include_trash)
        task = tasks.filter(project__key=parsed[0], number=parsed[1]).first()
        if task is None:  # a key it had before it moved to another project (services/relocate.py)
            task = tasks.filter(key_aliases__project_key=parsed[0], key_aliases__number=parsed[1]).first()
    if task is None:
        raise NotFound(f"No task '{key}' in this workspace. Task keys look like OPS-12.")
    task.project.my_role = _role_in(user, membership, task.project)  # type: ignore[attr-defined]  # like the annotation
    return task


def _role_in(user: Any, membership: Membership | None, project: Project) -> str | None:
    """The user's effective role in one project (a query only for members, guests and clients)."""
    if membership is None or membership.rank >= ADMIN:
        return effective_role(membership, is_private=project.is_private, member_role=None)
    row = ProjectMember.objects.filter(project=project, user_id=user.pk).values_list("role", flat=True).first()
    return effective_role(membership, is_private=project.is_private, member_role=row)


def task_list(
    *,
    user: Any,
    workspace: Workspace,
    project: Project | None = None,
    status: str | None = None,
    assignee: str | None = None,
    label: str | None = None,
    q: str | None = None,
    order: str | None = None,
    today: datetime.date | None = None,
    membership: Any = UNSET,
) -> QuerySet[Task]:
    """Tasks of the projects `user` may see matching the filters and the query language `q`,
    in `order` (default: rank).

    A constant number of queries whatever the page size: one for the page, one for its labels
    (and one for the membership when not passed). Raises ValidationError (invalid_query) for a
    bad `q` or `order`.
    """
    return task_search(
        user=user,
        workspace=workspace,
        project=project,
        status=status,
        assignee=assignee,
        label=label,
        q=q,
        order=order,
        today=today,
        membership=membership,
    ).tasks


# A text search that matches more tasks than this ranks only the newest RANK_WINDOW of them
# (best match first), then lists the others newest first: ranking every one of 18,000 matches
# cost 60-85 ms (docs/performance.md). Below it, every match is ranked.
RANK_WINDOW = 1000


@dataclass
class TaskSearch:
    """What task_list answers, and what a page of it needs to rank within a window."""

    tasks: QuerySet[Task]  # filtered, in the order asked for
    filtered: QuerySet[Task]  # filtered, unordered
    words: Any  # search.Words when the order is "best match first", else None
    order: str | None
    parsed: Node | None
    # The same filter compiled for tasks with pk >= a given pk (text searches look only there).
    filtered_from: Callable[[int], QuerySet[Task]]
    # The same filter compiled for walking the tasks in id order (search.matches(scan=True)).
    filtered_scan: Callable[[], QuerySet[Task]] | None = None
    _walk: QuerySet[Task] | None = None

    def walked(self) -> QuerySet[Task]:
        """`filtered`, as the newest matches, the older ones and a capped count read it best:
        walking the tasks in id order when the text matches many (SQLite; one small query to
        know, made once), else as `filtered`."""
        if self._walk is None:
            many = self.words is not None and self.filtered_scan is not None
            many = many and search.many_matches(self.words, RANK_WINDOW)
            self._walk = self.filtered_scan() if many and self.filtered_scan is not None else self.filtered
        return self._walk

    def rank_window(self) -> tuple[QuerySet[Task], QuerySet[Task]] | None:
        """When the tasks are in best-match order and more than RANK_WINDOW match: (the newest
        RANK_WINDOW matches, best first; the older matches, newest first). None otherwise (then
        `tasks` is the order). One query (the RANK_WINDOW-th newest match's id), two on SQLite."""
        if self.words is None:
            return None
        newest = self.walked().order_by("-pk").values_list("pk", flat=True)
        edge = list(newest[RANK_WINDOW - 1 : RANK_WINDOW])
        if not edge:
            return None
        window = (
            self.filtered_from(edge[0])
            .filter(pk__gte=edge[0])
            .order_by(*query_compiler.order_by(self.order, ranked_by=self.parsed, from_pk=edge[0]))
        )
        return window, self.walked().filter(pk__lt=edge[0]).order_by("-pk")


def task_search(
    *,
    user: Any,
    workspace: Workspace,
    project: Project | None = None,
    status: str | None = None,
    assignee: str | None = None,
    label: str | None = None,
    q: str | None = None,
    order: str | None = None,
    today: datetime.date | None = None,
    membership: Any = UNSET,
) -> TaskSearch:
    """task_list's answer with what paging through it in best-match order needs (TaskSearch)."""
    nodes: list[Node] = []
    if status:
        nodes.append(Term("status", ":", (Text(status),)))
    if assignee:
        nodes.append(Term("assignee", ":", (Me() if assignee == "me" else Text(assignee),)))
    if label:
        nodes.append(Term("label", ":", (Text(label),)))
    parsed = query_compiler.parse(q) if q else None
    if parsed is not None:
        nodes.append(parsed)
    if project is not None:
        visible = _project_tasks(user, workspace, membership, project)
    else:
        visible = _visible_tasks(user, workspace, membership)
    day = today or query_compiler.user_today(user)

    def filtered(from_pk: int | None = None, scan: bool = False) -> QuerySet[Task]:
        if not nodes:
            return visible
        query = all_of(*nodes)
        return visible.filter(
            query_compiler.compile_query(
                query, user=user, workspace=workspace, today=day, project=project, from_pk=from_pk, scan=scan
            )
        )

    tasks = filtered()
    ordering = query_compiler.order_by(order, ranked_by=parsed)  # validates `order` first
    words = query_compiler.search_words(parsed) if not order or not order.strip() else None
    return TaskSearch(
        tasks=tasks.order_by(*ordering),
        filtered=tasks.order_by(),
        words=words,
        order=order,
        parsed=parsed,
        filtered_from=lambda pk: filtered(pk).order_by(),
        filtered_scan=lambda: filtered(scan=True).order_by(),
    )


def project_get_any(*, user: Any, workspace: Workspace, key: str, membership: Any = UNSET) -> Project:
    """A project `user` may see by key, trashed ones included (for restoring it)."""
    membership = _membership(user, workspace, membership)
    project = Project.all_objects.filter(workspace=workspace, key=(key or "").upper()).select_related("lead").first()
    if project is not None and _role_in(user, membership, project) is None:
        project = None
    if project is None:
        raise NotFound(f"No project '{key}' in this workspace, not even in the trash.")
    return project


def task_trash_list(*, workspace: Workspace, project: Project) -> QuerySet[Task]:
    """The trashed tasks of a project, most recently trashed first."""
    return (
        _tasks(workspace, include_trash=True)
        .filter(project=project, deleted_at__isnull=False)
        .order_by("-deleted_at", "-id")
    )


def label_list(*, workspace: Workspace) -> QuerySet[Label]:
    return Label.objects.filter(workspace=workspace).order_by("name", "id")


def label_get(*, workspace: Workspace, label_id: str) -> Label:
    label = Label.objects.filter(workspace=workspace, public_id=label_id).first()
    if label is None:
        raise NotFound(f"No label '{label_id}' in this workspace. See GET /api/v1/workspaces/{{ws}}/labels.")
    return label


@dataclass
class BoardColumn:
    status: Status
    tasks: list[Task]

    @property
    def count(self) -> int:
        return len(self.tasks)

    @property
    def at_limit(self) -> bool:
        return self.status.wip_limit is not None and self.count >= self.status.wip_limit


def task_list_for_board(*, workspace: Workspace, project: Project) -> list[BoardColumn]:
    """The project's statuses in order, each with its live tasks in rank order.

    Three queries whatever the number of cards: statuses, tasks (with project, status,
    assignee), labels.
    """
    statuses = list(Status.objects.filter(project=project).order_by("position", "id"))
    columns = {s.pk: BoardColumn(status=s, tasks=[]) for s in statuses}
    tasks = (
        Task.objects.filter(workspace=workspace, project=project)
        .select_related("project", "status", "assignee")
        .prefetch_related(LABELS)
        .order_by("rank", "id")
    )
    for task in tasks:
        columns[task.status_id].tasks.append(task)
    return list(columns.values())


def task_list_by_keys(*, workspace: Workspace, project: Project, keys: list[str]) -> list[Task]:
    """The tasks of `project` named by `keys` (trashed ones too), in one query plus labels."""
    numbers = [parsed[1] for parsed in map(parse_task_key, keys) if parsed is not None]
    return list(_tasks(workspace, include_trash=True).filter(project=project, number__in=numbers))


@dataclass
class BoardLane:
    """One swimlane of the board: the cards of one assignee (None = unassigned), per status."""

    assignee: Any
    columns: list[BoardColumn]

    @property
    def key(self) -> str:
        return str(self.assignee.public_id) if self.assignee is not None else "none"

    @property
    def count(self) -> int:
        return sum(c.count for c in self.columns)


def board_lanes_by_assignee(columns: list[BoardColumn]) -> list[BoardLane]:
    """Split the board's columns into one lane per assignee (by name, unassigned last); no query."""
    people: dict[int | None, Any] = {}
    for column in columns:
        for task in column.tasks:
            people.setdefault(task.assignee_id, task.assignee)
    order: list[int | None] = sorted(
        (pk for pk in people if pk is not None),
        key=lambda pk: (people[pk].display_name.lower(), pk),
    )
    if None in people:
        order.append(None)
    return [
        BoardLane(
            assignee=people[pk],
            columns=[BoardColumn(status=c.status, tasks=[t for t in c.tasks if t.assignee_id == pk]) for c in columns],
        )
        for pk in order
    ]


def project_list_with_counts(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The projects with `open_count` and `task_count` of their live tasks (one query)."""
    live = Q(tasks__deleted_at__isnull=True)
    return projects.annotate(
        task_count=Count("tasks", filter=live, distinct=True),
        open_count=Count("tasks", filter=live & ~Q(tasks__status__category__in=CLOSED_CATEGORIES), distinct=True),
    )


def task_children(*, workspace: Workspace, task: Task) -> QuerySet[Task]:
    """The live subtasks of `task`, in board order."""
    return (
        Task.objects.filter(workspace=workspace, parent=task)
        .select_related("status", "assignee", "project")
        .order_by("rank", "id")
    )


def my_open_tasks(*, workspace: Workspace, user: Any, membership: Any = UNSET) -> QuerySet[Task]:
    """The live tasks of this workspace assigned to `user` that are still open (not done or
    cancelled), across the live projects they may see; earliest due first, undated last.

    Two queries whatever the number of tasks: the tasks (with project, status, assignee), labels
    (plus the membership when not passed).
    """
    return (
        _visible_tasks(user, workspace, membership)
        .filter(assignee=user)
        .exclude(status__category__in=CLOSED_CATEGORIES)
        .order_by(F("due_date").asc(nulls_last=True), "-priority", "project__key", "number")
    )


def my_watched_tasks(*, workspace: Workspace, user: Any, membership: Any = UNSET) -> QuerySet[Task]:
    """Open tasks `user` watches but is not assigned to (those are in my_open_tasks), in the
    projects they may see; most recently changed first. One query plus labels."""
    return (
        _visible_tasks(user, workspace, membership)
        .filter(watchers=user)
        .exclude(assignee=user)
        .exclude(status__category__in=CLOSED_CATEGORIES)
        .order_by("-updated_at", "-id")
    )


# --- task fields: collaborators, checklist counts, custom field values (services/fields.py) ------


def with_task_fields(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """`tasks` with collaborators prefetched and `checklist_done`/`checklist_total` annotated.

    Adds one query (collaborators) whatever the number of tasks; the counts are subqueries.
    """
    items = ChecklistItem.objects.filter(task=OuterRef("pk")).order_by().values("task")
    counted = items.annotate(n=Count("pk")).values("n")
    return tasks.prefetch_related("collaborators").annotate(
        checklist_total=Coalesce(Subquery(counted), 0),
        checklist_done=Coalesce(Subquery(items.filter(done=True).annotate(n=Count("pk")).values("n")), 0),
    )


def attach_custom_values(tasks: list[Task]) -> list[Task]:
    """Set `task.custom_values` = {field name: value} (live fields, in order) on each task.

    One query for the definitions of the tasks' projects, one more for person fields' e-mails.
    """
    project_ids = {t.project_id for t in tasks}
    definitions: dict[int, list[CustomField]] = {pk: [] for pk in project_ids}
    if project_ids:
        for field in CustomField.objects.filter(project_id__in=project_ids).order_by("position", "id"):
            definitions[field.project_id].append(field)
    person_ids = [
        (t.custom_fields or {}).get(f.public_id)
        for t in tasks
        for f in definitions.get(t.project_id, [])
        if f.type == CustomFieldType.USER
    ]
    emails = emails_by_user_id(i for i in person_ids if i)
    for task in tasks:
        task.custom_values = display_values(definitions.get(task.project_id, []), task.custom_fields, emails)  # type: ignore[attr-defined]  # an attached read value
    return tasks


def custom_field_list(*, project: Project) -> QuerySet[CustomField]:
    return CustomField.objects.filter(project=project).select_related("project").order_by("position", "id")


def custom_field_get(*, project: Project, field_id: str) -> CustomField:
    field = CustomField.objects.filter(project=project, public_id=field_id).select_related("project").first()
    if field is None:
        raise NotFound(
            f"No field '{field_id}' in {project.key}. See GET /api/v1/workspaces/{{ws}}/projects/{project.key}/fields."
        )
    return field


def checklist(*, task: Task) -> QuerySet[ChecklistItem]:
    return ChecklistItem.objects.filter(task=task).select_related("done_by").order_by("rank", "id")


def checklist_item_get(*, task: Task, item_id: str) -> ChecklistItem:
    item = ChecklistItem.objects.filter(task=task, public_id=item_id).select_related("task__project").first()
    if item is None:
        raise NotFound(f"No checklist item '{item_id}' on {task.key}. See GET .../tasks/{task.key}/checklist.")
    return item


def task_watchers(*, task: Task) -> list[Any]:
    return list(task.watchers.order_by("name", "email"))


def tasks_by_pk(*, workspace: Workspace, pks: list[int]) -> QuerySet[Task]:
    """These tasks of the workspace (trashed ones too), with what the task row shows."""
    return _tasks(workspace, include_trash=True).filter(pk__in=pks)
