"""The board by assignee or by priority, drops that reassign or reprioritise, swimlane drops,
the board's query filter, and a constant number of queries whatever the grouping."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from labora.work import services
from labora.work.models import Project, Task
from labora.work.services import StatusSpec
from labora.workspaces.models import Role
from tests import factories

BOARD = "/w/acme/projects/OPS/board/"


@pytest.fixture
def project(user: Any, workspace: Any) -> Project:
    project = services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")
    services.workflow_replace(
        actor=user,
        project=project,
        statuses=[
            StatusSpec("To do", "todo"),
            StatusSpec("Doing", "in_progress", wip_limit=2),
            StatusSpec("Done", "done"),
        ],
        transitions=[],
    )
    return project


def _add(user: Any, project: Project, title: str, **kwargs: Any) -> Task:
    return services.task_create(actor=user, project=project, title=title, **kwargs)


def _task(number: int) -> Task:
    return Task.objects.select_related("status", "assignee").get(project__key="OPS", number=number)


def _list_keys(html: str, attribute: str, value: str) -> list[str]:
    match = re.search(
        rf'<ol class="board-cards" data-board-list data-field="[a-z]+" {attribute}="{value}".*?</ol>', html, re.S
    )
    assert match is not None, (attribute, value)
    return re.findall(r'<li class="board-card[^"]*" id="card-([A-Z]+-\d+)"', match.group(0))


def _drop(client: Client, key: str, data: dict[str, Any]) -> Any:
    return client.post(f"/w/acme/tasks/{key}/move/", data, HTTP_X_REQUESTED_WITH="fetch")


def test_columns_by_assignee_list_everyone_of_a_small_workspace_and_unassigned_last(
    client_in: Client, user: Any, project: Project, bob: Any
) -> None:
    _add(user, project, "Mine", assignee=user.email)
    _add(user, project, "Nobody's")

    html = client_in.get(BOARD, {"group": "assignee"}).content.decode()

    titles = re.findall(r'<h2 class="board-column-title"[^>]*>([^<]+)</h2>', html)
    assert titles == ["Bob Builder", "Olivia Owner", "Unassigned"]
    assert _list_keys(html, "data-assignee", "owner@example.com") == ["OPS-1"]
    assert _list_keys(html, "data-assignee", "bob@example.com") == []
    assert _list_keys(html, "data-assignee", "") == ["OPS-2"]
    assert "Add a task" in html  # quick add in every layout (tests/work/test_board_paging.py)


def test_dropping_on_an_assignee_column_reassigns(client_in: Client, user: Any, project: Project, bob: Any) -> None:
    _add(user, project, "Mine", assignee=user.email)

    response = _drop(client_in, "OPS-1", {"assignee": "bob@example.com", "version": "1"})

    assert response.status_code == 200
    assert _task(1).assignee == bob
    _drop(client_in, "OPS-1", {"assignee": "", "version": "2"})
    assert _task(1).assignee is None


def test_columns_by_priority_and_a_drop_changes_the_priority(client_in: Client, user: Any, project: Project) -> None:
    _add(user, project, "Hot", priority="urgent")
    _add(user, project, "Meh")

    html = client_in.get(BOARD, {"group": "priority"}).content.decode()

    titles = re.findall(r'<h2 class="board-column-title"[^>]*>([^<]+)</h2>', html)
    assert titles == ["Urgent", "High", "Medium", "Low", "None"]
    assert _list_keys(html, "data-priority", "urgent") == ["OPS-1"]
    assert _list_keys(html, "data-priority", "none") == ["OPS-2"]

    response = _drop(client_in, "OPS-2", {"priority": "high", "after": "OPS-1", "version": "1"})
    assert response.status_code == 200
    assert _task(2).priority_name == "high"


def test_a_drop_into_another_swimlane_reassigns_and_moves(
    client_in: Client, user: Any, project: Project, bob: Any
) -> None:
    _add(user, project, "Mine", assignee=user.email)
    html = client_in.get(BOARD, {"group": "lanes"}).content.decode()
    assert re.findall(r'<section class="board-lane" aria-label="([^"]+)"', html) == ["Olivia Owner", "Unassigned"]

    response = _drop(client_in, "OPS-1", {"status": "Doing", "assignee": "", "version": "1"})

    assert response.status_code == 200
    assert (_task(1).status.name, _task(1).assignee) == ("Doing", None)


def test_a_refused_drop_changes_neither_column_nor_lane(
    client_in: Client, user: Any, project: Project, bob: Any
) -> None:
    _add(user, project, "A", status="Doing")
    _add(user, project, "B", status="Doing")
    _add(user, project, "C", assignee=user.email)

    response = _drop(client_in, "OPS-3", {"status": "Doing", "assignee": "bob@example.com", "version": "1"})

    assert response.status_code == 422
    assert "WIP limit" in response.content.decode()
    assert (_task(3).status.name, _task(3).assignee) == ("To do", user)


def test_the_board_filters_with_the_query_language(client_in: Client, user: Any, project: Project) -> None:
    _add(user, project, "Bug", labels=["bug"])
    _add(user, project, "Feature")
    html = client_in.get(BOARD, {"q": "label:bug"}).content.decode()
    assert 'id="card-OPS-1"' in html
    assert 'id="card-OPS-2"' not in html
    broken = client_in.get(BOARD, {"q": "label:"}).content.decode()
    assert 'id="board-q-error"' in broken


@pytest.mark.parametrize("group", ["", "assignee", "priority", "lanes"])
def test_every_grouping_reads_a_constant_number_of_queries(
    client_in: Client, user: Any, workspace: Any, project: Project, group: str
) -> None:
    people = [factories.add_member(workspace, role=Role.MEMBER).user for _ in range(3)]

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client_in.get(BOARD, {"group": group}).status_code == 200
        return len(ctx.captured_queries)

    for i in range(6):
        _add(user, project, f"T{i}", assignee=people[i % 3].email, labels=["a"])
    count()
    few = count()
    for i in range(40):
        _add(user, project, f"U{i}", status="Done", assignee=people[i % 3].email, priority="high", labels=["b", "c"])
    assert count() == few
