"""A task keeps its history when it moves to another project: the entries recorded under its
former keys (TaskKeyAlias) are read with those under its current key — on its page, in the activity
API filtered by task, in the feeds' task filter — in one query (task_key IN (...), after one
for the task's keys), whoever reads; its comments follow
by foreign key; its old key still opens it. A reader who cannot see the project it left reads the
task's own past (it is about this task) but nothing else of that project."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from labora.collaboration import feeds
from labora.collaboration.comment_selectors import comment_list
from labora.collaboration.selectors import activity_list
from labora.collaboration.services import comment_create
from labora.work.models import Task
from labora.work.services import project_create, task_create, task_update
from labora.work.services.checklist import checklist_item_add
from labora.work.services.members import project_member_add
from labora.work.services.relocate import tasks_move_to_project
from labora.workspaces.models import Membership, Role
from tests import factories
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db

# The history of the task, newest first, after the fixture's two moves (OPS-1 -> WEB-1 -> APP-1).
HISTORY = [
    "task.updated",  # APP-1: the due date
    "task.moved_to_project",  # WEB-1 -> APP-1
    "task.updated",  # WEB-1: the title
    "task.moved_to_project",  # OPS-1 -> WEB-1
    "comment.added",  # OPS-1
    "checklist.item_added",  # OPS-1
    "task.updated",  # OPS-1: the priority
    "task.created",  # OPS-1
]


@pytest.fixture
def acme(run_events: Any) -> dict[str, Any]:
    """Owner Olivia; members Bob (in the private OPS) and Ann (not in it); guest Gus (shared APP).
    Bob's task OPS-1 gets a priority, a checklist item and a comment, moves to WEB (WEB-1), gets a
    new title, moves to APP (APP-1) and gets a due date. OPS-2 stays behind."""
    owner = factories.make_user(email="owner@example.com", name="Olivia Owner")
    bob = factories.make_user(email="bob@example.com", name="Bob Baker")
    ann = factories.make_user(email="ann@example.com", name="Ann Able")
    gus = factories.make_user(email="gus@example.com", name="Gus Guest")
    ws = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    factories.add_member(ws, bob, Role.MEMBER)
    factories.add_member(ws, ann, Role.MEMBER)
    factories.add_member(ws, gus, Role.GUEST)
    with run_events():
        ops = project_create(actor=owner, workspace=ws, key="OPS", name="Operations", is_private=True)
        web = project_create(actor=owner, workspace=ws, key="WEB", name="Website")
        app = project_create(actor=owner, workspace=ws, key="APP", name="Mobile app")
        project_member_add(actor=owner, project=ops, email="bob@example.com")
        project_member_add(actor=owner, project=app, email="gus@example.com")
        task = task_create(actor=bob, project=ops, title="Rotate the keys")
        task_create(actor=bob, project=ops, title="Audit the vault")  # OPS-2: stays private
        task = task_update(actor=bob, task=task, priority="high")
        checklist_item_add(actor=bob, task=task, text="Revoke the old key")
        comment_create(actor=bob, task=task, body="Started on staging.")
    with run_events():
        ((_, task),) = tasks_move_to_project(actor=bob, workspace=ws, task_keys=["OPS-1"], project=web)
    with run_events():
        task = task_update(actor=bob, task=Task.objects.get(pk=task.pk), title="Rotate every key")
    with run_events():
        ((_, task),) = tasks_move_to_project(actor=bob, workspace=ws, task_keys=["WEB-1"], project=app)
    with run_events():
        task = task_update(actor=bob, task=Task.objects.get(pk=task.pk), due_date=datetime.date(2026, 12, 1))
    assert task.key == "APP-1"
    return {"ws": ws, "owner": owner, "bob": bob, "ann": ann, "gus": gus, "task": task, "ops": ops, "app": app}


def _membership(acme: dict[str, Any], who: str) -> Membership:
    return Membership.objects.select_related("user").get(workspace=acme["ws"], user=acme[who])


def _history(acme: dict[str, Any], who: str, key: str) -> list[str]:
    return [e.name for e in activity_list(workspace=acme["ws"], membership=_membership(acme, who), task=key)]


def test_a_task_moved_twice_shows_its_whole_history_in_order_under_any_of_its_keys(acme: dict[str, Any]) -> None:
    for key in ("APP-1", "WEB-1", "OPS-1", "ops-1"):
        assert _history(acme, "owner", key) == HISTORY, key
    entries = list(activity_list(workspace=acme["ws"], membership=_membership(acme, "owner"), task="APP-1"))
    assert [e.task_key for e in entries] == ["APP-1", "APP-1", "WEB-1", "WEB-1", "OPS-1", "OPS-1", "OPS-1", "OPS-1"]
    feed = feeds.feed_entries(workspace=acme["ws"], membership=_membership(acme, "bob"), task="APP-1")
    assert [e.name for e in feed] == HISTORY
    assert [e.name for e in feeds.feed_entries(workspace=acme["ws"], membership=None, task="APP-1")] == []


def test_the_other_tasks_of_the_project_left_behind_never_join_the_history(acme: dict[str, Any]) -> None:
    names = _history(acme, "owner", "OPS-2")
    assert names == ["task.created"]
    assert "Rotate" not in " ".join(
        e.target_label for e in activity_list(workspace=acme["ws"], membership=_membership(acme, "owner"), task="OPS-2")
    )


def test_a_reader_who_cannot_see_the_old_project_reads_the_tasks_past_but_nothing_else_of_it(
    acme: dict[str, Any],
) -> None:
    # The task's own past is about this task (its checklist and comments moved with it): Ann may
    # see APP-1, so she reads all of it, under either key...
    assert _history(acme, "ann", "APP-1") == HISTORY
    assert _history(acme, "ann", "OPS-1") == HISTORY
    # ...but not OPS's other task, nor anything of OPS in her workspace feed.
    assert _history(acme, "ann", "OPS-2") == []
    workspace_feed = feeds.feed_entries(workspace=acme["ws"], membership=_membership(acme, "ann"))
    assert [e for e in workspace_feed if e.project_key == "OPS"] == []
    # A guest shared APP reads the task's history too; one who is not reads nothing of it.
    assert _history(acme, "gus", "APP-1") == HISTORY
    stranger = factories.make_user(email="sam@example.com")
    factories.add_member(acme["ws"], stranger, Role.GUEST)
    assert _history(acme | {"sam": stranger}, "sam", "APP-1") == []
    assert _history(acme | {"sam": stranger}, "sam", "OPS-1") == []


def test_a_reader_who_cannot_see_the_task_now_reads_only_what_the_feed_rules_give(
    acme: dict[str, Any], run_events: Any
) -> None:
    with run_events():
        tasks_move_to_project(actor=acme["owner"], workspace=acme["ws"], task_keys=["APP-1"], project=acme["ops"])
    # Now OPS-3, back in the private OPS: Bob reads all of it under any of its four keys.
    for key in ("OPS-3", "APP-1", "WEB-1", "OPS-1"):
        assert _history(acme, "bob", key) == ["task.moved_to_project", *HISTORY], key
    # Ann cannot see it: nothing recorded in OPS; what was recorded while it was in WEB and APP
    # she reads in the workspace feed anyway, so she reads it under those keys, and only that.
    assert _history(acme, "ann", "OPS-3") == []
    assert _history(acme, "ann", "OPS-1") == []
    assert _history(acme, "ann", "WEB-1") == ["task.updated", "task.moved_to_project"]
    assert _history(acme, "ann", "APP-1") == ["task.updated", "task.moved_to_project"]
    assert [
        e.task_key for e in feeds.feed_entries(workspace=acme["ws"], membership=_membership(acme, "ann")) if e.task_key
    ] == ["APP-1", "APP-1", "WEB-1", "WEB-1"]


def test_a_task_history_costs_the_same_queries_whatever_the_number_of_moves(
    acme: dict[str, Any], run_events: Any
) -> None:
    with run_events():
        task_create(actor=acme["bob"], project=acme["app"], title="Never moved")  # APP-2
    for who in ("owner", "ann", "gus"):
        membership = _membership(acme, who)
        counts = []
        for key in ("APP-2", "APP-1", "OPS-1"):
            with CaptureQueriesContext(connection) as queries:
                list(activity_list(workspace=acme["ws"], membership=membership, task=key))
            counts.append(len(queries))
        assert counts == [2, 2, 2], who  # the task's former keys, then its entries


def test_the_task_page_shows_the_whole_history_and_its_old_keys_open_it(acme: dict[str, Any]) -> None:
    client = Client()
    client.force_login(acme["ann"])
    for key in ("WEB-1", "ops-1"):  # an old key redirects, for good, to the task's address now
        response = client.get(f"/w/acme/tasks/{key}/", {"tab": "history"})
        assert response.status_code == 301, key
        assert response["Location"] == "/w/acme/tasks/APP-1/?tab=history"
    for key in ("APP-1", "WEB-1", "OPS-1"):
        response = client.get(f"/w/acme/tasks/{key}/", follow=True)
        assert response.status_code == 200, key
        html = response.text
        history = html[html.index('id="task-history"') :]
        assert history.count('class="feed-item"') == len(HISTORY), key
        assert "Rotate every key" in html
    # The side panel asks for the same page's fragment.
    fragment = client.get("/w/acme/tasks/OPS-1/", HTTP_HX_REQUEST="true").text
    assert "<html" not in fragment
    assert fragment[fragment.index('id="task-history"') :].count('class="feed-item"') == len(HISTORY)
    # OPS-2 stays behind in the private OPS.
    assert client.get("/w/acme/tasks/OPS-2/").status_code == 404


def test_the_api_finds_the_task_its_history_and_its_comments_by_an_old_key(acme: dict[str, Any]) -> None:
    api = ApiClient(factories.make_token(acme["ann"]))
    task = api.get("/api/v1/workspaces/acme/tasks/OPS-1")
    assert task.status_code == 200
    assert task.json()["key"] == "APP-1"
    for key in ("APP-1", "WEB-1", "OPS-1"):
        items = api.get(f"/api/v1/workspaces/acme/activity?task={key}").json()["items"]
        assert [i["event"] for i in items] == HISTORY, key
    comments = api.get("/api/v1/workspaces/acme/tasks/WEB-1/comments").json()
    bodies = [c["body"] for c in comments["items"]]
    assert bodies == ["Started on staging."]
    # The comment is attached by foreign key: it moved with the task.
    assert [c.body for c in comment_list(task=acme["task"])] == ["Started on staging."]
