"""Activity feeds: the activity log read per task, project, person or workspace.

One selector behind every feed page, the activity API and the live "new entries" fragment. It
starts from what the reader may see (labora.work.selectors.activity_project_filter: private
projects, guests) and leaves out addressed events — those whose data names an `audience`, such
as direct messages and read positions — which belong to their audience's inbox, not to a feed
anybody else reads. Newest first, paged by a cursor on the event id so that entries arriving
live at the top never shift the "load more" pages.

A task's history follows the task across moves (labora.work.services.relocate): entries are
stored under the key the task had when they were recorded, so a task read asks for every key it
has had (`task_history_filter`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Value

from labora.collaboration.models import ActivityEntry
from labora.core.errors import ValidationError
from labora.web import activity_text
from labora.workspaces.models import Membership, Workspace

FEED_PAGE = 30


def kinds() -> list[tuple[str, str]]:
    """(kind, label) of every kind of event a feed can be filtered by (apps add theirs)."""
    return list(activity_text.KINDS)


def kind_prefix(kind: str | None) -> str | None:
    """The event-name prefix of `kind`; None for no kind; ValidationError for an unknown one."""
    if not kind:
        return None
    prefix = activity_text.kind_prefix(kind)
    if prefix is None:
        known = ", ".join(k for k, _ in kinds())
        raise ValidationError(f"Unknown kind '{kind[:40]}': use one of {known}.", fields={"kind": "unknown kind"})
    return prefix


def feed_entries(
    *,
    workspace: Workspace,
    membership: Membership | None,
    task: str | None = None,
    project: str | None = None,
    actor_id: int | None = None,
    actor_email: str | None = None,
    kind: str | None = None,
    name_prefix: str | None = None,
) -> QuerySet[ActivityEntry]:
    """The entries of `workspace` the holder of `membership` may read, newest first (by event id),
    with their actors. One query (and one more with `task`: its former keys, task_history_filter).
    Raises ValidationError for an unknown `kind`."""
    from labora.work.selectors import activity_project_filter  # collaboration does not depend on work at import

    qs = ActivityEntry.objects.filter(workspace=workspace)
    if not task:  # a task's history applies the project rules itself (task_history_filter)
        qs = qs.filter(activity_project_filter(membership=membership))
    qs = qs.exclude(data__has_key="audience").select_related("actor")
    if task:
        qs = qs.filter(task_history_filter(workspace=workspace, membership=membership, task=task))
    if project:
        qs = qs.filter(project_key__iexact=project)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if actor_email:
        qs = qs.filter(actor__email__iexact=actor_email)
    prefix = kind_prefix(kind)
    if prefix:
        qs = qs.filter(name__startswith=prefix)
    if name_prefix:
        qs = qs.filter(name__startswith=name_prefix)
    return qs.order_by("-event_id")


def task_history_filter(*, workspace: Workspace, membership: Membership | None, task: str) -> Q:
    """The entries of the task called `task` (its current key or one it had before a move) that
    the holder of `membership` may read, as a condition on literal keys (task_key IN (...), which
    the task_key index serves). One small query of its own, whatever the number of moves: the
    task's TaskKeyAlias rows, with its current key and whether the reader may see it now.

    Who reads what:
    - entries under the task's current key follow the feed rules (activity_project_filter), like
      every other entry of its project;
    - entries under a key it had before a move were recorded about this very task — its fields,
      checklist, comments and watchers, all of which moved with it and are shown on its page — so
      whoever may see the task *now* reads them, even without access to the project it left.
      Nothing else of that project comes along: its other tasks and project-level events keep its
      rules. A reader who cannot see the task now gets nothing more than the feed rules give:
      what was recorded while it was in a project they can see (they read it in the workspace
      feed anyway), never what was recorded elsewhere;
    - a key that names no task (deleted for good, mistyped) matches its own entries under the
      feed rules, as before.
    """
    from django.db.models import BooleanField, Exists, OuterRef

    from labora.work.models import Task, TaskKeyAlias
    from labora.work.selectors import activity_project_filter, visible_projects
    from labora.work.services.tasks import parse_task_key

    readable = activity_project_filter(membership=membership)
    parsed = parse_task_key(task)
    if parsed is None:
        return readable & Q(task_key__iexact=task)
    project_key, number = parsed
    asked = f"{project_key}-{number}"
    the_task = (
        Task.all_objects.filter(workspace=workspace)
        .filter(
            Q(project__key=project_key, number=number)
            | Q(key_aliases__project_key=project_key, key_aliases__number=number)
        )
        .values("pk")[:1]
    )
    seen: Any = Value(False, output_field=BooleanField())
    if membership is not None:
        projects = visible_projects(user=membership.user, workspace=workspace, membership=membership)
        seen = Exists(projects.filter(pk=OuterRef("task__project_id")))
    # No rows: the task never moved (`asked` is its key), or there is no such task.
    rows = list(
        TaskKeyAlias.objects.filter(workspace=workspace, task_id__in=the_task)
        .annotate(seen=seen)
        .values_list("project_key", "number", "task__project__key", "task__number", "seen")
    )
    current = {asked, *(f"{row[2]}-{row[3]}" for row in rows)}
    condition = readable & Q(task_key__in=sorted(current))
    former = sorted({f"{row[0]}-{row[1]}" for row in rows if row[4]})
    return condition | Q(task_key__in=former) if former else condition


@dataclass
class FeedPage:
    entries: list[ActivityEntry]
    has_more: bool

    @property
    def last_id(self) -> int | None:
        return self.entries[-1].event_id if self.entries else None

    @property
    def first_id(self) -> int | None:
        return self.entries[0].event_id if self.entries else None


def feed_page(
    entries: QuerySet[ActivityEntry], *, before: int | None = None, after: int | None = None, size: int = FEED_PAGE
) -> FeedPage:
    """One page of a feed: entries older than event `before` (load more), or newer than event
    `after` (what arrived live, at most one page), or the newest. One query."""
    if before is not None:
        entries = entries.filter(event_id__lt=before)
    if after is not None:
        entries = entries.filter(event_id__gt=after)
    rows = list(entries[: size + 1])
    return FeedPage(entries=rows[:size], has_more=len(rows) > size)


def person_for_feed(*, workspace: Workspace, who: str) -> Any:
    """The member of `workspace` named by `who` (@handle, public id or e-mail); NotFound otherwise."""
    from django.db.models import Q

    from labora.accounts.models import User
    from labora.core.errors import NotFound

    name = (who or "").strip().lstrip("@")
    person = (
        User.objects.filter(memberships__workspace=workspace)
        .filter(Q(handle__iexact=name) & ~Q(handle="") | Q(public_id=name) | Q(email__iexact=name))
        .first()
        if name
        else None
    )
    if person is None:
        raise NotFound(f"Nobody called '{name[:60]}' in this workspace.")
    return person
