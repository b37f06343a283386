"""The comments API (API.md, Collaboration): contract, errors, versions, query counts."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labora.collaboration import services
from labora.collaboration.models import Comment, Reaction
from labora.work.models import Project, ProjectMember, Task
from labora.work.services import projects as project_services
from labora.work.services import tasks as task_services
from labora.workspaces.models import Role
from tests import factories

BASE = "/api/v1/workspaces/acme"


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


def test_post_answers_201_with_the_contract(api: Any, task: Task, ann: Any) -> None:
    response = api.post_json(f"{BASE}/tasks/OPS-1/comments", {"body": "Ready for @ann, see #OPS-1"})
    assert response.status_code == 201, response.content
    body = response.json()
    comment = Comment.objects.get()
    assert body == {
        "id": comment.public_id,
        "body": "Ready for @ann, see #OPS-1",
        "body_html": comment.body_html,
        "author": "owner@example.com",
        "author_name": "Olivia Owner",
        "created_at": body["created_at"],
        "edited_at": None,
        "parent": None,
        "mentions": ["ann@example.com"],
        "reactions": [],
        "version": 1,
    }
    assert 'data-task-ref="OPS-1"' in body["body_html"]


def test_reply_edit_react_and_delete(api: Any, api_for: Any, task: Task, ann: Any) -> None:
    root = api.post_json(f"{BASE}/tasks/OPS-1/comments", {"body": "root"}).json()
    reply = api_for(ann).post_json(f"{BASE}/tasks/OPS-1/comments", {"body": "reply", "parent": root["id"]})
    assert reply.status_code == 201
    assert reply.json()["parent"] == root["id"]

    # React (201, then 200: already there) and see the summary
    url = f"{BASE}/tasks/OPS-1/comments/{root['id']}"
    assert api.post_json(f"{url}/reactions", {"emoji": "🎉"}).status_code == 201
    again = api.post_json(f"{url}/reactions", {"emoji": "🎉"})
    assert again.status_code == 200
    assert again.json()["reactions"] == [{"emoji": "🎉", "count": 1, "mine": True}]
    other = api_for(ann).get(url).json()
    assert other["reactions"] == [{"emoji": "🎉", "count": 1, "mine": False}]

    # Edit with If-Match; a stale one is a 409 with the current comment
    edited = api.patch_json(url, {"body": "root, edited"}, HTTP_IF_MATCH="1")
    assert edited.status_code == 200
    assert edited.json()["version"] == 2
    assert edited.json()["edited_at"] is not None
    stale = api.patch_json(url, {"body": "again"}, HTTP_IF_MATCH="1")
    assert stale.status_code == 409
    assert stale.json()["current"]["body"] == "root, edited"
    revisions = api.get(f"{url}/revisions").json()
    assert [r["body"] for r in revisions] == ["root"]

    # Ann may not edit the owner's comment
    denied = api_for(ann).patch_json(url, {"body": "mine now"})
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "forbidden"

    # Remove the reaction, delete the comment (204), the reply stays
    assert api.delete(f"{url}/reactions?emoji={quote('🎉')}").status_code == 204
    assert Reaction.objects.count() == 0
    assert api.delete(url).status_code == 204
    listed = api.get(f"{BASE}/tasks/OPS-1/comments").json()
    assert [c["body"] for c in listed["items"]] == ["reply"]
    assert api.get(url).status_code == 404


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"body": ""}, 422, "empty"),
        ({"body": "x" * 1_000_000}, 422, "too_long"),
        ({"body": "hi", "parent": "nope"}, 404, "not_found"),
        ({}, 422, None),
    ],
)
def test_bad_input_is_4xx_with_the_error_body(
    api: Any, task: Task, payload: Any, status: int, code: str | None
) -> None:
    response = api.post_json(f"{BASE}/tasks/OPS-1/comments", payload)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["message"]
    if code:
        assert error["code"] == code
    assert Comment.objects.count() == 0


def test_unknown_emoji_is_422(api: Any, task: Task) -> None:
    comment = api.post_json(f"{BASE}/tasks/OPS-1/comments", {"body": "x"}).json()
    response = api.post_json(f"{BASE}/tasks/OPS-1/comments/{comment['id']}/reactions", {"emoji": "🤡"})
    assert response.status_code == 422
    assert "not one of the reactions" in response.json()["error"]["message"]


def test_comment_of_another_task_is_not_found_through_this_one(api: Any, user: Any, project: Project) -> None:
    first = task_services.task_create(actor=user, project=project, title="a")
    task_services.task_create(actor=user, project=project, title="b")
    comment = services.comment_create(actor=user, task=first, body="on a")
    assert api.get(f"{BASE}/tasks/OPS-2/comments/{comment.public_id}").status_code == 404
    assert api.delete(f"{BASE}/tasks/OPS-2/comments/{comment.public_id}").status_code == 404
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_outsiders_get_404_and_write_nothing(api_for: Any, task: Task) -> None:
    stranger = factories.make_user(email="x@other.test")
    factories.make_workspace(owner=stranger, slug="other")
    client = api_for(stranger)
    assert client.get(f"{BASE}/tasks/OPS-1/comments").status_code == 404
    assert client.post_json(f"{BASE}/tasks/OPS-1/comments", {"body": "hi"}).status_code == 404
    assert Comment.objects.count() == 0


def test_viewer_comments_and_guest_without_share_cannot(
    api_for: Any, workspace: Any, project: Project, task: Task
) -> None:
    viewer = factories.add_member(workspace).user
    ProjectMember.objects.create(project=project, user=viewer, role="viewer")
    assert api_for(viewer).post_json(f"{BASE}/tasks/OPS-1/comments", {"body": "question"}).status_code == 201
    guest = factories.add_member(workspace, role=Role.GUEST).user
    assert api_for(guest).post_json(f"{BASE}/tasks/OPS-1/comments", {"body": "hi"}).status_code == 404
    assert Comment.objects.count() == 1


def test_project_discussion(api: Any, project: Project) -> None:
    created = api.post_json(f"{BASE}/projects/OPS/comments", {"body": "Kick-off Monday"})
    assert created.status_code == 201
    reply = api.post_json(f"{BASE}/projects/OPS/comments", {"body": "👍", "parent": created.json()["id"]})
    assert reply.status_code == 201
    listed = api.get(f"{BASE}/projects/OPS/comments").json()
    assert listed["count"] == 2
    assert [c["parent"] for c in listed["items"]] == [None, created.json()["id"]]
    url = f"{BASE}/projects/OPS/comments/{created.json()['id']}"
    assert api.post_json(f"{url}/reactions", {"emoji": "🚀"}).json()["reactions"][0]["emoji"] == "🚀"
    assert api.patch_json(url, {"body": "Kick-off Tuesday", "version": 1}).json()["version"] == 2
    assert api.delete(url, HTTP_IF_MATCH="1").status_code == 409
    assert api.delete(url, HTTP_IF_MATCH="2").status_code == 204


def test_the_list_takes_a_constant_number_of_queries(api: Any, user: Any, workspace: Any, task: Task, ann: Any) -> None:
    def fill(n: int) -> None:
        for i in range(n):
            c = services.comment_create(actor=user if i % 2 else ann, task=task, body=f"note {i} @ann OPS-1")
            services.reaction_add(actor=ann, comment=c, emoji="👍")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(f"{BASE}/tasks/OPS-1/comments?page_size=100")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    fill(3)
    count()  # the first request of a token also notes when it was last used
    few = count()
    fill(60)
    assert count() == few
    items = api.get(f"{BASE}/tasks/OPS-1/comments?page_size=100").json()["items"]
    assert len(items) == 63
    assert items[0]["reactions"] == [{"emoji": "👍", "count": 1, "mine": False}]


def test_pagination(api: Any, user: Any, task: Task) -> None:
    for i in range(5):
        services.comment_create(actor=user, task=task, body=f"n{i}")
    page = api.get(f"{BASE}/tasks/OPS-1/comments?page_size=2&page=2").json()
    assert page["count"] == 5
    assert [c["body"] for c in page["items"]] == ["n2", "n3"]
    assert page["next"].endswith("?page_size=2&page=3")
