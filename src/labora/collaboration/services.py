"""Writes of comments and reactions. Who may do what: labora.collaboration.permissions.

Events (the shape labora.notifications builds on; keep it):
- `comment.added`   data {"project": KEY, "task": KEY (absent on project comments), "comment": public id,
                          "mentions": [user ids to notify, teams expanded, author left out],
                          "teams": [team names], "excerpt": first 140 characters as plain text,
                          "parent": public id of the thread's root or None}
- `comment.edited`  the same keys; "mentions"/"teams" hold only the people and teams the edit added
- `comment.deleted` {"project", "task"?, "comment", "parent"}
- `reaction.added` / `reaction.removed` {"project", "task"?, "comment", "emoji"}
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags

from labora.collaboration import mentions as mention_lib
from labora.collaboration.models import MAX_COMMENT_LENGTH, REACTION_EMOJIS, Comment, CommentRevision, Reaction
from labora.core import events
from labora.core.errors import NotFound, PermissionDenied, ValidationError
from labora.core.policy import check
from labora.core.trash import move_to_trash
from labora.core.versioning import check_version
from labora.work.models import Project, ProjectMember, Task
from labora.work.permissions import ProjectAccess, effective_role
from labora.work.services._common import project_access
from labora.work.services.watchers import add_watchers
from labora.workspaces.models import Membership

EXCERPT_LENGTH = 140
_SPACE = re.compile(r"\s+")


# --- helpers -------------------------------------------------------------------------------


def _project_of(comment: Comment) -> Project:
    return comment.task.project if comment.task_id else comment.project  # type: ignore[union-attr,return-value]  # one is set (CheckConstraint)


def _access(actor: Any, project: Project) -> ProjectAccess:
    """The actor's standing in `project`; a project they cannot see is a NotFound."""
    access = project_access(actor, project)
    if access.role is None:
        raise NotFound(f"No project '{project.key}' in this workspace.")
    return access


def _clean_body(body: str | None) -> str:
    text = (body or "").strip()
    if not text:
        raise ValidationError(
            "The comment is empty. Write something in the body.", code="empty", fields={"body": "empty"}
        )
    if len(text) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            f"The comment is {len(text):,} characters long; the limit is {MAX_COMMENT_LENGTH:,}. "
            "Shorten it or attach the text as a file.",
            code="too_long",
            fields={"body": f"at most {MAX_COMMENT_LENGTH} characters"},
        )
    return text


def excerpt(body_html: str, limit: int = EXCERPT_LENGTH) -> str:
    """The first `limit` characters of a rendered body as plain text (one line)."""
    text = _SPACE.sub(" ", html.unescape(strip_tags(body_html))).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _who_can_see(project: Project, user_ids: list[int]) -> set[int]:
    """Of these users, those who may see `project` (two queries at most): nobody is told of,
    or auto-subscribed to, a comment on a project hidden from them."""
    if not user_ids:
        return set()
    memberships = list(Membership.objects.filter(workspace_id=project.workspace_id, user_id__in=user_ids))
    rows = dict(
        ProjectMember.objects.filter(project=project, user_id__in=[m.user_id for m in memberships]).values_list(
            "user_id", "role"
        )
    )
    return {
        m.user_id
        for m in memberships
        if effective_role(m, is_private=project.is_private, member_role=rows.get(m.user_id)) is not None
    }


@dataclass
class _Rendered:
    html: str
    resolved: mention_lib.Resolved
    notify: list[int]  # user ids mentioned (teams expanded) who may see the project, not the author
    mentioned: list[Any]  # the User rows behind `notify`


def _render(*, actor: Any, project: Project, body: str) -> _Rendered:
    parsed = mention_lib.parse(body)
    resolved = mention_lib.resolve(workspace=project.workspace, author=actor, parsed=parsed)
    people = {u.pk: u for u in [*resolved.users, *resolved.team_users]}
    allowed = _who_can_see(project, resolved.user_ids)
    # A person who may not see the project is neither notified nor shown as a mention.
    hidden = set(people) - allowed - {actor.pk}
    if hidden:
        resolved.names = {
            name: (kind, obj)
            for name, (kind, obj) in resolved.names.items()
            if not (kind == "user" and obj.pk in hidden)
        }
        resolved.users = [u for u in resolved.users if u.pk not in hidden]
        resolved.team_users = [u for u in resolved.team_users if u.pk not in hidden]
    notify = resolved.user_ids
    body_html = mention_lib.render(body, resolved=resolved, workspace_slug=project.workspace.slug)
    return _Rendered(html=body_html, resolved=resolved, notify=notify, mentioned=[people[i] for i in notify])


def _event_data(comment: Comment, project: Project) -> dict[str, Any]:
    data: dict[str, Any] = {"project": project.key}
    if comment.task_id:
        data["task"] = comment.task.key  # type: ignore[union-attr]  # task_id is set
    data["comment"] = comment.public_id
    return data


def _label(comment: Comment, project: Project) -> str:
    if comment.task_id:
        return f"{comment.task.key} {comment.task.title}"  # type: ignore[union-attr]  # task_id is set
    return f"{project.key} {project.name}"


def _locked(comment: Comment) -> Comment:
    locked = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("task__project__workspace", "project__workspace")
        .filter(pk=comment.pk)
        .first()
    )
    if locked is None:
        raise NotFound("This comment was deleted.")
    return locked


# --- comments ------------------------------------------------------------------------------


def comment_create(
    *,
    actor: Any,
    task: Task | None = None,
    project: Project | None = None,
    body: str | None,
    parent: Comment | None = None,
) -> Comment:
    """Comment on `task` or on `project` (exactly one), optionally as a reply to `parent`.

    A reply to a reply joins the thread of its root. The author and the people mentioned who can
    see the task start watching it. Raises NotFound (cannot see it, trashed task or deleted
    parent), PermissionDenied, ValidationError (empty, too long, parent of another thread).
    """
    if (task is None) == (project is None):
        raise ValueError("comment on a task or on a project, not both or neither")
    target_project: Project = task.project if task is not None else project  # type: ignore[assignment]  # one is set
    access = _access(actor, target_project)
    check(
        actor,
        "comment.create",
        access,
        message=f"You cannot comment in {target_project.key}. Ask one of its managers to share it with you.",
    )
    if task is not None and task.deleted_at is not None:
        raise NotFound(f"Task {task.key} is in the trash; restore it before commenting.")
    text = _clean_body(body)
    root: Comment | None = None
    if parent is not None:
        root = parent.parent if parent.parent is not None else parent
        same_target = root.task_id == (task.pk if task else None) and root.project_id == (
            project.pk if project else None
        )
        if not same_target or root.workspace_id != target_project.workspace_id:
            raise ValidationError(
                "You can only reply to a comment of the same task or project.", fields={"parent": "another thread"}
            )
        if root.deleted_at is not None:
            raise ValidationError(
                "That comment was deleted; start a new comment instead of replying.", fields={"parent": "deleted"}
            )
    rendered = _render(actor=actor, project=target_project, body=text)
    with transaction.atomic():
        comment = Comment.objects.create(
            workspace_id=target_project.workspace_id,
            task=task,
            project=None if task is not None else target_project,
            parent=root,
            author=actor,
            body=text,
            body_html=rendered.html,
        )
        if rendered.mentioned:
            comment.mentions.add(*rendered.mentioned)
        if task is not None:
            add_watchers(task, [actor, *rendered.mentioned])
        events.record(
            name="comment.added",
            actor=actor,
            workspace=target_project.workspace,
            target=comment,
            target_label=_label(comment, target_project),
            data={
                **_event_data(comment, target_project),
                "mentions": rendered.notify,
                "teams": rendered.resolved.team_names,
                "excerpt": excerpt(rendered.html),
                "parent": root.public_id if root is not None else None,
            },
        )
    return comment


def comment_update(*, actor: Any, comment: Comment, body: str | None, version: int | None = None) -> Comment:
    """The author rewrites their comment; the earlier text is kept as a CommentRevision.

    People newly mentioned are notified (the event names only them) and start watching.
    Raises NotFound, PermissionDenied (not the author), Conflict (stale version), ValidationError.
    """
    project = _project_of(comment)
    _access(actor, project)
    if comment.author_id != actor.pk:
        raise PermissionDenied("Only the author of a comment can edit it.", extra={"action": "comment.update"})
    text = _clean_body(body)
    with transaction.atomic():
        locked = _locked(comment)
        check_version(locked, version, "comment")
        if locked.body == text:
            return locked
        before_ids = set(locked.mentions.values_list("pk", flat=True))
        before_teams = set(mention_lib.parse(locked.body).mentions)
        rendered = _render(actor=actor, project=project, body=text)
        CommentRevision.objects.create(
            workspace_id=locked.workspace_id, comment=locked, body=locked.body, edited_by=actor, at=timezone.now()
        )
        old_excerpt = excerpt(locked.body_html, 500)
        locked.body = text
        locked.body_html = rendered.html
        locked.edited_at = timezone.now()
        locked.version += 1
        locked.save(update_fields=["body", "body_html", "edited_at", "version", "updated_at"])
        locked.mentions.set(rendered.mentioned)
        added = [u for u in rendered.mentioned if u.pk not in before_ids]
        if locked.task_id:
            add_watchers(locked.task, added)  # type: ignore[arg-type]  # task_id is set
        new_teams = [t.name for t in rendered.resolved.teams if mention_lib.team_slug(t.name) not in before_teams]
        events.record(
            name="comment.edited",
            actor=actor,
            workspace=project.workspace,
            target=locked,
            target_label=_label(locked, project),
            data={
                **_event_data(locked, project),
                "mentions": [u.pk for u in added],
                "teams": new_teams,
                "excerpt": excerpt(rendered.html),
                "parent": locked.parent.public_id if locked.parent_id else None,  # type: ignore[union-attr]  # parent_id is set
            },
            changes={"body": [old_excerpt, excerpt(rendered.html, 500)]},
        )
    return locked


def comment_delete(*, actor: Any, comment: Comment, version: int | None = None) -> None:
    """Move a comment to the trash: its author, or a manager of the project. Its replies stay,
    under a "comment deleted" placeholder.

    Raises NotFound, PermissionDenied, Conflict (stale version).
    """
    project = _project_of(comment)
    access = _access(actor, project)
    if comment.author_id != actor.pk:
        check(
            actor,
            "comment.moderate",
            access,
            message="Only the author of a comment or a manager of the project can delete it.",
        )
    with transaction.atomic():
        locked = _locked(comment)
        check_version(locked, version, "comment")
        move_to_trash(locked, actor=actor)
        events.record(
            name="comment.deleted",
            actor=actor,
            workspace=project.workspace,
            target=locked,
            target_label=_label(locked, project),
            data={
                **_event_data(locked, project),
                "parent": locked.parent.public_id if locked.parent_id else None,  # type: ignore[union-attr]  # parent_id is set
            },
        )


# --- reactions -----------------------------------------------------------------------------


def _emoji(value: str | None) -> str:
    text = (value or "").strip()
    # "❤" and "❤️" (with the emoji variation selector) are the same reaction.
    candidates = {text, text + "\ufe0f", text.removesuffix("\ufe0f")}
    for emoji in REACTION_EMOJIS:
        if emoji in candidates:
            return emoji
    raise ValidationError(
        f"{text or 'An empty value'} is not one of the reactions: {' '.join(REACTION_EMOJIS)}.",
        fields={"emoji": "not allowed"},
    )


def _reaction_prelude(actor: Any, comment: Comment, emoji: str | None) -> tuple[Project, str]:
    project = _project_of(comment)
    access = _access(actor, project)
    check(actor, "comment.create", access, message=f"You cannot react to comments in {project.key}.")
    if comment.deleted_at is not None:
        raise NotFound("This comment was deleted.")
    return project, _emoji(emoji)


def _reaction_event(name: str, actor: Any, comment: Comment, project: Project, emoji: str) -> None:
    events.record(
        name=name,
        actor=actor,
        workspace=project.workspace,
        target=comment,
        target_label=_label(comment, project),
        data={**_event_data(comment, project), "emoji": emoji},
    )


def reaction_add(*, actor: Any, comment: Comment, emoji: str | None) -> bool:
    """React to a comment with one of REACTION_EMOJIS; True when added now (False: already there).

    Raises NotFound, PermissionDenied, ValidationError (emoji not in the set).
    """
    project, emoji = _reaction_prelude(actor, comment, emoji)
    try:
        with transaction.atomic():
            _, created = Reaction.objects.get_or_create(
                comment=comment, user=actor, emoji=emoji, defaults={"workspace_id": comment.workspace_id}
            )
            if created:
                _reaction_event("reaction.added", actor, comment, project, emoji)
    except IntegrityError:  # the same click twice at once: the other one added it
        return False
    return created


def reaction_remove(*, actor: Any, comment: Comment, emoji: str | None) -> bool:
    """Take one's reaction back; True when removed now (False: there was none).

    Raises NotFound, PermissionDenied, ValidationError (emoji not in the set).
    """
    project, emoji = _reaction_prelude(actor, comment, emoji)
    with transaction.atomic():
        deleted, _ = Reaction.objects.filter(comment=comment, user=actor, emoji=emoji).delete()
        if deleted:
            _reaction_event("reaction.removed", actor, comment, project, emoji)
    return bool(deleted)


def reaction_toggle(*, actor: Any, comment: Comment, emoji: str | None) -> bool:
    """Add the reaction, or take it back when the actor already gave it; True when it is now on.

    Raises as reaction_add.
    """
    _, clean = _reaction_prelude(actor, comment, emoji)
    if Reaction.objects.filter(comment=comment, user=actor, emoji=clean).exists():
        reaction_remove(actor=actor, comment=comment, emoji=clean)
        return False
    reaction_add(actor=actor, comment=comment, emoji=clean)
    return True
