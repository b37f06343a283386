"""The board page: columns per status with counts and WIP limits, cards, quick add, moves."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from labora.work import services
from labora.work.models import Project, ProjectMember, ProjectRole, Task
from labora.work.services import StatusSpec
from labora.workspaces.models import Role
from tests import factories

BOARD = "/w/acme/projects/OPS/board/"


@pytest.fixture
def client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


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
        transitions=[("To do", "Doing"), ("Doing", "Done"), ("Doing", "To do")],
    )
    return project


def _add(user: Any, project: Project, title: str, status: str = "To do", **kwargs: Any) -> Task:
    return services.task_create(actor=user, project=project, title=title, status=status, **kwargs)


def _column_cards(html: str, status: str) -> list[str]:
    section = re.search(rf'data-status="{status}".*?</ol>', html, re.S)
    assert section is not None, status
    return re.findall(r'data-key="([A-Z]+-\d+)"', section.group(0))


def _fetch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, HTTP_X_REQUESTED_WITH="fetch")


def test_the_board_shows_a_column_per_status_with_cards_in_rank_order(
    client: Client, user: Any, project: Project
) -> None:
    _add(user, project, "Write copy", priority="urgent", labels=["design"], assignee=user.email)
    _add(user, project, "Fix login", status="Doing")
    _add(user, project, "Plan sprint")
    response = client.get(BOARD)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'<h2 class="board-column-title"[^>]*>([^<]+)</h2>', html) == ["To do", "Doing", "Done"]
    assert _column_cards(html, "To do") == ["OPS-1", "OPS-3"]
    assert _column_cards(html, "Doing") == ["OPS-2"]
    assert "1 / 2" in html
    assert "Write copy" in html
    assert "prio-urgent" in html
    assert ">design<" in html
    assert user.initials in html


def test_a_column_at_its_wip_limit_is_marked_full(client: Client, user: Any, project: Project) -> None:
    _add(user, project, "A", status="Doing")
    _add(user, project, "B", status="Doing")
    html = client.get(BOARD).content.decode()
    assert re.search(r'class="board-count is-full"[^>]*>2 / 2<', html)


def test_the_board_of_another_workspace_is_not_found(client: Client, project: Project) -> None:
    other = factories.make_user()
    factories.make_workspace(owner=other, slug="other")
    assert client.get("/w/other/projects/OPS/board/").status_code == 404
    assert client.get("/w/acme/projects/NOPE/board/").status_code == 404


def _board_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(BOARD).status_code == 200
    return len(ctx.captured_queries)


def test_the_board_reads_the_same_number_of_queries_for_20_or_200_cards(
    client: Client, user: Any, workspace: Any, project: Project
) -> None:
    member = factories.add_member(workspace, role=Role.MEMBER).user
    for i in range(20):
        _add(user, project, f"Task {i}", assignee=(user if i % 2 else member).email, labels=[f"l{i % 3}"])
    _board_queries(client)  # warm up: the first request of a session writes once
    small = _board_queries(client)
    for i in range(180):
        _add(user, project, f"More {i}", status="Done" if i % 2 else "To do", assignee=member.email, labels=["x"])
    assert _board_queries(client) == small


def test_dropping_a_card_in_another_column_moves_it_and_answers_the_card(
    client: Client, user: Any, project: Project
) -> None:
    _add(user, project, "Busy", status="Doing")
    _add(user, project, "Next")
    response = _fetch(client, "/w/acme/tasks/OPS-2/move/", {"before": "OPS-1", "status": "Doing", "version": "1"})
    assert response.status_code == 200
    assert 'id="card-OPS-2"' in response.content.decode()
    assert 'data-version="2"' in response.content.decode()
    html = client.get(BOARD).content.decode()
    assert _column_cards(html, "Doing") == ["OPS-2", "OPS-1"]
    assert _column_cards(html, "To do") == []


def _snapshot(project: Project) -> list[tuple[int, str, str, int]]:
    return list(
        Task.objects.filter(project=project).order_by("number").values_list("number", "status__name", "rank", "version")
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"status": "Doing"}, "WIP limit"),
        ({"status": "Done"}, "does not allow"),
        ({"after": "OPS-1", "version": "7"}, "changed by someone else"),
    ],
)
def test_a_refused_move_answers_422_with_the_reason_and_changes_nothing(
    client: Client, user: Any, project: Project, data: dict[str, str], reason: str
) -> None:
    _add(user, project, "One", status="Doing")
    _add(user, project, "Two", status="Doing")
    _add(user, project, "Three")
    before = _snapshot(project)
    response = _fetch(client, "/w/acme/tasks/OPS-3/move/", data)
    assert response.status_code == 422
    assert reason in response.content.decode()
    assert "labora:toast" in response["HX-Trigger"]
    assert _snapshot(project) == before


def test_a_plain_post_move_redirects_to_the_board_with_a_message(client: Client, user: Any, project: Project) -> None:
    _add(user, project, "One")
    response = client.post("/w/acme/tasks/OPS-1/move/", {"status": "Doing"}, follow=True)
    assert response.redirect_chain[-1][0] == BOARD
    assert "OPS-1 moved to Doing" in response.content.decode()


def test_a_guest_cannot_move_cards(user: Any, workspace: Any, project: Project) -> None:
    _add(user, project, "One")
    guest = factories.add_member(workspace, role=Role.GUEST).user
    ProjectMember.objects.create(project=project, user=guest, role=ProjectRole.VIEWER)  # shared to read
    client = Client()
    client.force_login(guest)
    html = client.get(BOARD).content.decode()
    assert "data-move-url" not in html
    assert "Add a task" not in html
    response = _fetch(client, "/w/acme/tasks/OPS-1/move/", {"status": "Doing"})
    assert response.status_code == 403
    assert _snapshot(project)[0][1] == "To do"


def test_quick_add_creates_the_task_in_that_column(client: Client, user: Any, project: Project) -> None:
    response = client.post(BOARD, {"status": "Done", "title": "Already shipped"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="board-column"')
    assert "Already shipped" in html
    assert Task.objects.get().status.name == "Done"


def test_quick_add_into_a_full_column_says_why(client: Client, user: Any, project: Project) -> None:
    _add(user, project, "A", status="Doing")
    _add(user, project, "B", status="Doing")
    response = client.post(BOARD, {"status": "Doing", "title": "C"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "WIP limit" in response["HX-Trigger"]
    assert Task.objects.count() == 2


def test_swimlanes_group_the_cards_by_assignee_unassigned_last(
    client: Client, user: Any, workspace: Any, project: Project
) -> None:
    bob = factories.add_member(workspace, factories.make_user(email="bob@example.com", name="Bob Builder")).user
    _add(user, project, "Mine", assignee=user.email)
    _add(user, project, "Nobody's")
    _add(user, project, "Bob's", status="Doing", assignee=bob.email)
    response = client.get(f"{BOARD}?swimlanes=assignee")
    assert response.status_code == 200
    html = response.content.decode()
    lanes = re.findall(r'<section class="board-lane" aria-label="([^"]+)"', html)
    assert lanes == ["Bob Builder", "Olivia Owner", "Unassigned"]
    assert re.findall(r'data-lane="([^"]+)" data-assignee="bob@example.com" data-status="Doing"', html) == [
        bob.public_id
    ]
    assert "1 / 2" in html


def test_swimlanes_read_a_constant_number_of_queries(
    client: Client, user: Any, workspace: Any, project: Project
) -> None:
    members = [factories.add_member(workspace, role=Role.MEMBER).user for _ in range(3)]
    for i in range(10):
        _add(user, project, f"T{i}", assignee=members[i % 3].email)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"{BOARD}?swimlanes=assignee")
        return len(ctx.captured_queries)

    count()
    small = count()
    for i in range(60):
        _add(user, project, f"U{i}", status="Done", assignee=members[i % 3].email, labels=["x"])
    assert count() == small
