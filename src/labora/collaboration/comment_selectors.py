"""Reads of comments, scoped to what the viewer may see.

The task or project is resolved first through the work selectors (404 when hidden); every
lookup here then filters on it, so a comment id of another task, project or workspace is simply
not found. Lists cost a fixed number of queries whatever their length: the page of comments
(authors joined), their mentions, their reactions (aggregated) and, when bodies link tasks, the
tasks among those the viewer may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from labora.accounts.models import User
from labora.collaboration import mentions as mention_lib
from labora.collaboration.models import REACTION_EMOJIS, Comment, CommentRevision, Reaction
from labora.core.errors import NotFound
from labora.work.models import Project, Task
from labora.work.selectors import visible_projects
from labora.workspaces.models import Workspace

MENTIONS = Prefetch("mentions", queryset=User.objects.order_by("email"), to_attr="mention_list")


def _target(task: Task | None, project: Project | None) -> Q:
    if task is not None:
        return Q(task=task)
    if project is not None:
        return Q(project=project)
    raise ValueError("a task or a project")


def comment_list(*, task: Task | None = None, project: Project | None = None) -> QuerySet[Comment]:
    """The live comments of a task or project (replies included), oldest first: the API's flat list."""
    return (
        Comment.objects.filter(_target(task, project))
        .select_related("author", "parent")
        .prefetch_related(MENTIONS)
        .order_by("created_at", "id")
    )


def thread_roots(*, task: Task | None = None, project: Project | None = None) -> QuerySet[Comment]:
    """The threads of a task or project, oldest first: live root comments, and deleted ones that
    still have live replies (shown as "comment deleted"), with `reply_list` prefetched."""
    live_replies = Comment.objects.filter(parent=OuterRef("pk"))
    replies = Prefetch(
        "replies",
        queryset=Comment.objects.select_related("author").prefetch_related(MENTIONS).order_by("created_at", "id"),
        to_attr="reply_list",
    )
    return (
        Comment.all_objects.filter(_target(task, project), parent__isnull=True)
        .filter(Q(deleted_at__isnull=True) | Exists(live_replies))
        .select_related("author")
        .prefetch_related(MENTIONS, replies)
        .order_by("created_at", "id")
    )


def comment_get(*, task: Task | None = None, project: Project | None = None, comment_id: str) -> Comment:
    """One live comment of this task or project by its public id; NotFound otherwise."""
    comment = (
        Comment.objects.filter(_target(task, project), public_id=comment_id)
        .select_related("author", "parent", "task__project__workspace", "project__workspace")
        .prefetch_related(MENTIONS)
        .first()
    )
    if comment is None:
        raise NotFound(
            f"No comment '{comment_id}' here. See the list of comments of this "
            f"{'task' if task is not None else 'project'}."
        )
    return comment


def comment_revisions(*, comment: Comment) -> QuerySet[CommentRevision]:
    """The earlier texts of a comment, newest first."""
    return CommentRevision.objects.filter(comment=comment).select_related("edited_by").order_by("-at", "-id")


@dataclass
class ReactionSummary:
    emoji: str
    count: int
    mine: bool
    names: list[str] = field(default_factory=list)


def reaction_summaries(*, comments: list[Comment], viewer: Any) -> dict[int, list[ReactionSummary]]:
    """Per comment id, its reactions in REACTION_EMOJIS order: count and whether `viewer` gave
    it (one query for any number of comments)."""
    ids = [c.pk for c in comments]
    result: dict[int, list[ReactionSummary]] = {pk: [] for pk in ids}
    if not ids:
        return result
    rows = (
        Reaction.objects.filter(comment_id__in=ids)
        .values("comment_id", "emoji")
        .annotate(count=Count("id"), mine=Count("id", filter=Q(user_id=getattr(viewer, "pk", None))))
    )
    order = {e: i for i, e in enumerate(REACTION_EMOJIS)}
    for row in rows:
        result[row["comment_id"]].append(ReactionSummary(row["emoji"], row["count"], row["mine"] > 0))
    for summaries in result.values():
        summaries.sort(key=lambda s: order.get(s.emoji, len(order)))
    return result


def visible_task_keys(*, viewer: Any, workspace: Workspace, keys: set[str], membership: Any = None) -> set[str]:
    """Of these task keys, those of live tasks `viewer` may see (one query; none when no keys)."""
    if not keys:
        return set()
    wanted = Q(pk__in=[])
    for key in keys:
        project_key, _, number = key.partition("-")
        if number.isdigit():
            wanted |= Q(project__key=project_key, number=int(number))
    kwargs: dict[str, Any] = {"user": viewer, "workspace": workspace}
    if membership is not None:
        kwargs["membership"] = membership
    visible = visible_projects(**kwargs).values("pk")
    rows = (
        Task.objects.filter(workspace=workspace, project__in=visible)
        .filter(wanted)
        .values_list("project__key", "number")
    )
    return {f"{k}-{n}" for k, n in rows}


def decorate(comments: list[Comment], *, viewer: Any, workspace: Workspace, membership: Any = None) -> list[Comment]:
    """Set on each comment (and each prefetched reply) what a page or the API shows: `reactions`
    (ReactionSummary list), `html` (body_html with links only to tasks the viewer may see)."""
    everything: list[Comment] = []
    for c in comments:
        everything.append(c)
        everything.extend(getattr(c, "reply_list", []))
    summaries = reaction_summaries(comments=everything, viewer=viewer)
    keys: set[str] = set()
    for c in everything:
        keys |= mention_lib.ref_keys(c.body_html)
    visible = visible_task_keys(viewer=viewer, workspace=workspace, keys=keys, membership=membership)
    for c in everything:
        c.reactions_summary = summaries.get(c.pk, [])  # type: ignore[attr-defined]  # display attribute
        c.html = mention_lib.restrict_refs(c.body_html, visible_keys=visible)  # type: ignore[attr-defined]  # as above
    return everything


def mention_candidates(
    *, workspace: Workspace, project: Project | None, query: str, limit: int = 8
) -> list[dict[str, Any]]:
    """People and teams to offer after "@" + `query`: members of the workspace who may see
    `project` (when given) whose name, handle or e-mail starts with it, then matching teams.
    Each: {"kind": "user"|"team", "insert": text after "@", "label", "detail", "initials"}."""
    from labora.work.models import ProjectMember
    from labora.work.permissions import effective_role
    from labora.workspaces.models import Membership, Team

    q = (query or "").strip().lstrip("@").lower()[:60]
    people = Membership.objects.filter(workspace=workspace, user__is_active=True).select_related("user")
    if q:
        people = people.filter(
            Q(user__handle__istartswith=q)
            | Q(user__name__istartswith=q)
            | Q(user__name__icontains=" " + q)
            | Q(user__email__istartswith=q)
        )
    people = people.order_by("user__name", "user__email")[: limit * 3]
    rows: dict[int, str] = {}
    memberships = list(people)
    if project is not None:
        rows = dict(
            ProjectMember.objects.filter(project=project, user_id__in=[m.user_id for m in memberships]).values_list(
                "user_id", "role"
            )
        )
    result: list[dict[str, Any]] = []
    for m in memberships:
        if (
            project is not None
            and effective_role(m, is_private=project.is_private, member_role=rows.get(m.user_id)) is None
        ):
            continue
        user = m.user
        result.append(
            {
                "kind": "user",
                "insert": user.handle or user.email,
                "label": user.display_name,
                "detail": f"@{user.handle}" if user.handle else user.email,
                "initials": user.initials,
            }
        )
        if len(result) >= limit:
            break
    teams = Team.objects.filter(workspace=workspace).annotate(size=Count("memberships"))
    if q:
        teams = teams.filter(name__icontains=q)
    for team in teams.order_by("name")[: max(0, limit - len(result)) or 2]:
        result.append(
            {
                "kind": "team",
                "insert": mention_lib.team_slug(team.name),
                "label": team.name,
                "detail": f"team · {team.size} people",
                "initials": team.name[:2].upper(),
            }
        )
    return result
