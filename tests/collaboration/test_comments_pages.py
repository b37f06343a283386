"""Comment pages: the lazily loaded section of the task page, its actions, the project discussion,
@-suggestions, the task reference card, access and query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from labora.collaboration import services
from labora.collaboration.models import Comment, Reaction
from labora.work.models import Project, ProjectMember, Task
from labora.work.services import projects as project_services
from labora.work.services import tasks as task_services
from labora.workspaces.models import Role, Team, TeamMember
from tests import factories

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def client_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


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


def _url(task_key: str = "OPS-1") -> str:
    return reverse("task_comments", kwargs={"ws": "acme", "task_key": task_key})


def test_the_task_page_loads_the_section_lazily(client_in: Client, task: Task) -> None:
    page = client_in.get(reverse("task_detail", kwargs={"ws": "acme", "task_key": "OPS-1"}))
    assert f'hx-get="{_url()}" hx-trigger="load"' in page.content.decode()
    # A plain GET of the section goes to the task page's comments
    assert client_in.get(_url()).url == "/w/acme/tasks/OPS-1/#comments"


def test_section_shows_threads_reactions_and_composer(client_in: Client, user: Any, task: Task, ann: Any) -> None:
    root = services.comment_create(actor=ann, task=task, body="Is **OPS-1** blocked, @owner@example.com?")
    services.comment_create(actor=user, task=task, body="No, shipping today", parent=root)
    services.reaction_add(actor=user, comment=root, emoji="👀")
    html = client_in.get(_url(), **HX).content.decode()
    assert 'id="comment-threads"' in html
    assert 'id="comment-composer"' in html
    assert "Ann Lee" in html
    assert "shipping today" in html
    assert '<a class="task-ref" href="/w/acme/tasks/OPS-1/" data-task-ref="OPS-1">OPS-1</a>' in html
    assert 'class="reaction is-mine" aria-pressed="true"' in html
    assert 'id="comment-count">2<' in html


def test_post_create_reply_edit_react_delete(client_in: Client, user: Any, task: Task) -> None:
    response = client_in.post(_url(), {"action": "create", "body": "First!"}, **HX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "labora:comments-saved"
    assert "First!" in response.content.decode()
    comment = Comment.objects.get()
    client_in.post(_url(), {"action": "create", "body": "reply", "parent": comment.public_id}, **HX)
    client_in.post(
        _url(), {"action": "edit", "comment": comment.public_id, "body": "First, edited", "version": "1"}, **HX
    )
    client_in.post(_url(), {"action": "react", "comment": comment.public_id, "emoji": "🎉"}, **HX)
    comment.refresh_from_db()
    assert comment.body == "First, edited"
    assert comment.version == 2
    assert Reaction.objects.filter(comment=comment, emoji="🎉").count() == 1
    html = client_in.post(_url(), {"action": "delete", "comment": comment.public_id, "version": "2"}, **HX)
    assert "Comment deleted" in html.content.decode()
    assert "reply" in html.content.decode()
    history = client_in.get(
        reverse("task_comment_history", kwargs={"ws": "acme", "task_key": "OPS-1", "comment_id": comment.public_id})
    )
    assert history.status_code == 404  # deleted comments have no public history


def test_errors_become_a_toast_and_nothing_is_written(client_in: Client, task: Task) -> None:
    response = client_in.post(_url(), {"action": "create", "body": "x" * 20_001}, **HX)
    assert response.status_code == 422
    assert response["HX-Reswap"] == "none"
    assert "the limit is 20,000" in response["HX-Trigger"]
    assert Comment.objects.count() == 0


def test_plain_post_redirects_back_with_a_message(client_in: Client, task: Task) -> None:
    response = client_in.post(_url(), {"action": "create", "body": "hello", "next": "/w/acme/tasks/OPS-1/"})
    assert response.status_code == 302
    assert response.url == "/w/acme/tasks/OPS-1/"
    assert Comment.objects.count() == 1


def test_stale_edit_from_the_page_is_refused(client_in: Client, user: Any, task: Task) -> None:
    comment = services.comment_create(actor=user, task=task, body="v1")
    services.comment_update(actor=user, comment=comment, body="v2")
    response = client_in.post(
        _url(), {"action": "edit", "comment": comment.public_id, "body": "v3", "version": "1"}, **HX
    )
    assert response.status_code == 409
    comment.refresh_from_db()
    assert comment.body == "v2"


def test_viewer_reads_and_comments_outsider_gets_404(
    client: Client, workspace: Any, project: Project, task: Task
) -> None:
    viewer = factories.add_member(workspace).user
    ProjectMember.objects.create(project=project, user=viewer, role="viewer")
    client.force_login(viewer)
    assert 'id="comment-composer"' in client.get(_url(), **HX).content.decode()
    guest = factories.add_member(workspace, role=Role.GUEST).user
    client.force_login(guest)
    assert client.get(_url(), **HX).status_code == 404
    assert client.post(_url(), {"action": "create", "body": "hi"}, **HX).status_code == 404
    assert Comment.objects.count() == 0


def test_project_discussion_page(client_in: Client, user: Any, project: Project) -> None:
    url = reverse("project_discussion", kwargs={"ws": "acme", "key": "OPS"})
    page = client_in.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Discussion" in html
    assert 'aria-current="page">Discussion' in html
    client_in.post(url, {"action": "create", "body": "Kick-off on Monday"}, **HX)
    assert Comment.objects.get().project == project
    assert "Kick-off on Monday" in client_in.get(url).content.decode()


def test_mention_suggestions_list_members_who_see_the_project_and_teams(
    client_in: Client, workspace: Any, project: Project, ann: Any
) -> None:
    project.is_private = True
    project.save(update_fields=["is_private"])
    ProjectMember.objects.create(project=project, user=ann, role="contributor")
    factories.add_member(workspace, factories.make_user(email="annie@example.com", name="Annie Hidden"))
    team = Team.objects.create(workspace=workspace, name="Annual Review")
    TeamMember.objects.create(team=team, user=ann)
    html = client_in.get(
        reverse("mention_suggestions", kwargs={"ws": "acme"}), {"q": "an", "project": "OPS"}
    ).content.decode()
    assert 'data-insert="ann"' in html
    assert "Annie Hidden" not in html  # a member who cannot see the private project
    assert 'data-insert="annual-review"' in html


def test_task_card_only_for_visible_tasks(client: Client, user: Any, workspace: Any, task: Task) -> None:
    secret = project_services.project_create(actor=user, workspace=workspace, key="SEC", name="S", is_private=True)
    task_services.task_create(actor=user, project=secret, title="Hidden plan")
    member = factories.add_member(workspace).user
    client.force_login(member)
    card = client.get(reverse("task_ref_card", kwargs={"ws": "acme", "task_key": "OPS-1"}))
    assert card.status_code == 200
    assert "Fix the deploy" in card.content.decode()
    hidden = client.get(reverse("task_ref_card", kwargs={"ws": "acme", "task_key": "SEC-1"}))
    assert hidden.status_code == 404
    assert b"Hidden plan" not in hidden.content


def test_refs_to_hidden_tasks_are_plain_text_for_viewers_who_cannot_see_them(
    client: Client, user: Any, workspace: Any, task: Task
) -> None:
    secret = project_services.project_create(actor=user, workspace=workspace, key="SEC", name="S", is_private=True)
    task_services.task_create(actor=user, project=secret, title="Hidden plan")
    services.comment_create(actor=user, task=task, body="Blocked by SEC-1")
    member = factories.add_member(workspace).user
    client.force_login(member)
    html = client.get(_url(), **HX).content.decode()
    assert "Blocked by SEC-1" in html
    assert 'data-task-ref="SEC-1"' not in html


def test_the_section_takes_a_constant_number_of_queries(client_in: Client, user: Any, task: Task, ann: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def fill(n: int) -> None:
        for i in range(n):
            root = services.comment_create(actor=ann, task=task, body=f"note {i} @ann OPS-1")
            services.comment_create(actor=user, task=task, body="ok", parent=root)
            services.reaction_add(actor=user, comment=root, emoji="👍")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client_in.get(_url(), **HX).status_code == 200
        return len(ctx.captured_queries)

    fill(2)
    count()
    few = count()
    fill(25)
    assert count() == few


def test_long_discussions_show_the_latest_threads_first_and_the_rest_on_demand(
    client_in: Client, user: Any, task: Task
) -> None:
    for i in range(32):
        services.comment_create(actor=user, task=task, body=f"thread number {i:02d}")
    html = client_in.get(_url(), **HX).content.decode()
    assert "Show 2 earlier threads" in html
    assert "thread number 00" not in html
    assert "thread number 02" in html
    assert "thread number 31" in html
    everything = client_in.get(_url(), {"part": "threads", "all": "1"}, **HX).content.decode()
    assert "thread number 00" in everything
    assert "earlier thread" not in everything
    assert 'id="comment-composer"' not in everything  # only the threads partial
