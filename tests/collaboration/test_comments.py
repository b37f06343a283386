"""Comment and reaction services: who may write, what is stored, which events leave."""

from __future__ import annotations

from typing import Any

import pytest

from labora.collaboration import services
from labora.collaboration.models import Comment, CommentRevision, Reaction
from labora.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from labora.core.models import DomainEvent
from labora.work.models import Project, ProjectMember, Task
from labora.work.services import projects as project_services
from labora.work.services import tasks as task_services
from labora.workspaces.models import Role, Team, TeamMember
from tests import factories


@pytest.fixture
def project(user: Any, workspace: Any) -> Project:
    return project_services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")


@pytest.fixture
def task(user: Any, project: Project) -> Task:
    return task_services.task_create(actor=user, project=project, title="Fix the deploy")


@pytest.fixture
def ann(workspace: Any) -> Any:
    person = factories.add_member(workspace, factories.make_user(email="ann@example.com", name="Ann Lee")).user
    person.handle = "ann"
    person.save(update_fields=["handle"])
    return person


def _events(name: str) -> list[DomainEvent]:
    return list(DomainEvent.objects.filter(name=name).order_by("id"))


def _viewer(workspace: Any, project: Project, role: str = Role.MEMBER, project_role: str = "viewer") -> Any:
    person = factories.add_member(workspace, role=role).user
    ProjectMember.objects.create(project=project, user=person, role=project_role)
    return person


# --- create ----------------------------------------------------------------------------------


def test_comment_records_event_with_the_exact_contract(user: Any, task: Task, ann: Any) -> None:
    # Given a member with a handle
    # When the owner mentions them and references the task itself
    comment = services.comment_create(actor=user, task=task, body="Hi @ann, see OPS-1 — *soon*")

    # Then the comment is stored with sanitised HTML, the mention resolved and both watching
    assert comment.body == "Hi @ann, see OPS-1 — *soon*"
    assert '<span class="mention" data-user="' in comment.body_html
    assert '<a class="task-ref" href="/w/acme/tasks/OPS-1/" data-task-ref="OPS-1">OPS-1</a>' in comment.body_html
    assert "<em>soon</em>" in comment.body_html
    assert list(comment.mentions.all()) == [ann]
    assert set(task.watchers.values_list("email", flat=True)) >= {"owner@example.com", "ann@example.com"}
    [event] = _events("comment.added")
    assert event.data == {
        "project": "OPS",
        "task": "OPS-1",
        "comment": comment.public_id,
        "mentions": [ann.pk],
        "teams": [],
        "excerpt": "Hi @ann, see OPS-1 — soon",
        "parent": None,
    }
    assert event.target_id == comment.public_id
    assert event.actor_id == user.pk


def test_project_comment_has_no_task_key(user: Any, project: Project) -> None:
    comment = services.comment_create(actor=user, project=project, body="Kick-off on Monday")
    [event] = _events("comment.added")
    assert "task" not in event.data
    assert event.data["project"] == "OPS"
    assert comment.project_id == project.pk
    assert comment.task_id is None


def test_team_mention_expands_to_members_who_see_the_project(user: Any, workspace: Any, task: Task, ann: Any) -> None:
    # Given a team of two people, one of whom cannot see the (private) project
    project = task.project
    project.is_private = True
    project.save(update_fields=["is_private"])
    ProjectMember.objects.create(project=project, user=ann, role="contributor")
    outsider = factories.add_member(workspace, factories.make_user(email="zed@example.com")).user
    team = Team.objects.create(workspace=workspace, name="Design Team")
    TeamMember.objects.create(team=team, user=ann)
    TeamMember.objects.create(team=team, user=outsider)

    # When the team is mentioned
    services.comment_create(actor=user, task=task, body="@design-team please look")

    # Then only the member who may see the project is notified; the team is named
    [event] = _events("comment.added")
    assert event.data["mentions"] == [ann.pk]
    assert event.data["teams"] == ["Design Team"]
    assert outsider not in task.watchers.all()


def test_mention_of_someone_outside_the_workspace_resolves_to_nothing(user: Any, task: Task) -> None:
    stranger = factories.make_user(email="stranger@example.com")
    stranger.handle = "stranger"
    stranger.save(update_fields=["handle"])
    comment = services.comment_create(actor=user, task=task, body="cc @stranger and @stranger@example.com")
    assert comment.mentions.count() == 0
    assert "mention" not in comment.body_html
    assert "@stranger" in comment.body_html
    assert _events("comment.added")[0].data["mentions"] == []


def test_script_in_markdown_is_neutralised(user: Any, task: Task) -> None:
    body = '<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3)) <a class="task-ref">x</a>'
    comment = services.comment_create(actor=user, task=task, body=body)
    assert "<script" not in comment.body_html
    assert "onerror" not in comment.body_html
    assert "javascript:" not in comment.body_html
    assert 'class="task-ref"' not in comment.body_html  # classes come from us only


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ("   ", "empty", "The comment is empty"),
        ("x" * 1_000_000, "too_long", "the limit is 20,000"),
    ],
)
def test_bad_bodies_are_refused_and_nothing_is_written(
    user: Any, task: Task, body: str, code: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        services.comment_create(actor=user, task=task, body=body)
    assert info.value.code == code
    assert Comment.all_objects.count() == 0
    assert _events("comment.added") == []


def test_viewers_comment_but_outsiders_do_not_see(user: Any, workspace: Any, project: Project, task: Task) -> None:
    # Given a viewer of the project, and a guest it is not shared with
    viewer = _viewer(workspace, project)
    guest = factories.add_member(workspace, role=Role.GUEST).user

    # Then the viewer may comment (read-only people comment: see permissions.py)
    services.comment_create(actor=viewer, task=task, body="A question")

    # And the guest cannot even see the project
    with pytest.raises(NotFound):
        services.comment_create(actor=guest, task=task, body="Hello?")
    assert Comment.objects.count() == 1


def test_guest_comments_on_a_project_shared_with_them(user: Any, workspace: Any, project: Project, task: Task) -> None:
    guest = _viewer(workspace, project, role=Role.GUEST)
    comment = services.comment_create(actor=guest, task=task, body="Looks good")
    assert comment.author == guest


def test_reply_to_a_reply_joins_the_root(user: Any, task: Task) -> None:
    root = services.comment_create(actor=user, task=task, body="root")
    reply = services.comment_create(actor=user, task=task, body="reply", parent=root)
    deeper = services.comment_create(actor=user, task=task, body="deeper", parent=reply)
    assert reply.parent == root
    assert deeper.parent == root
    assert _events("comment.added")[-1].data["parent"] == root.public_id


def test_reply_must_stay_on_the_same_task(user: Any, project: Project, task: Task) -> None:
    other = task_services.task_create(actor=user, project=project, title="Other")
    root = services.comment_create(actor=user, task=task, body="root")
    with pytest.raises(ValidationError, match="same task or project"):
        services.comment_create(actor=user, task=other, body="reply", parent=root)
    assert Comment.objects.count() == 1


def test_comment_on_trashed_task_is_refused(user: Any, task: Task) -> None:
    task_services.task_delete(actor=user, task=task)
    task.refresh_from_db()
    with pytest.raises(NotFound, match="in the trash"):
        services.comment_create(actor=user, task=Task.all_objects.get(pk=task.pk), body="late")
    assert Comment.objects.count() == 0


# --- update ----------------------------------------------------------------------------------


def test_author_edits_and_history_is_kept(user: Any, task: Task, ann: Any) -> None:
    comment = services.comment_create(actor=user, task=task, body="first")
    updated = services.comment_update(actor=user, comment=comment, body="second, cc @ann", version=1)
    assert updated.version == 2
    assert updated.edited_at is not None
    assert [r.body for r in CommentRevision.objects.filter(comment=comment)] == ["first"]
    [event] = _events("comment.edited")
    assert event.data["mentions"] == [ann.pk]
    assert event.data["excerpt"] == "second, cc @ann"
    assert event.changes == {"body": ["first", "second, cc @ann"]}

    # And an edit that mentions ann again adds nobody new
    services.comment_update(actor=user, comment=updated, body="third, cc @ann", version=2)
    assert _events("comment.edited")[-1].data["mentions"] == []
    assert [r.body for r in CommentRevision.objects.filter(comment=comment)] == ["second, cc @ann", "first"]


def test_editing_someone_elses_comment_is_403(user: Any, task: Task, ann: Any) -> None:
    comment = services.comment_create(actor=ann, task=task, body="mine")
    with pytest.raises(PermissionDenied, match="Only the author"):
        services.comment_update(actor=user, comment=comment, body="hijacked")
    comment.refresh_from_db()
    assert comment.body == "mine"
    assert comment.version == 1
    assert _events("comment.edited") == []


def test_stale_edit_is_409(user: Any, task: Task) -> None:
    comment = services.comment_create(actor=user, task=task, body="v1")
    services.comment_update(actor=user, comment=comment, body="v2", version=1)
    with pytest.raises(Conflict):
        services.comment_update(actor=user, comment=comment, body="v3", version=1)
    comment.refresh_from_db()
    assert comment.body == "v2"


# --- delete ----------------------------------------------------------------------------------


def test_author_deletes_and_replies_stay(user: Any, task: Task, ann: Any) -> None:
    root = services.comment_create(actor=ann, task=task, body="root")
    reply = services.comment_create(actor=user, task=task, body="reply", parent=root)
    services.comment_delete(actor=ann, comment=root)
    assert Comment.objects.filter(pk=root.pk).count() == 0
    assert Comment.all_objects.get(pk=root.pk).deleted_by == ann
    assert Comment.objects.get(pk=reply.pk).parent_id == root.pk
    [event] = _events("comment.deleted")
    assert event.data == {"project": "OPS", "task": "OPS-1", "comment": root.public_id, "parent": None}


def test_contributor_cannot_delete_anothers_comment_but_manager_can(
    user: Any, workspace: Any, project: Project, task: Task, ann: Any
) -> None:
    comment = services.comment_create(actor=ann, task=task, body="hello")
    contributor = factories.add_member(workspace).user
    with pytest.raises(PermissionDenied, match="author of a comment or a manager"):
        services.comment_delete(actor=contributor, comment=comment)
    assert Comment.objects.filter(pk=comment.pk).exists()
    manager = _viewer(workspace, project, project_role="manager")
    services.comment_delete(actor=manager, comment=comment)
    assert not Comment.objects.filter(pk=comment.pk).exists()


# --- reactions -------------------------------------------------------------------------------


def test_reaction_toggle_adds_then_removes(user: Any, task: Task) -> None:
    comment = services.comment_create(actor=user, task=task, body="ship it")
    assert services.reaction_toggle(actor=user, comment=comment, emoji="🚀") is True
    assert services.reaction_add(actor=user, comment=comment, emoji="🚀") is False  # already there
    assert Reaction.objects.filter(comment=comment).count() == 1
    assert services.reaction_toggle(actor=user, comment=comment, emoji="🚀") is False
    assert Reaction.objects.count() == 0
    assert [e.name for e in DomainEvent.objects.filter(name__startswith="reaction.").order_by("id")] == [
        "reaction.added",
        "reaction.removed",
    ]
    assert _events("reaction.added")[0].data == {
        "project": "OPS",
        "task": "OPS-1",
        "comment": comment.public_id,
        "emoji": "🚀",
    }


def test_heart_without_variation_selector_is_the_same_reaction(user: Any, task: Task) -> None:
    comment = services.comment_create(actor=user, task=task, body="thanks")
    services.reaction_add(actor=user, comment=comment, emoji="❤")
    assert list(Reaction.objects.values_list("emoji", flat=True)) == ["❤️"]


def test_unknown_emoji_is_refused(user: Any, task: Task) -> None:
    comment = services.comment_create(actor=user, task=task, body="x")
    with pytest.raises(ValidationError, match="not one of the reactions"):
        services.reaction_add(actor=user, comment=comment, emoji="💩")
    assert Reaction.objects.count() == 0


# --- demo data -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_workspace_has_comment_threads_with_mentions_and_reactions() -> None:
    from django.core.management import call_command

    call_command("demo")
    comments = Comment.objects.filter(workspace__slug="acme")
    assert comments.filter(task__isnull=False).count() >= 8
    assert comments.filter(parent__isnull=False).count() >= 4
    assert comments.filter(project__key="OPS").count() == 1
    assert comments.filter(mentions__email="priya.raman@labora.local").exists()
    assert Reaction.objects.filter(comment__in=comments).count() >= 8
    assert CommentRevision.objects.filter(comment__in=comments).count() == 1
    # The @design team mention reached its members
    designers = DomainEvent.objects.filter(name="comment.added", data__teams=["Design"])
    assert designers.exists()


# --- concurrency (PostgreSQL) ----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_and_reactions_on_postgresql() -> None:
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proved on PostgreSQL; SQLite serialises writers")
    owner = factories.make_user()
    workspace = factories.make_workspace(owner=owner)
    project = project_services.project_create(actor=owner, workspace=workspace, key="RACE", name="Race")
    task = task_services.task_create(actor=owner, project=project, title="t")
    comment = services.comment_create(actor=owner, task=task, body="v1")
    outcomes: list[str] = []

    def edit(n: int) -> None:
        try:
            services.comment_update(actor=owner, comment=comment, body=f"edit {n}", version=1)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    def react() -> None:
        try:
            services.reaction_add(actor=owner, comment=comment, emoji="👍")
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(6)]
    threads += [threading.Thread(target=react) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Exactly one edit based on version 1 wins; the others are told the comment changed.
    assert sorted(outcomes) == ["conflict"] * 5 + ["ok"]
    assert Comment.objects.get(pk=comment.pk).version == 2
    assert CommentRevision.objects.filter(comment=comment).count() == 1
    # One reaction row and one event, however many clicks raced.
    assert Reaction.objects.filter(comment=comment).count() == 1
    assert DomainEvent.objects.filter(name="reaction.added").count() == 1


def test_comment_events_read_as_sentences_in_the_history(user: Any, task: Task, ann: Any, run_events: Any) -> None:
    from labora.collaboration.models import ActivityEntry
    from labora.web.activity_text import sentence_text

    with run_events():
        root = services.comment_create(actor=ann, task=task, body="Ready for review")
    with run_events():
        services.comment_create(actor=user, task=task, body="Thanks", parent=root)
    with run_events():
        services.reaction_add(actor=user, comment=root, emoji="🎉")
    with run_events():
        services.comment_update(actor=ann, comment=root, body="Ready for review now")
    sentences = [
        sentence_text(e) for e in ActivityEntry.objects.filter(name__regex=r"^(comment|reaction)\.").order_by("id")
    ]
    assert sentences == [
        "Ann Lee commented on OPS-1 Fix the deploy: “Ready for review”",
        "Olivia Owner replied on OPS-1 Fix the deploy: “Thanks”",
        "Olivia Owner reacted 🎉 to a comment on OPS-1 Fix the deploy",
        "Ann Lee edited a comment on OPS-1 Fix the deploy",
    ]


def test_a_mention_reaches_the_inbox_through_the_outbox(user: Any, task: Task, ann: Any, run_events: Any) -> None:
    # The event shape is the contract labora.notifications builds on: prove it end to end.
    from labora.notifications.models import Notification

    with run_events():
        services.comment_create(actor=user, task=task, body="@ann can you review?")
    assert list(Notification.objects.filter(recipient=ann).values_list("kind", flat=True)) == ["comment.mention"]
    assert not Notification.objects.filter(recipient=user).exists()  # nobody is told of their own comment
